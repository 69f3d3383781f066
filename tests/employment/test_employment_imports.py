"""The `employers`, `employer_staff` and `levy_standards` imports (EMPLOYMENT.md, FORMATS.md rules):
good rows, each rejection with its row and column, the `not in registry` line, replacement of a
declaration by a later one, idempotent re-import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from stdnum.cn import uscc

from huican.cli import main
from huican.employment.models import Declaration, DeclaredPerson, LevyStandard
from huican.exchange.validation import credit_code_check_ok
from tests.exchange.helpers import read_rejects, write_csv
from tests.factories import credit_code, id_number, id_number_of, make_person

ENTERPRISE = credit_code("91140902MA0H12345")
AUTHORITY = credit_code("11140900MB1523456")
UNION = credit_code("N2140900MC0012345")  # letter-coded authority: python-stdnum's validate refuses it
OTHER = credit_code("Y1140900MJ1234567")

EMPLOYERS = [
    "统一社会信用代码",
    "单位名称",
    "统计年度",
    "单位类型",
    "在职职工人数",
    "在职职工年平均工资",
    "区划代码",
    "编制数",
    "是否学校幼儿园",
]
STAFF = ["统一社会信用代码", "统计年度", "公民身份号码", "姓名", "劳动合同起始日期", "劳动合同终止日期"]
STANDARDS = [
    "统计年度",
    "区划代码",
    "社会平均工资",
    "安排比例",
    "就业年龄下限",
    "就业年龄上限",
    "分档减缴",
    "小微企业免征人数",
]


def _import(capsys, kind, path):
    assert main(["import", kind, str(path)]) == 0
    return capsys.readouterr().out.splitlines()


def _employers(tmp_path, rows, name="employers.csv"):
    return write_csv(tmp_path / name, EMPLOYERS, rows)


def test_credit_codes_of_both_kinds():
    assert credit_code_check_ok(ENTERPRISE) and uscc.is_valid(ENTERPRISE)
    assert credit_code_check_ok(UNION) and not uscc.is_valid(UNION)
    assert credit_code_check_ok(OTHER)
    wrong = UNION[:17] + ("0" if UNION[17] != "0" else "1")
    assert not credit_code_check_ok(wrong)


def test_employers_rows_accepted_and_rejected(db, tmp_path, capsys):
    path = _employers(
        tmp_path,
        [
            [ENTERPRISE, "甲公司", "2025", "企业", "120.5", "65000", "140902", "", ""],
            [UNION, "总工会", "2025", "社会团体", "40", "90000.00", "140900", "", ""],
            [AUTHORITY.lower(), "某局", "2025", "机关", "60", "120000", "140921", "55", "否"],
            [ENTERPRISE, "甲公司重复", "2025", "企业", "120", "65000", "140902", "", ""],
            [
                UNION[:17] + ("0" if UNION[17] != "0" else "1"),
                "错码",
                "2025",
                "企业",
                "1",
                "1",
                "140902",
                "",
                "",
            ],
            [OTHER, "乙", "2024", "公司", "12.55", "1", "110101", "", ""],
            [OTHER, "丙", "2025", "企业", "12.50", "1", "140902", "", ""],
            [OTHER[:10] + "IO" + OTHER[12:], "丁", "2024", "企业", "", "1", "140902", "", ""],
        ],
    )
    assert _import(capsys, "employers", path) == ["accepted 4, rejected 4"]
    rejects = {int(r["行号"]): r for r in read_rejects(tmp_path / "employers.rejected.csv")}
    assert set(rejects) == {5, 6, 7, 9}
    assert rejects[5]["原因"] == "同一统一社会信用代码和统计年度已在第 2 行出现"
    assert rejects[5]["列"] == "统计年度" and "第 2 行" in rejects[5]["原因"]
    assert rejects[6]["原因"] == "统一社会信用代码校验位不正确"
    assert rejects[7]["列"] == "单位类型；在职职工人数；区划代码"
    assert "最多保留一位小数" in rejects[7]["原因"]
    assert "18 位" in rejects[9]["原因"] and "在职职工人数" in rejects[9]["列"]
    stored = {d.credit_code: d for d in Declaration.objects.all()}
    assert set(stored) == {ENTERPRISE, UNION, AUTHORITY, OTHER}
    assert stored[ENTERPRISE].staff == Decimal("120.5")
    assert stored[AUTHORITY].established_posts == 55 and stored[AUTHORITY].is_school is False
    assert stored[OTHER].staff == Decimal("12.5")


def test_a_later_employers_row_replaces_the_declaration(db, tmp_path, capsys):
    _import(
        capsys,
        "employers",
        _employers(tmp_path, [[ENTERPRISE, "甲", "2025", "企业", "100", "60000", "140902", "", ""]]),
    )
    _import(
        capsys,
        "employers",
        _employers(
            tmp_path, [[ENTERPRISE, "甲公司", "2025", "企业", "80", "60000", "140902", "", ""]], "b.csv"
        ),
    )
    (declaration,) = Declaration.objects.all()
    assert declaration.name == "甲公司" and declaration.staff == 80


def _staff_setup(tmp_path, capsys):
    _import(
        capsys,
        "employers",
        _employers(tmp_path, [[ENTERPRISE, "甲", "2025", "企业", "100", "60000", "140902", "", ""]]),
    )


def test_employer_staff_rows_and_not_in_registry(db, tmp_path, capsys):
    _staff_setup(tmp_path, capsys)
    known = id_number_of(make_person())
    stranger = id_number("140902", dt.date(1985, 3, 3), 777)
    path = write_csv(
        tmp_path / "staff.csv",
        STAFF,
        [
            [ENTERPRISE, "2025", known, "测试人", "2024-01-01", ""],
            [ENTERPRISE, "2025", stranger, "陌生人", "2025/03/01", "2026-02-28"],
            [OTHER, "2025", known, "测试人", "2024-01-01", ""],
            [ENTERPRISE, "2024", known, "测试人", "2024-01-01", ""],
            [ENTERPRISE, "2025", known, "测试人", "2024-02-01", ""],
            [
                ENTERPRISE,
                "2025",
                id_number("140902", dt.date(1990, 1, 1), 5),
                "某",
                "2025-05-01",
                "2025-04-30",
            ],
        ],
    )
    assert _import(capsys, "employer_staff", path) == ["accepted 2, rejected 4", "not in registry: 1"]
    rejects = {int(r["行号"]): r for r in read_rejects(tmp_path / "staff.rejected.csv")}
    assert set(rejects) == {4, 5, 6, 7}
    assert "没有已接受的单位申报" in rejects[4]["原因"] and rejects[4]["列"] == "统一社会信用代码"
    assert "没有已接受的单位申报" in rejects[5]["原因"]
    assert "第 2 行" in rejects[6]["原因"]
    assert rejects[7]["列"] == "劳动合同终止日期"
    persons = DeclaredPerson.objects.order_by("id")
    assert [(p.name, p.contract_start, p.contract_end) for p in persons] == [
        ("测试人", dt.date(2024, 1, 1), None),
        ("陌生人", dt.date(2025, 3, 1), dt.date(2026, 2, 28)),
    ]


def test_a_later_staff_declaration_replaces_the_persons_and_a_reimport_changes_nothing(db, tmp_path, capsys):
    _staff_setup(tmp_path, capsys)
    first, second = (id_number_of(make_person()) for _ in range(2))
    path = write_csv(tmp_path / "a.csv", STAFF, [[ENTERPRISE, "2025", first, "测试人", "2024-01-01", ""]])
    _import(capsys, "employer_staff", path)
    ids = list(DeclaredPerson.objects.values_list("id", flat=True))
    _import(capsys, "employer_staff", path)
    assert list(DeclaredPerson.objects.values_list("id", flat=True)) == ids
    later = write_csv(tmp_path / "b.csv", STAFF, [[ENTERPRISE, "2025", second, "测试人", "2024-01-01", ""]])
    _import(capsys, "employer_staff", later)
    (person,) = DeclaredPerson.objects.all()
    assert person.id_masked == DeclaredPerson(id_masked=person.id_masked).id_masked
    from huican.core.crypto import decrypt

    assert decrypt(person.id_number_encrypted) == second


def test_levy_standards_rows_and_blank_defaults(db, tmp_path, capsys):
    path = write_csv(
        tmp_path / "levy.csv",
        STANDARDS,
        [
            ["2025", "140900", "85000", "", "", "", "", ""],
            ["2025", "140902", "70000.50", "0.017", "18", "60", "否", "20"],
            ["2025", "140902", "70000", "", "", "", "", ""],
            ["2025", "110101", "1.234", "2", "", "", "可能", ""],
        ],
    )
    assert _import(capsys, "levy_standards", path) == ["accepted 2, rejected 2"]
    rejects = {int(r["行号"]): r for r in read_rejects(tmp_path / "levy.rejected.csv")}
    assert "第 3 行" in rejects[4]["原因"]
    assert rejects[5]["列"] == "区划代码；社会平均工资；安排比例；分档减缴"
    city = LevyStandard.objects.get(region_code="140900")
    assert (city.ratio, city.age_min, city.age_max, city.tiered, city.small_exempt) == (None,) * 5
    county = LevyStandard.objects.get(region_code="140902")
    assert county.social_average_wage == Decimal("70000.50")
    assert (county.ratio, county.age_min, county.age_max, county.tiered, county.small_exempt) == (
        Decimal("0.017"),
        18,
        60,
        False,
        20,
    )


def test_missing_required_column_refuses_the_file(db, tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", STAFF[:3], [[ENTERPRISE, "2025", "x"]])
    assert main(["import", "employer_staff", str(path)]) == 2
    assert "公民身份号码" not in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["employers", "employer_staff", "levy_standards"])
def test_kinds_are_in_the_import_order(kind):
    from huican.exchange.kinds import IMPORT_ORDER

    assert kind in IMPORT_ORDER


def test_a_lower_case_code_is_the_same_employer(db, tmp_path, capsys):
    path = _employers(
        tmp_path,
        [
            [ENTERPRISE.lower(), "甲", "2025", "企业", "100", "60000", "140902", "", ""],
            [ENTERPRISE, "甲", "2025", "企业", "90", "60000", "140902", "", ""],
        ],
    )
    assert _import(capsys, "employers", path) == ["accepted 1, rejected 1"]
    assert Declaration.objects.get().credit_code == ENTERPRISE
