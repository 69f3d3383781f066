"""Preparing an import a chunk at a time gives exactly what preparing it in one piece gives:
the same rows accepted and rejected, the same reasons in the same order (checks between rows across
chunk boundaries included), the same rejected-rows file and warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from huican.core.crypto import blind_index
from huican.exchange import preparing, reading
from huican.exchange.pipeline import PreparedFile, prepare, run_import, write_rejects
from huican.registry.models import Person
from tests.exchange.helpers import REGISTRY_HEADER, make_id, registry_row, write_csv

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)
DIBAO = ["公民身份号码", "姓名", "保障类别", "起始日期", "终止日期", "月保障金额", "备注"]


def _id(i: int) -> str:
    return make_id(f"140902{1950 + i % 50:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}")


def _registry_rows() -> list[list[str]]:
    rows = [registry_row(_id(i), household=f"H{i}") for i in range(60)]
    rows[3][3] = "八类"  # a row's own problem
    rows.insert(40, list(rows[5]))  # the same row again, chunks later
    rows.insert(50, registry_row(_id(7), name="另一人", household="H99"))  # the same ID number, other values
    rows.insert(20, [])  # a blank line (not a row)
    rows.insert(30, rows[10][:4])  # too few fields
    rows.insert(33, [rows[12][0] + "乙", *rows[12][1:]])  # another name: the same ID, not the same row
    rows.append(list(rows[0]))  # the very first row, at the very end
    return rows


def _dibao_rows() -> list[list[str]]:
    rows = []
    for i in range(80):
        amount = "1.234" if i % 17 == 0 else str(500 + i)
        rows.append([_id(i % 45), f"测试{i % 13}", "城市", "2024-01-01", "", amount, "" if i % 3 else "注"])
    rows.insert(25, list(rows[2]))
    rows.insert(61, [" " + rows[9][0] + "\u3000", *rows[9][1:]])  # equal after trimming
    rows.insert(70, [rows[11][0][:15] + "000", *rows[11][1:]])
    return rows


def _digest(prepared: PreparedFile, target: Path) -> dict[str, object]:
    write_rejects(prepared, target)
    accepted = prepared.accepted.drop("__person_id")
    return {
        "rows_read": prepared.rows_read,
        "columns": prepared.frame.columns,
        "accepted": accepted.rows(),
        "person_ids": prepared.accepted["__person_id"].to_list(),
        "rejected": prepared.rejected.select("__row", "__columns", "__reasons").rows(),
        "warnings": prepared.warnings,
        "not_in_registry": prepared.not_in_registry,
        "rejects_file": target.read_bytes(),
    }


def _both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str, path: Path) -> dict[str, object]:
    """Prepared in one chunk and in many (chunks of a few rows), its persons looked up by query and
    from the registry's hashes read whole; asserts they are all the same."""
    whole = _digest(prepare(kind, path, today=TODAY), tmp_path / "whole.csv")
    with monkeypatch.context() as patch:
        patch.setattr(reading, "CSV_CHUNK_BYTES", 97)
        patch.setattr(preparing, "CHUNK_ROWS", 7)
        chunked = _digest(prepare(kind, path, today=TODAY), tmp_path / "chunked.csv")
        patch.setattr(preparing, "LOOKUP_LIMIT", 3)  # the first chunks by query, then joined
        mixed = _digest(prepare(kind, path, today=TODAY), tmp_path / "mixed.csv")
    with monkeypatch.context() as patch:
        patch.setattr(preparing, "LOOKUP_LIMIT", 0)
        joined = _digest(prepare(kind, path, today=TODAY), tmp_path / "joined.csv")
    assert chunked == whole
    assert mixed == whole
    assert joined == whole
    return whole


def _reasons(digest: dict[str, object]) -> dict[int, str]:
    return {row: reasons for row, _, reasons in digest["rejected"]}  # type: ignore[attr-defined]


def test_registry_checks_between_rows_cross_chunks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, _registry_rows())
    digest = _both(monkeypatch, tmp_path, "registry", path)
    reasons = _reasons(digest)
    # Row 2 is the first data row, row 7 is rows[5]; the blank line is not a row.
    assert digest["rows_read"] == 65
    assert reasons[5].startswith("残疾类别应为")
    assert reasons[32].startswith("字段数与表头不符")
    assert reasons[35] == "身份证号与第 14 行重复"
    assert reasons[45] == "身份证号与第 7 行重复；与第 7 行完全相同（重复行）"
    assert reasons[55] == "身份证号与第 9 行重复"
    assert reasons[67] == "身份证号与第 2 行重复；与第 2 行完全相同（重复行）"
    assert len(reasons) == 6


