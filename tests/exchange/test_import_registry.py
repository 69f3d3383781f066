"""`huican import registry` per FORMATS.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from huican.cli import main
from huican.exchange.models import ImportBatch
from huican.registry.models import Person
from tests.exchange.helpers import REGISTRY_HEADER, make_id, read_rejects, registry_row, write_csv

pytestmark = pytest.mark.django_db

A = make_id("14090219900101001")
B = make_id("14098119500505002")
C = make_id("14097120150301003")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_accepts_valid_rows_and_prints_the_counts(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(A), registry_row(B, household="H2")])
    code, out, _ = run(capsys, "import", "registry", str(path))
    assert code == 0
    assert out.splitlines()[0] == "accepted 2, rejected 0"
    person = Person.objects.get(id_masked=A[:4] + "**********" + A[-4:])
    assert person.birth_date == dt.date(1990, 1, 1)
    assert person.sex == "男"
    assert (person.category, person.grade) == (4, 1)
    assert person.county_code == "140902" and person.township_code == "140902001"
    assert person.id_number_encrypted and A not in person.id_number_encrypted


def test_it_reports_every_problem_of_a_row_with_the_spreadsheet_row_number(tmp_path: Path, capsys) -> None:
    bad = registry_row(
        make_id("14090219910101001"),
        category="听障",
        grade="五级",
        issue="2099-01-01",
        region="110101",
        urban="郊区",
    )
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(A), bad])
    code, out, _ = run(capsys, "import", "registry", str(path))
    assert code == 0
    assert "accepted 1, rejected 1" in out
    rejects = read_rejects(tmp_path / "r.rejected.csv")
    assert list(rejects[0])[:3] == ["行号", "列", "原因"]
    assert rejects[0]["行号"] == "3"
    columns = rejects[0]["列"].split("；")
    reasons = rejects[0]["原因"].split("；")
    assert len(columns) == len(reasons)
    for column in ("残疾类别", "残疾等级", "发证日期", "户籍地区划代码", "城乡类别"):
        assert column in columns
    assert rejects[0]["姓名"] == "测甲"  # original columns follow


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [
        ("36042619910102009X", "校验码"),
        ("1.40902E+17", "丢失"),
        ("140902199001010000", "丢失"),
        ("140902900101001", "15 位"),
        (make_id("14090219900230001"), "出生日期"),
        (make_id("14090220990101001"), "未来"),
        ("14090219900101001", "18 位"),
    ],
)
def test_it_rejects_bad_id_numbers(tmp_path: Path, capsys, id_number: str, reason: str) -> None:
    row = registry_row(A)
    row[1] = id_number
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [row])
    run(capsys, "import", "registry", str(path))
    rejects = read_rejects(tmp_path / "r.rejected.csv")
    assert len(rejects) == 1 and reason in rejects[0]["原因"]


def test_lower_case_x_is_stored_as_upper_case(tmp_path: Path, capsys) -> None:
    assert C.endswith("X")
    path = write_csv(
        tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(C.lower(), category="智力", grade="四级")]
    )
    _code, out, _ = run(capsys, "import", "registry", str(path))
    assert "accepted 1, rejected 0" in out
    assert Person.objects.get().id_masked.endswith("003X")


def test_certificate_must_be_id_plus_category_plus_grade(tmp_path: Path, capsys) -> None:
    row = registry_row(A)
    row[2] = A + "11"
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [row])
    run(capsys, "import", "registry", str(path))
    assert "残疾人证号" in read_rejects(tmp_path / "r.rejected.csv")[0]["列"]


def test_status_other_than_normal_needs_a_date_and_sex_birth_must_agree(tmp_path: Path, capsys) -> None:
    header = [*REGISTRY_HEADER, "证件状态", "状态变更日期", "性别", "出生日期"]
    rows = [
        [*registry_row(A), "死亡", "", "", ""],
        [*registry_row(B), "", "", "男", ""],
        [*registry_row(C, category="智力"), "", "", "", "2015-03-02"],
        [*registry_row(make_id("14090219800101002")), "迁出", "2023年5月1日", "女", "19800101"],
    ]
    path = write_csv(tmp_path / "r.csv", header, rows)
    _, out, _ = run(capsys, "import", "registry", str(path))
    assert "accepted 1, rejected 3" in out
    reasons = {r["行号"]: r["原因"] for r in read_rejects(tmp_path / "r.rejected.csv")}
    assert "状态变更日期" in reasons["2"]
    assert "性别" in reasons["3"]
    assert "出生日期" in reasons["4"]


def test_a_repeated_id_number_is_rejected_naming_the_first_row(tmp_path: Path, capsys) -> None:
    row = registry_row(A)
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [row, registry_row(A, name="测乙")])
    _, out, _ = run(capsys, "import", "registry", str(path))
    assert "accepted 1, rejected 1" in out
    assert "第 2 行" in read_rejects(tmp_path / "r.rejected.csv")[0]["原因"]


def test_headers_aliases_spaces_unknown_columns_and_gb18030(tmp_path: Path, capsys) -> None:
    header = [" 姓名\u3000", "身份证号", *REGISTRY_HEADER[2:], "备注", "其他"]
    row = registry_row(A)
    row[0] = "\u3000测甲 "
    path = write_csv(tmp_path / "r.csv", header, [[*row, "x", "y"]], encoding="gb18030")
    code, out, _ = run(capsys, "import", "registry", str(path))
    assert code == 0
    assert out.splitlines() == ["accepted 1, rejected 0", "unknown columns: 备注, 其他"]
    assert Person.objects.get().name == "测甲"


def test_utf8_bom_is_read(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(A)], encoding="utf-8-sig")
    _, out, _ = run(capsys, "import", "registry", str(path))
    assert "accepted 1, rejected 0" in out


def test_missing_required_column_refuses_the_file_with_exit_2(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER[:-2], [registry_row(A)[:-2]])
    code, _out, err = run(capsys, "import", "registry", str(path))
    assert code == 2
    assert "城乡类别" in err and "户编号" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert Person.objects.count() == 0


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\xff\xfe\x00garbage"])
def test_unreadable_files_exit_2(tmp_path: Path, capsys, content: bytes) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    code, _, err = run(capsys, "import", "registry", str(path))
    assert code == 2 and err.startswith("huican: ")
    code, _, err = run(capsys, "import", "registry", str(tmp_path / "missing.csv"))
    assert code == 2


def test_unknown_kind_is_a_usage_error(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(A)])
    code, _, err = run(capsys, "import", "nonsense", str(path))
    assert code == 2 and "nonsense" in err


def test_reimport_is_idempotent_and_a_changed_row_updates_the_person(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(A), registry_row(B)])
    run(capsys, "import", "registry", str(path))
    before = list(Person.objects.order_by("id").values_list("id", "name", "grade", "updated_at"))
    run(capsys, "import", "registry", str(path))
    assert list(Person.objects.order_by("id").values_list("id", "name", "grade", "updated_at")) == before
    changed = write_csv(tmp_path / "r2.csv", REGISTRY_HEADER, [registry_row(A, grade="二级", name="测丙")])
    run(capsys, "import", "registry", str(changed))
    person = Person.objects.get(pk=before[0][0])
    assert (person.name, person.grade) == ("测丙", 2)
    assert Person.objects.count() == 2
    batch = ImportBatch.objects.filter(kind="registry").order_by("-id").first()
    assert batch is not None and batch.updated == 1 and batch.checksum


def test_unknown_township_is_created_and_flagged(tmp_path: Path, capsys) -> None:
    from huican.regions.models import Region

    path = write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(A, region="140902777888")])
    run(capsys, "import", "registry", str(path))
    village = Region.objects.get(code="140902777888")
    assert village.needs_naming and village.parent_id == "140902777"


def test_xlsx_with_date_cells_and_an_id_number_excel_turned_into_a_number(tmp_path: Path, capsys) -> None:
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, REGISTRY_HEADER)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    good = registry_row(A)
    sheet.write_row(1, 0, good)
    sheet.write_datetime(1, 5, dt.datetime(2020, 3, 1), date_format)
    lost = registry_row(B)
    sheet.write_row(2, 0, lost)
    sheet.write_number(2, 1, float(B[:-3] + "000"))
    book.close()
    code, out, _ = run(
        capsys, "import", "registry", str(path), "--rejects", str(tmp_path / "out" / "rej.csv")
    )
    assert code == 0 and "accepted 1, rejected 1" in out
    assert Person.objects.get().issue_date == dt.date(2020, 3, 1)
    assert "丢失" in read_rejects(tmp_path / "out" / "rej.csv")[0]["原因"]
