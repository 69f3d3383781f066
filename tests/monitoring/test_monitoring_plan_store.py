"""`huican plan load` / `huican plan list`: plans stored as data, several at once, a year picks its plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from huican.cli import main
from huican.core.models import AuditEntry
from huican.monitoring.indicators import compute_indicators
from huican.monitoring.models import PlanDocument
from huican.monitoring.plan import PLANS_DIR, all_plans, plan_for_year
from huican.monitoring.plans_store import ReplaceNeeded, load_plan_text
from tests.factories import make_list_record, make_person, make_standard, make_user

SAMPLE = PLANS_DIR / "samples" / "xinzhou-2026-2030-illustrative.yaml"

pytestmark = pytest.mark.django_db


def plan_audit() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="monitoring.plan_").order_by("sequence"))


def test_the_sample_is_marked_illustrative_and_uses_every_feature():
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.startswith("# 示例草案，非正式印发。")
    plan = load_plan_text(text, file_name=SAMPLE.name).plan
    assert plan.illustrative and plan.period_name == "十五五" and plan.previous_period_name == "十四五"
    assert {i.comparison for i in plan.indicators} == {">", ">=", "==", "<=", "<", "gdp"}
    assert {i.kind for i in plan.indicators} == {"binding", "expected"}
    assert {i.scope for i in plan.indicators} == {"all", "city"}
    definitions = [i.definition for i in plan.indicators if i.definition is not None]
    assert {(d.kind, d.count) for d in definitions} == {
        ("rate", ""),
        ("count", "persons"),
        ("count", "households"),
    }
    assert all(i.description for i in plan.indicators)
    assert any(b.indicator for b in plan.baseline) and any(b.note for b in plan.baseline)
    assert any(t.indicator for _, t in plan.key_targets()) and plan.tasks


def test_load_list_reload_replace(tmp_path: Path, capsys):
    assert main(["plan", "list"]) == 0
    assert capsys.readouterr().out.startswith(
        "xinzhou-2021-2025  2021–2025  忻州市“十四五”残疾人保障和发展规划"
    )

    assert main(["plan", "load", str(SAMPLE)]) == 0
    assert (
        "已载入规划 xinzhou-2026-2030《忻州市“十五五”残疾人保障和发展规划（示例草案）》（2026–2030，示例草案，15 项指标）"
        in (capsys.readouterr().out)
    )
    assert main(["plan", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(p["code"], p["source"], p["illustrative"], p["indicators"]) for p in listed] == [
        ("xinzhou-2021-2025", "bundled", False, 11),
        ("xinzhou-2026-2030", "stored", True, 15),
    ]
    assert listed[1]["loaded_by"] == "命令行" and listed[1]["loaded_at"]
    assert [entry.action for entry in plan_audit()] == ["monitoring.plan_load"]

    # The same text again changes nothing (no audit entry).
    assert main(["plan", "load", str(SAMPLE)]) == 0
    assert "与已载入的文本相同，未作改动" in capsys.readouterr().out
    assert len(plan_audit()) == 1

    # Another text under the same code needs --replace.
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("target: 5000", "target: 5200"), encoding="utf-8"
    )
    assert main(["plan", "load", str(changed)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert PlanDocument.objects.get().file_name == SAMPLE.name
    make_user(username="planner")
    assert main(["plan", "load", str(changed), "--replace", "--user", "planner"]) == 0
    assert "已替换规划" in capsys.readouterr().out
    document = PlanDocument.objects.get()
    assert (document.file_name, document.loaded_by_name) == ("changed.yaml", "planner")
    assert plan_for_year(2027).indicator("training_persons").target == 5200
    replaced = plan_audit()[-1]
    assert replaced.action == "monitoring.plan_replace" and replaced.actor_name == "planner"
    assert replaced.detail["previous_source"] == SAMPLE.read_text(encoding="utf-8")

    assert main(["plan", "load", str(changed), "--user", "nobody"]) == 2
    assert "没有用户" in capsys.readouterr().err


def test_overlapping_years_are_refused(tmp_path: Path, capsys):
    other = tmp_path / "other.yaml"
    other.write_text(
        SAMPLE.read_text(encoding="utf-8")
        .replace("code: xinzhou-2026-2030", "code: other-2024-2028")
        .replace("start_year: 2026", "start_year: 2024")
        .replace("end_year: 2030", "end_year: 2028")
        .replace("base_year: 2025", "base_year: 2023"),
        encoding="utf-8",
    )
    assert main(["plan", "load", str(other)]) == 2
    err = capsys.readouterr().err
    assert "2024–2028 与规划 xinzhou-2021-2025" in err and "重叠" in err
    assert not PlanDocument.objects.exists() and not plan_audit()


def test_an_error_in_the_file_names_its_line_and_stores_nothing(tmp_path: Path, capsys):
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "numerator: certified and medical_insured", "numerator: certified and medical_insurd"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    line = text[: text.index("medical_insurd")].count("\n") + 1
    assert main(["plan", "load", str(broken)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"huican: broken.yaml：第 {line} 行：指标 medical_enrolment 的分子中有未知名称 medical_insurd"
        "（是否想写 medical_insured？）；未作任何改动"
    )
    assert main(["plan", "load", str(tmp_path / "missing.yaml")]) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert not PlanDocument.objects.exists()


def test_replacing_needs_confirmation_in_the_service_too():
    text = SAMPLE.read_text(encoding="utf-8")
    assert load_plan_text(text).outcome == "created"
    with pytest.raises(ReplaceNeeded):
        load_plan_text(text + "\n# 改了一个注释\n")
    assert load_plan_text(text + "\n# 改了一个注释\n", replace=True).outcome == "replaced"


def test_after_the_sample_is_loaded_each_year_uses_its_own_plan(tmp_path: Path, capsys):
    make_standard()
    person = make_person()
    make_list_record("medical", person, year=2025)
    make_list_record("medical", person, year=2027)
    make_list_record("services", person, start=dt.date(2026, 3, 1), category="职业技能培训")
    assert main(["plan", "load", str(SAMPLE)]) == 0
    capsys.readouterr()

    assert [plan.code for plan in all_plans()] == ["xinzhou-2021-2025", "xinzhou-2026-2030"]
    rows_2025 = compute_indicators(year=2025, region="140900")
    assert [row["code"] for row in rows_2025] == [i.code for i in plan_for_year(2025).indicators]
    assert len(rows_2025) == 11
    rows_2027 = {row["code"]: row for row in compute_indicators(year=2027, region="140900")}
    assert len(rows_2027) == 15 and "unvisited_living_alone" in rows_2027
    assert rows_2027["training_persons"]["value"] == 1  # counted from the new plan's first day
    assert rows_2027["medical_enrolment"]["target"] == 96
    assert (rows_2027["untrained_jobseekers"]["target"], rows_2027["unvisited_living_alone"]["kind"]) == (
        30,
        "expected",
    )

    # `huican indicators` for 2025 prints exactly what it printed before the new plan was loaded.
    assert main(["indicators", "--year", "2025"]) == 0
    after = capsys.readouterr().out
    PlanDocument.objects.all().delete()
    assert main(["indicators", "--year", "2025"]) == 0
    assert capsys.readouterr().out == after
    assert main(["plan", "load", str(SAMPLE)]) == 0

    # The 十四五 final evaluation is still produced for 2025, against the 十三五 baseline.
    out = tmp_path / "final-2025.xlsx"
    assert main(["report", "--year", "2025", "--final", "--out", str(out)]) == 0
    sheets = pl.read_excel(out, sheet_id=0)
    assert "十三五基线对照" in sheets
    assert (
        "建档立卡贫困残疾人脱贫人数（“十三五”时期累计）"
        in sheets["十三五基线对照"].get_column("“十三五”末指标").to_list()
    )
    # …and the report of the current year (2026 on) follows the sample plan.
    year = max(2026, dt.date.today().year)
    out = tmp_path / f"report-{year}.xlsx"
    assert main(["report", "--year", str(year), "--out", str(out)]) == 0
    trend = pl.read_excel(out, sheet_id=0)
    assert "十三五基线对照" not in trend
    assert any("近一年未走访的独居重度残疾人数" in str(v) for sheet in trend.values() for v in sheet.rows())