def test_list_rows_and_rejects_file_cross_chunks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", DIBAO, _dibao_rows())
    digest = _both(monkeypatch, tmp_path, "dibao", path)
    reasons = _reasons(digest)
    assert reasons[27] == "与第 4 行完全相同（重复行）"
    assert reasons[63] == "与第 11 行完全相同（重复行）"
    assert reasons[72].startswith("身份证号已被 Excel 转成数字")
    # The same file in GB18030 with CRLF line ends (parsed from its decoded bytes) gives the same.
    other = tmp_path / "gb.csv"
    other.write_bytes(path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("gb18030"))
    assert _both(monkeypatch, tmp_path, "dibao", other)["rejected"] == digest["rejected"]


def test_survey_unique_and_registry_match_cross_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registry = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(_id(i)) for i in range(30)])
    run_import(kind="registry", path=registry)
    rows = [
        [_id(i % 40), "2024" if i < 45 else "2025", str(1 + i % 7), "12000", "是", "就业"] for i in range(60)
    ]
    path = write_csv(
        tmp_path / "s.csv",
        ["公民身份号码", "调查年度", "家庭人口数", "家庭人均年收入", "需要长期照护", "就业状况"],
        rows,
    )
    digest = _both(monkeypatch, tmp_path, "survey", path)
    reasons = _reasons(digest)
    assert reasons[42] == "同一人同一调查年度已在第 2 行出现"
    assert reasons[35] == "不在残疾人名册中（not in the registry）"
    assert len(digest["accepted"]) == 30 + 15  # type: ignore[arg-type]
    persons = dict(Person.objects.values_list("id_hash", "id"))
    columns = [c for c in digest["columns"] if c != "__person_id"]  # type: ignore[attr-defined]
    numbers = [row[columns.index("公民身份号码")] for row in digest["accepted"]]  # type: ignore[attr-defined]
    assert digest["person_ids"] == [persons[blind_index(number)] for number in numbers]


def test_hash_collisions_never_make_a_duplicate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, _registry_rows())
    expected = _both(monkeypatch, tmp_path, "registry", path)
    hashed = preparing._Preparation._hash
    # Three hash values for every key: nearly every row shares its hash with another.
    monkeypatch.setattr(
        preparing._Preparation, "_hash", lambda self, repeat: (hashed(self, repeat) % 3).alias(repeat.name)
    )
    assert _both(monkeypatch, tmp_path, "registry", path) == expected


def test_xlsx_in_chunks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, DIBAO)
    for r, row in enumerate(_dibao_rows(), start=1):
        sheet.write_row(r, 0, row)
    sheet.write_number(30, 0, 140902195001010000)
    sheet.write_formula(40, 5, "=NA()", None, "#N/A")
    book.close()
    reasons = _reasons(_both(monkeypatch, tmp_path, "dibao", path))
    assert reasons[31].startswith("身份证号已被 Excel 转成数字")
    assert reasons[41].startswith("单元格是公式错误 #N/A")


def test_quoted_csv_and_whole_fallback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = _dibao_rows()
    rows[4][1] = "测,试"  # a quoted field: read whole by the csv module
    path = write_csv(tmp_path / "q.csv", DIBAO, rows)
    assert b'"' in path.read_bytes()
    digest = _both(monkeypatch, tmp_path, "dibao", path)
    assert _reasons(digest)[27] == "与第 4 行完全相同（重复行）"
    # A chunk that polars does not read one row a line falls back to the whole file.
    calls = []
    original = reading._parse_lines

    def failing(data: bytes, skip_lines: int, width: int) -> tuple[pl.DataFrame, pl.Series] | None:
        calls.append(1)
        return None if len(calls) == 3 else original(data, skip_lines, width)

    plain = write_csv(tmp_path / "p.csv", DIBAO, _dibao_rows())
    expected = _digest(prepare("dibao", plain, today=TODAY), tmp_path / "e.csv")
    monkeypatch.setattr(reading, "_parse_lines", failing)
    monkeypatch.setattr(reading, "CSV_CHUNK_BYTES", 200)
    assert _digest(prepare("dibao", plain, today=TODAY), tmp_path / "f.csv") == expected
