"""FORMATS.md "Office files as they really are": the spreadsheets departments really send.

Every rule of that subsection with a real-looking file: title rows, hidden sheets, number cells,
date-time cells, merged cells, formula errors, CR/LF/CRLF, ragged rows, GBK/GB18030/BOM, NBSP and
full-width characters, ¥/元, IDs ending in 000, the rejected-rows path, and replacing a list.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from huican.cli import main
from huican.core.idnumbers import LOST_DIGITS, check_character
from huican.exchange.models import ImportBatch, ListRecord
from huican.exchange.snapshots import active_batch_ids
from tests.exchange.helpers import make_id, read_rejects

pytestmark = pytest.mark.django_db

A = make_id("14090219900101001")
B = make_id("14098119500505002")
C = make_id("14092219800303003")
HEADER = ["公民身份号码", "姓名", "保障类别", "起始日期", "终止日期", "月保障金额"]


def id_ending_000() -> str:
    """A valid ID number (its check character passes) whose last three characters are 000: what
    Excel makes of an 18-digit number cell whose check character then happens to pass."""
    for day in range(1, 29):
        for digit in range(10):
            first17 = f"140902198001{day:02d}{digit}00"
            if check_character(first17) == "0":
                return first17 + "0"
    raise AssertionError("no such ID number")


def run(capsys, *argv: str, code: int = 0) -> tuple[list[str], str]:
    assert main(list(argv)) == code, capsys.readouterr().err
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def lines(*rows: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def records(kind: str = "dibao") -> list[ListRecord]:
    return list(ListRecord.objects.filter(kind=kind, batch_id__in=active_batch_ids(kind, dt.date.today())))


# --- CSV -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_cr_lf_and_crlf_are_all_line_ends(tmp_path: Path, capsys, newline: str) -> None:
    text = lines(
        HEADER, [A, "测甲", "城市", "2024-01-01", "", "500"], [B, "测乙", "农村", "2024-02-01", "", ""]
    )
    out, _ = run(capsys, "import", "dibao", str(write(tmp_path / "d.csv", text, newline=newline)))
    assert out == ["accepted 2, rejected 0", "not in registry: 2"]


def test_a_cr_only_file_never_reads_as_an_empty_list(tmp_path: Path, capsys) -> None:
    first = lines(
        HEADER, [A, "测甲", "城市", "2024-01-01", "", ""], [B, "测乙", "城市", "2024-01-01", "", ""]
    )
    run(capsys, "import", "dibao", str(write(tmp_path / "one.csv", first)))
    second = lines(
        HEADER, [A, "测甲", "城市", "2024-01-01", "", ""], [C, "测丙", "城市", "2024-01-01", "", ""]
    )
    out, _ = run(capsys, "import", "dibao", str(write(tmp_path / "two.csv", second, newline="\r")))
    assert out[0] == "accepted 2, rejected 0"
    assert len(records()) == 2


def test_ragged_rows_are_rejected_with_both_field_counts(tmp_path: Path, capsys) -> None:
    text = (
        ",".join(HEADER)
        + "\n"
        + f"{A},测甲,城市,2024-01-01,,500\n"
        + f"{B},测乙,城市,2024-01-01,,500,多余\n"
        + f"{C},测丙,城市,2024-01-01\n"
    )
    path = write(tmp_path / "ragged.csv", text)
    out, _ = run(capsys, "import", "dibao", str(path))
    assert out[0] == "accepted 1, rejected 2"
    rejects = {row["行号"]: row for row in read_rejects(tmp_path / "ragged.rejected.csv")}
    assert "字段数与表头不符" in rejects["3"]["原因"] and "6 个" in rejects["3"]["原因"]
    assert "7 个" in rejects["3"]["原因"]
    assert "4 个" in rejects["4"]["原因"]
    assert rejects["4"]["原因"].count("；") == 0  # only the field count: the values are misplaced


def test_ragged_rows_inside_quoted_fields_are_counted_by_csv_rules(tmp_path: Path, capsys) -> None:
    text = (
        ",".join(HEADER)
        + "\n"
        + f'{A},"测,甲",城市,2024-01-01,,500\n'
        + f'{B},"测乙",城市,2024-01-01,,500,x\n'
    )
    out, _ = run(capsys, "import", "dibao", str(write(tmp_path / "q.csv", text)))
    assert out[0] == "accepted 1, rejected 1"
    rejects = read_rejects(tmp_path / "q.rejected.csv")
    assert rejects[0]["行号"] == "3" and "7 个" in rejects[0]["原因"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_encodings(tmp_path: Path, capsys, encoding: str) -> None:
    text = lines(HEADER, [A, "测甲", "城市", "2024-01-01", "", "500"])
    out, _ = run(capsys, "import", "dibao", str(write(tmp_path / "e.csv", text, encoding=encoding)))
    assert out[0] == "accepted 1, rejected 0"
    assert records()[0].name == "测甲"


def test_title_rows_above_the_header_are_not_rows_and_are_named(tmp_path: Path, capsys) -> None:
    text = "2024年12月 忻州市最低生活保障对象名单,,,,,\n制表单位：民政局,,,,,\n" + lines(
        HEADER, [A, "测甲", "城市", "2024-01-01", "", "500"]
    )
    path = write(tmp_path / "title.csv", text)
    out, err = run(capsys, "import", "dibao", str(path))
    assert out[0] == "accepted 1, rejected 0"
    assert "表头在第 3 行" in err
    assert ListRecord.objects.get().row_number == 4


def test_a_header_beyond_the_first_10_rows_is_refused_naming_the_search(tmp_path: Path, capsys) -> None:
    text = "说明\n" * 10 + lines(HEADER, [A, "测甲", "城市", "2024-01-01", "", "500"])
    out, err = run(capsys, "import", "dibao", str(write(tmp_path / "far.csv", text)), code=2)
    assert out == []
    assert "前 10 行" in err and "公民身份号码" in err and "姓名" in err
    assert not ListRecord.objects.exists()


def test_everyday_header_names_and_bracketed_notes(tmp_path: Path, capsys) -> None:
    header = ["身份证号码", "名字", "保障 类别", "起始日期\n(年月日)", "终止日期", "月保障金额（元）"]
    text = lines(header, [A, "测甲", "城市", "2024-01-01", "", "￥1,234.50元"])
    out, _ = run(capsys, "import", "dibao", str(write(tmp_path / "h.csv", text)))
    assert out == ["accepted 1, rejected 0", "not in registry: 1"]
    record = records()[0]
    assert record.amount == Decimal("1234.50") and record.category == "城市"


@pytest.mark.parametrize("alias", ["身份证", "证件号", "身份证号(18位)", "身份证号码", "身份证\u3000号"])
def test_aliases_of_the_id_column(tmp_path: Path, capsys, alias: str) -> None:
    text = lines([alias, "姓名", "起始日期"], [A, "测甲", "2024-01-01"])
    out, _ = run(capsys, "import", "tekun", str(write(tmp_path / "a.csv", text)))
    assert out[0] == "accepted 1, rejected 0"


def test_full_width_and_odd_spaces_are_normalised(tmp_path: Path, capsys) -> None:
    full_width = A.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    lower_x = make_id("14090219900101011")
    text = lines(
        HEADER,
        [full_width, "\u00a0测甲\u200b", "城市", "２０２４－０１－０１", "", "５００"],
        [lower_x.lower().replace("X", "ｘ"), "测乙", "城市", "2024-01-01", "", ""],
        [B[:6] + " " + B[6:], "测丙", "城市", "2024-01-01", "", ""],
    )
    out, _ = run(capsys, "import", "dibao", str(write(tmp_path / "w.csv", text)))
    assert out[0] == "accepted 2, rejected 1"
    names = {r.name for r in records()}
    assert names == {"测甲", "测乙"}
    rejects = read_rejects(tmp_path / "w.rejected.csv")
    assert "空格" in rejects[0]["原因"]


def test_money_with_yuan_signs(tmp_path: Path, capsys) -> None:
    text = lines(
        HEADER,
        [A, "测甲", "城市", "2024-01-01", "", "¥500"],
        [B, "测乙", "城市", "2024-01-01", "", "600元"],
        [C, "测丙", "城市", "2024-01-01", "", "元600"],
    )
    out, _ = run(capsys, "import", "dibao", str(write(tmp_path / "m.csv", text)))
    assert out[0] == "accepted 2, rejected 1"
    assert sorted(r.amount for r in records()) == [Decimal("500"), Decimal("600")]


def test_text_ids_ending_in_000_are_accepted_with_a_warning(tmp_path: Path, capsys) -> None:
    zeros = id_ending_000()
    text = lines(
        HEADER, [zeros, "测甲", "城市", "2024-01-01", "", ""], [A, "测乙", "城市", "2024-01-01", "", ""]
    )
    out, err = run(capsys, "import", "dibao", str(write(tmp_path / "z.csv", text)))
    assert out[0] == "accepted 2, rejected 0"
    assert "1 行" in err and "000" in err


def test_the_rejected_rows_path_is_checked_before_anything_is_written(tmp_path: Path, capsys) -> None:
    text = lines(HEADER, [A, "测甲", "城市", "2024-01-01", "", ""])
    (tmp_path / "file").write_text("x")
    _out, err = run(
        capsys,
        "import",
        "dibao",
        str(write(tmp_path / "p.csv", text)),
        "--rejects",
        str(tmp_path / "file" / "r.csv"),
        code=2,
    )
    assert "被拒绝行文件" in err
    assert not ImportBatch.objects.exists() and not ListRecord.objects.exists()


def test_rejected_rows_file_neutralises_formulas(tmp_path: Path, capsys) -> None:
    text = lines(
        HEADER,
        ['=HYPERLINK("http://x";"y")', "+测甲", "城市", "2024-01-01", "", ""],
        [A, "测乙", "城市", "2024-01-01", "", ""],
    )
    run(capsys, "import", "dibao", str(write(tmp_path / "f.csv", text)))
    row = read_rejects(tmp_path / "f.rejected.csv")[0]
    assert row["公民身份号码"].startswith("'=") and row["姓名"] == "'+测甲"


# --- replacing a list ------------------------------------------------------------------------------


def _list_of(n: int) -> list[list[str]]:
    return [[make_id(f"14090219900101{i:03d}"), f"测{i}", "城市", "2024-01-01", "", ""] for i in range(n)]


def test_a_much_smaller_list_needs_confirmation(tmp_path: Path, capsys) -> None:
    run(capsys, "import", "dibao", str(write(tmp_path / "full.csv", lines(HEADER, *_list_of(10)))))
    small = write(tmp_path / "small.csv", lines(HEADER, *_list_of(4)))
    out, err = run(capsys, "import", "dibao", str(small), code=2)
    assert "4 行" in err and "10 行" in err and "--confirm-shrink" in err
    assert len(records()) == 10
    out, _ = run(capsys, "import", "dibao", str(small), "--confirm-shrink")
    assert out[0] == "accepted 4, rejected 0"
    assert len(records()) == 4
    # Half exactly needs no confirmation.
    half = write(tmp_path / "half.csv", lines(HEADER, *_list_of(2)))
    run(capsys, "import", "dibao", str(half))
    assert len(records()) == 2


def test_a_header_only_file_never_silently_empties_a_list(tmp_path: Path, capsys) -> None:
    run(capsys, "import", "dibao", str(write(tmp_path / "full.csv", lines(HEADER, *_list_of(3)))))
    _out, err = run(capsys, "import", "dibao", str(write(tmp_path / "empty.csv", lines(HEADER))), code=2)
    assert "0 行" in err
    assert len(records()) == 3
    run(capsys, "import", "dibao", str(tmp_path / "empty.csv"), "--confirm-shrink")
    assert records() == []


def test_a_file_whose_every_row_is_rejected_never_becomes_the_list(tmp_path: Path, capsys) -> None:
    run(capsys, "import", "dibao", str(write(tmp_path / "full.csv", lines(HEADER, *_list_of(3)))))
    bad = write(tmp_path / "bad.csv", lines(HEADER, ["1.40902E+17", "测", "城市", "2024-01-01", "", ""]))
    run(capsys, "import", "dibao", str(bad), code=2)
    out, _err = run(capsys, "import", "dibao", str(bad), "--confirm-shrink")
    assert out[0] == "accepted 0, rejected 1"
    assert ImportBatch.objects.filter(status=ImportBatch.Status.ALL_REJECTED).count() == 1
    assert len(records()) == 3


# --- xlsx ------------------------------------------------------------------------------------------


def _book(path: Path) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})


def test_xlsx_hidden_sheet_title_rows_and_notes_are_skipped(tmp_path: Path, capsys) -> None:
    path = tmp_path / "book.xlsx"
    book = _book(path)
    hidden = book.add_worksheet("旧数据")
    hidden.write_row(0, 0, HEADER)
    hidden.write_row(1, 0, [B, "测乙", "城市", "2020-01-01", "", ""])
    notes = book.add_worksheet("说明")
    notes.write(0, 0, "本表由民政局提供")
    sheet = book.add_worksheet("名单")
    sheet.merge_range(0, 0, 0, 5, "2024 年低保名单")
    sheet.write_row(2, 0, HEADER)
    sheet.write_row(3, 0, [A, "测甲", "城市", "2024-01-01", "", "500"])
    notes.activate()
    hidden.hide()
    book.close()
    out, err = run(capsys, "import", "dibao", str(path))
    assert out[0] == "accepted 1, rejected 0"
    assert "名单" in err and "第 3 行" in err
    record = ListRecord.objects.get()
    assert record.name == "测甲" and record.row_number == 4


def test_xlsx_number_cell_ids_are_always_lost_digits(tmp_path: Path, capsys) -> None:
    # An ID rounded by Excel whose check character happens to pass is still rejected.
    rounded = id_ending_000()
    path = tmp_path / "n.xlsx"
    book = _book(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_number(1, 0, float(A))
    sheet.write_row(1, 1, ["测甲", "城市", "2024-01-01"])
    sheet.write_string(2, 0, B)
    sheet.write_row(2, 1, ["测乙", "城市", "2024-01-01"])
    sheet.write_number(3, 0, float(rounded))
    sheet.write_row(3, 1, ["测丙", "城市", "2024-01-01"])
    book.close()
    out, _ = run(capsys, "import", "dibao", str(path))
    assert out[0] == "accepted 1, rejected 2"
    rejects = read_rejects(tmp_path / "n.rejected.csv")
    assert all(r["原因"] == LOST_DIGITS for r in rejects)
    assert records()[0].name == "测乙"


def test_xlsx_date_time_cells_formula_errors_and_merged_cells(tmp_path: Path, capsys) -> None:
    path = tmp_path / "cells.xlsx"
    book = _book(path)
    sheet = book.add_worksheet()
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, [*HEADER, "备注"])
    sheet.write_string(1, 0, A)
    sheet.write_string(1, 1, "测甲")
    sheet.write_datetime(1, 3, dt.datetime(2024, 1, 5, 13, 30), stamp)
    sheet.write_formula(1, 6, "=1/0", None, "#DIV/0!")  # an unknown column: ignored
    sheet.write_string(2, 0, B)
    sheet.write_string(2, 1, "测乙")
    sheet.write_string(2, 3, "2024-01-01")
    sheet.write_formula(2, 5, "=NA()", None, "#N/A")
    sheet.write_string(3, 0, C)
    sheet.merge_range(3, 1, 4, 1, "测丙")
    sheet.write_string(3, 3, "2024-01-01")
    sheet.write_string(4, 0, make_id("14092219800303013"))
    sheet.write_string(4, 3, "2024-01-01")
    book.close()
    out, _ = run(capsys, "import", "dibao", str(path))
    assert out[0] == "accepted 2, rejected 2"
    by_name = {r.name: r for r in records()}
    assert by_name["测甲"].start_date == dt.date(2024, 1, 5)
    assert "测丙" in by_name
    rejects = {r["行号"]: r for r in read_rejects(tmp_path / "cells.rejected.csv")}
    assert "#N/A" in rejects["3"]["原因"] and rejects["3"]["列"] == "月保障金额"
    assert "合并单元格" in rejects["5"]["原因"] and rejects["5"]["列"] == "姓名"


def test_xlsx_refusal_names_the_sheet_and_missing_columns(tmp_path: Path, capsys) -> None:
    path = tmp_path / "wrong.xlsx"
    book = _book(path)
    sheet = book.add_worksheet("花名册")
    sheet.write_row(0, 0, ["公民身份号码", "名称"])
    book.close()
    _, err = run(capsys, "import", "dibao", str(path), code=2)
    assert "花名册" in err and "姓名" in err and "起始日期" in err and "前 10 行" in err


def test_a_broken_xlsx_is_refused_in_chinese(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    _, err = run(capsys, "import", "dibao", str(path), code=2)
    assert "Excel" in err and "calamine" not in err.lower() and "error" not in err.lower()
