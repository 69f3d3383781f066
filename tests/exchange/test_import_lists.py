"""Survey, departmental lists, services, subsidy roll and standards imports (FORMATS.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from huican.cli import main
from huican.exchange.models import ImportBatch, ListRecord
from huican.exchange.snapshots import active_batch_ids
from huican.policy.models import Standard
from huican.registry.models import Survey
from tests.exchange.helpers import REGISTRY_HEADER, make_id, read_rejects, registry_row, write_csv

pytestmark = pytest.mark.django_db

A = make_id("14090219900101001")
B = make_id("14098119500505002")
OUTSIDER = make_id("11010119800101003")


@pytest.fixture
def registry(tmp_path: Path, capsys) -> None:
    path = write_csv(
        tmp_path / "registry.csv", REGISTRY_HEADER, [registry_row(A), registry_row(B, household="H2")]
    )
    assert main(["import", "registry", str(path)]) == 0
    capsys.readouterr()


def run(capsys, *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    return capsys.readouterr().out.splitlines()


def test_survey_rows_outside_the_registry_and_repeated_years_are_rejected(
    registry, tmp_path: Path, capsys
) -> None:
    header = [
        "公民身份号码",
        "调查年度",
        "家庭人口数",
        "家庭人均年收入",
        "需要长期照护",
        "康复需求",
        "就业状况",
    ]
    rows = [
        [A, "2024", "3", "7800", "是", "是", "未就业"],
        [A, "2024", "3", "7900", "是", "", "未就业"],
        [OUTSIDER, "2024", "1", "5000", "否", "", ""],
        [B, "2024", "2", "12.345", "也许", "", "退休"],
        [B, "2023", "2", "9000.5", "", "否", ""],
    ]
    out = run(capsys, "import", "survey", str(write_csv(tmp_path / "s.csv", header, rows)))
    assert out == ["accepted 2, rejected 3"]
    reasons = {r["行号"]: r["原因"] for r in read_rejects(tmp_path / "s.rejected.csv")}
    assert "第 2 行" in reasons["3"]
    assert "not in the registry" in reasons["4"]
    assert (
        "两位小数" in reasons["5"]
        and "是/否" in reasons["5"]
        and "就业/未就业" in reasons["5"].replace("、", "/")
    )
    survey = Survey.objects.get(year=2024)
    assert survey.income == Decimal("7800") and survey.long_term_care is True and survey.rehab_need is True
    assert Survey.objects.get(year=2023).long_term_care is None


def test_a_list_accepts_unknown_people_counts_them_and_flags_duplicates(
    registry, tmp_path: Path, capsys
) -> None:
    header = ["公民身份号码", "姓名", "保障类别", "起始日期", "终止日期", "月保障金额"]
    rows = [
        [A, "测甲", "农村", "2021-01-01", "", "450"],
        [OUTSIDER, "外人", "城市", "2021/1/1", "2023-12-31", "600.50"],
        [A, "测甲", "农村", "2021-01-01", "", "450"],
        [B, "测乙", "乡村", "2021-13-01", "2020-01-01", "abc"],
    ]
    out = run(capsys, "import", "dibao", str(write_csv(tmp_path / "d.csv", header, rows)))
    assert out == ["accepted 2, rejected 2", "not in registry: 1"]
    reasons = {r["行号"]: r["原因"] for r in read_rejects(tmp_path / "d.rejected.csv")}
    assert "第 2 行" in reasons["4"]
    assert "取值不在规定范围" in reasons["5"] and "日期无法识别" in reasons["5"] and "金额" in reasons["5"]
    records = ListRecord.objects.filter(kind="dibao").order_by("row_number")
    assert [r.in_registry for r in records] == [True, False]
    assert records[1].end_date == dt.date(2023, 12, 31) and records[1].amount == Decimal("600.50")


def test_the_same_list_file_twice_changes_nothing_and_a_new_snapshot_supersedes(
    registry, tmp_path: Path, capsys
) -> None:
    header = ["公民身份号码", "姓名", "起始日期"]
    first = write_csv(tmp_path / "t1.csv", header, [[A, "测甲", "2021-01-01"]])
    run(capsys, "import", "tekun", str(first))
    run(capsys, "import", "tekun", str(first))
    assert ListRecord.objects.filter(kind="tekun").count() == 1
    assert ImportBatch.objects.filter(kind="tekun", status="unchanged").count() == 1
    second = write_csv(tmp_path / "t2.csv", header, [[B, "测乙", "2022-01-01"]])
    run(capsys, "import", "tekun", str(second))
    active = active_batch_ids("tekun", timezone.localdate())
    assert list(ListRecord.objects.filter(batch_id__in=active).values_list("name", flat=True)) == ["测乙"]
    assert ListRecord.objects.filter(kind="tekun").count() == 2  # the older snapshot stays readable


def test_subsidy_recipients_need_the_registry_and_read_months(registry, tmp_path: Path, capsys) -> None:
    header = ["公民身份号码", "姓名", "补贴类型", "起始月份", "终止月份", "月标准"]
    rows = [
        [A, "测甲", "护理补贴", "2022-03", "", "100"],
        [OUTSIDER, "外人", "生活补贴", "2022-03", "", "80"],
        [B, "测乙", "生活补贴", "2022-13", "", ""],
    ]
    out = run(capsys, "import", "subsidy_recipients", str(write_csv(tmp_path / "sr.csv", header, rows)))
    assert out == ["accepted 1, rejected 2"]
    record = ListRecord.objects.get(kind="subsidy_recipients")
    assert record.start_date == dt.date(2022, 3, 1) and record.category == "护理补贴"


def test_services_accept_children_without_certificates_and_accumulate(
    registry, tmp_path: Path, capsys
) -> None:
    header = ["公民身份号码", "服务类型", "服务日期", "结果"]
    out = run(
        capsys,
        "import",
        "services",
        str(
            write_csv(
                tmp_path / "v1.csv",
                header,
                [
                    [A, "康复服务", "2024-05-01", ""],
                    [OUTSIDER, "辅具适配", "2024-06-01", "完成"],
                    [A, "按摩", "2024-05-01", ""],
                ],
            )
        ),
    )
    assert out == ["accepted 2, rejected 1", "not in registry: 1"]
    run(
        capsys,
        "import",
        "services",
        str(
            write_csv(
                tmp_path / "v2.csv",
                header,
                [[A, "康复服务", "2024-05-01", ""], [B, "无障碍改造", "2023-01-05", "完成"]],
            )
        ),
    )
    assert ListRecord.objects.filter(kind="services").count() == 3
    assert len(active_batch_ids("services", timezone.localdate())) == 2


@pytest.mark.parametrize(
    ("kind", "header", "good", "bad", "reason"),
    [
        (
            "pension",
            ["公民身份号码", "姓名", "参保年度", "险种", "参保状态"],
            [A, "测甲", "2024", "城乡居民", ""],
            [A, "测甲", "24年", "农保", "停保"],
            "年度",
        ),
        (
            "medical",
            ["公民身份号码", "姓名", "参保年度", "险种"],
            [A, "测甲", "2024", "职工"],
            [A, "测甲", "2024", "商业"],
            "取值",
        ),
        (
            "enrolment",
            ["公民身份号码", "姓名", "学年", "学校", "就读方式"],
            [A, "测甲", "2024-2025", "某校", "随班就读"],
            [A, "测甲", "2024-2026", "", ""],
            "学年",
        ),
        (
            "deaths",
            ["公民身份号码", "姓名", "死亡日期"],
            [A, "测甲", "2024年3月2日"],
            [A, "测甲", "昨天"],
            "日期",
        ),
        (
            "orphan",
            ["公民身份号码", "姓名", "起始日期", "终止日期"],
            [A, "测甲", "20200101", ""],
            [A, "", "20200101", ""],
            "必填",
        ),
        (
            "elderly_care",
            ["公民身份号码", "姓名", "起始日期", "月金额"],
            [A, "测甲", "2020-01-01", "100"],
            [A, "测甲", "2020-01-01", "-5"],
            "金额",
        ),
        (
            "injury_care",
            ["公民身份号码", "姓名", "起始日期"],
            [A, "测甲", "2020-01-01"],
            ["1.40902E+17", "测甲", "2020-01-01"],
            "丢失",
        ),
        (
            "tekun",
            ["公民身份号码", "姓名", "起始日期", "供养方式"],
            [A, "测甲", "2020-01-01", "集中"],
            [A, "测甲", "2020-01-01", "机构"],
            "取值",
        ),
    ],
)
def test_every_list_kind_validates_its_columns(
    registry, tmp_path: Path, capsys, kind, header, good, bad, reason
) -> None:
    out = run(capsys, "import", kind, str(write_csv(tmp_path / f"{kind}.csv", header, [good, bad])))
    assert out == ["accepted 1, rejected 1", "not in registry: 0"]
    assert reason in read_rejects(tmp_path / f"{kind}.rejected.csv")[0]["原因"]


def test_standards_defaults_duplicates_and_update(tmp_path: Path, capsys) -> None:
    header = [
        "区划代码",
        "生效日期",
        "城市低保标准",
        "农村低保标准",
        "生活补贴标准",
        "一级护理补贴标准",
        "二级护理补贴标准",
        "低保边缘倍数",
        "生活补贴含低保边缘",
        "儿童康复救助年龄上限",
    ]
    rows = [
        ["140900", "2024-01-01", "700", "550", "90", "110", "90", "", "", ""],
        ["140902", "2024-01-01", "720", "560", "95", "115", "95", "2", "是", "17"],
        ["140902", "2024/1/1", "720", "560", "95", "115", "95", "2", "是", "17"],
        ["110100", "2024-01-01", "720", "560", "95", "115", "95", "x", "也许", "99"],
    ]
    out = run(capsys, "import", "standards", str(write_csv(tmp_path / "st.csv", header, rows)))
    assert out == ["accepted 2, rejected 2"]
    city = Standard.objects.get(region_code="140900")
    assert city.near_poor_multiple == Decimal("1.5") and city.child_rehab_max_age == 6
    assert city.topup_rate == Decimal("0.05") and city.living_includes_near_poor is False
    county = Standard.objects.get(region_code="140902")
    assert county.living_includes_near_poor is True and county.child_rehab_max_age == 17
    assert county.near_poor_multiple == Decimal("2")


def test_a_nul_character_inside_a_cell_rejects_the_row(tmp_path: Path, capsys) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(f"公民身份号码,姓名,起始日期\n{A},测\x00甲,2020-01-01\n{B},测乙,2020-01-01\n".encode())
    assert run(capsys, "import", "tekun", str(path)) == ["accepted 1, rejected 1", "not in registry: 1"]
    assert "控制字符" in read_rejects(tmp_path / "nul.rejected.csv")[0]["原因"]


@pytest.mark.parametrize("read_whole", [False, True], ids=["by-person", "whole-table"])
def test_a_survey_reimport_changes_only_changed_rows(
    registry, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, read_whole: bool
) -> None:
    from huican.exchange import writers

    if read_whole:  # the stored rows read as a whole table (a survey of most of the city)
        monkeypatch.setattr(writers, "SURVEYS_READ_WHOLE", 0)
    header = [
        "公民身份号码",
        "调查年度",
        "家庭人口数",
        "家庭人均年收入",
        "需要长期照护",
        "康复需求",
        "就业状况",
    ]
    rows = [[A, "2024", "3", "7800.5", "是", "否", "未就业"], [B, "2024", "", "9000", "", "", ""]]
    run(capsys, "import", "survey", str(write_csv(tmp_path / "s.csv", header, rows)))
    first = ImportBatch.objects.filter(kind="survey").order_by("-id").first()
    assert first is not None and (first.created, first.updated) == (2, 0)
    run(capsys, "import", "survey", str(write_csv(tmp_path / "s2.csv", header, rows)))
    again = ImportBatch.objects.filter(kind="survey").order_by("-id").first()
    assert again is not None and (again.created, again.updated) == (0, 0)
    assert set(Survey.objects.values_list("batch_id", flat=True)) == {first.pk}
    rows[1][4] = "是"
    run(capsys, "import", "survey", str(write_csv(tmp_path / "s3.csv", header, rows)))
    last = ImportBatch.objects.filter(kind="survey").order_by("-id").first()
    assert last is not None and (last.created, last.updated) == (0, 1)
    assert Survey.objects.get(income=Decimal("9000")).long_term_care is True
    assert Survey.objects.get(income=Decimal("7800.50")).long_term_care is True


def test_a_person_on_many_rows_is_hashed_once_and_every_row_keeps_its_own_number(
    registry, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list names a person on several rows, chunks apart: the keyed hash is computed once per
    distinct ID number in the whole file, and every stored row decrypts to its number. The table
    is written in the order of the keyed hash; the columnar copy keeps the file's order."""
    from huican.core import crypto
    from huican.exchange import columnar, preparing, reading

    hashed: list[str] = []
    original = crypto.blind_index_many

    def counting(values):  # type: ignore[no-untyped-def]
        values = list(values)
        hashed.extend(values)
        return original(values)

    monkeypatch.setattr(preparing, "blind_index_many", counting)
    monkeypatch.setattr(reading, "CSV_CHUNK_BYTES", 120)  # a few rows a chunk
    header = ["公民身份号码", "姓名", "险种", "参保年度", "参保状态"]
    people = [A, B, OUTSIDER]
    rows = [[people[i % 3], f"人{i % 3}", "城乡居民", str(2015 + i), "参保缴费"] for i in range(9)]
    out = run(capsys, "import", "pension", str(write_csv(tmp_path / "p.csv", header, rows)))
    assert out[0] == "accepted 9, rejected 0"
    assert sorted(hashed) == sorted(people)
    records = list(ListRecord.objects.filter(kind="pension").order_by("id"))
    assert [r.id_hash for r in records] == sorted(r.id_hash for r in records)
    numbers = {r.row_number: crypto.decrypt(r.id_number_encrypted) for r in records}
    assert numbers == {2 + i: people[i % 3] for i in range(9)}
    assert {r.id_masked for r in records} == {crypto.mask_id_number(p) for p in people}
    copy = columnar.read([records[0].batch_id])
    assert copy["row_number"].to_list() == list(range(2, 11))
