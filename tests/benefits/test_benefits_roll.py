"""`huican roll` (BENEFITS.md "The monthly roll"): statuses, arrears at each month's own standard,
recoveries after death, the death-on-the-roll-date exception, approval and what later drafts take
from it. Every number below is worked out by hand from roll_world's standards."""

from __future__ import annotations

import csv
import io
import json

import pytest

from huican.benefits.models import Payment, Roll
from huican.cli import main
from tests.benefits.roll_world import RollWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path):
    w = RollWorld(tmp_path)
    for key in "ABEGHR":
        w.person(key)
    w.person("C", grade=1, status="死亡", status_date="2025-03-01")
    w.person("D", grade=1)
    w.person("F", grade=1)
    for key in "ABEGR":
        w.add("dibao", key, "2023-01-01", "")
    w.add("dibao", "H", "2023-01-01", "2024-12-31")
    for key in "CDF":
        w.survey(key, "2024", "3000", "是")
    w.add("elderly_care", "F", "2024-01-01", "")
    w.add("deaths", "B", "2024-12-10")
    w.add("subsidy_recipients", "B", "生活补贴", "2024-01", "", "100")
    w.add("subsidy_recipients", "C", "护理补贴", "2024-06", "", "")
    w.add("subsidy_recipients", "E", "生活补贴", "2024-10", "2024-11", "100")
    w.add("subsidy_recipients", "F", "护理补贴", "2024-01", "", "120")
    w.add("subsidy_recipients", "H", "生活补贴", "2024-01", "", "100")
    w.add("applications", "A", "生活补贴", "2024-11-15", "批准", "2025-01-20", "")
    w.add("applications", "D", "护理补贴", "2025-01-03", "审批中", "", "")
    w.add("applications", "E", "生活补贴", "2024-10-05", "批准", "2024-12-01", "")
    w.add("applications", "G", "生活补贴", "2025-01-05", "批准", "2025-02-10", "")
    w.add("applications", "R", "生活补贴", "2024-11-01", "不予批准", "2024-12-01", "家庭收入超过规定标准")
    w.load(data_dates={"deaths": "2024-12-31"})
    return w


def roll(capsys, month: str, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["roll", "--month", month, *extra]) == 0
    return json.loads(capsys.readouterr().out)


def line(out: dict, world: RollWorld, key: str, benefit: str = "living_subsidy") -> dict | None:
    found = [x for x in out["lines"] if x["id_number"] == world.persons[key] and x["benefit"] == benefit]
    assert len(found) <= 1
    return found[0] if found else None


def arrears(entry: dict) -> list[tuple[str, float]]:
    return [(a["month"], a["amount"]) for a in entry["arrears"]]


def test_roll_lines_statuses_and_arrears(world, capsys):
    out = roll(capsys, "2025-03")
    assert out["month"] == "2025-03"
    a = line(out, world, "A")
    # approved 2025-01-20, paid from the month of application, each month at its own standard
    assert (a["status"], a["amount"]) == ("pay", 110.0)
    assert arrears(a) == [("2024-11", 100.0), ("2024-12", 100.0), ("2025-01", 110.0), ("2025-02", 110.0)]
    assert a["total"] == 530.0 and a["reasons"] == []
    b = line(out, world, "B")
    assert (b["status"], b["amount"], b["total"]) == ("stop", None, 0.0)
    assert "valid_certificate" in b["reasons"]
    # died on the roll date itself: counts from the next day, paid for March at the grade-1 standard
    c = line(out, world, "C", "nursing_subsidy")
    assert (c["status"], c["amount"], c["total"]) == ("pay", 130.0, 130.0)
    f = line(out, world, "F", "nursing_subsidy")
    assert (f["status"], f["amount"], f["total"], f["reasons"]) == ("hold", None, 0.0, ["choose_higher"])
    h = line(out, world, "H")
    assert (h["status"], h["reasons"]) == ("stop", ["dibao_or_near_poor"])
    # 审批中 and 不予批准 create no entitlement
    assert line(out, world, "D", "nursing_subsidy") is None and line(out, world, "R") is None
    # ordered by ID number, then subsidy
    keys = [(x["id_number"], x["benefit"]) for x in out["lines"]]
    assert keys == sorted(keys)


def test_application_takes_effect_on_its_decision_date(world, capsys):
    out = roll(capsys, "2025-01")
    assert line(out, world, "A") is None  # 审定日期 2025-01-20 is after the roll date 2025-01-01
    e = line(out, world, "E")
    # the previous system paid 2024-10 and 2024-11 (its roll rows): only December is owed
    assert (e["status"], e["amount"]) == ("pay", 110.0)
    assert arrears(e) == [("2024-12", 100.0)] and e["total"] == 210.0


def test_recoveries_after_death(world, capsys):
    out = roll(capsys, "2025-03")
    rec = {(r["id_number"], r["benefit"]): r for r in out["recoveries"]}
    b = rec[(world.persons["B"], "living_subsidy")]
    assert (b["months"], b["amount"]) == (["2025-01", "2025-02"], 200.0)
    assert (world.persons["C"], "nursing_subsidy") not in rec
    later = roll(capsys, "2025-05")
    c = {(r["id_number"], r["benefit"]): r for r in later["recoveries"]}[
        (world.persons["C"], "nursing_subsidy")
    ]
    # the roll row has no 月标准: the grade-1 standard in force on 2025-04-01
    assert (c["months"], c["amount"]) == (["2025-04"], 130.0)
    assert line(later, world, "C", "nursing_subsidy")["status"] == "stop"


def test_totals_count_pay_lines_per_county(world, capsys):
    out = roll(capsys, "2025-03")
    paying = [x for x in out["lines"] if x["status"] == "pay"]
    expected: dict[tuple[str, str], list[float]] = {}
    for x in paying:
        expected.setdefault(("140902", x["benefit"]), []).append(x["total"])
    assert out["totals"] == [
        {"county": c, "benefit": b, "persons": len(v), "amount": round(sum(v), 2)}
        for (c, b), v in sorted(expected.items())
    ]


def test_approval_is_once_and_later_drafts_do_not_repeat_arrears(world, capsys):
    assert main(["roll", "--month", "2025-03", "--approve"]) == 0
    assert Roll.objects.filter(month="2025-03-01").count() == 1
    assert Payment.objects.filter(month="2024-11-01").count() == 1  # A's arrears, paid
    assert main(["roll", "--month", "2025-03", "--approve"]) == 2
    assert "已审批" in capsys.readouterr().err
    assert main(["roll", "--month", "2025-03", "--region", "140902", "--approve"]) == 2
    assert Roll.objects.count() == 1
    out = roll(capsys, "2025-04")
    a = line(out, world, "A")
    assert (a["status"], a["amount"], a["arrears"], a["total"]) == ("pay", 110.0, [], 110.0)
    # an earlier month than an approved one is not approved afterwards
    assert main(["roll", "--month", "2025-02", "--approve"]) == 2


def test_months_paid_here_after_death_are_recovered_at_what_was_paid(world, capsys, tmp_path):
    assert main(["roll", "--month", "2025-03", "--approve"]) == 0
    assert main(["roll", "--month", "2025-04", "--approve"]) == 0
    # the death of G (2025-03-15) reaches Huican after both rolls were paid
    path = world.write(
        "deaths",
        [[world.persons["B"], "测试B", "2024-12-10"], [world.persons["G"], "测试G", "2025-03-15"]],
        name="deaths-may",
    )
    assert main(["import", "deaths", str(path), "--data-date", "2025-05-15"]) == 0
    out = roll(capsys, "2025-06")
    rec = {(r["id_number"], r["benefit"]): r for r in out["recoveries"]}
    g = rec[(world.persons["G"], "living_subsidy")]
    # April was paid by this system (110); May by nobody; March is the month of death (paid)
    assert (g["months"], g["amount"]) == (["2025-04"], 110.0)


def test_roll_region_and_csv(world, capsys):
    out = roll(capsys, "2025-03", "--region", "140981")
    assert out == {"month": "2025-03", "lines": [], "recoveries": [], "totals": []}
    capsys.readouterr()
    assert main(["roll", "--month", "2025-03", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["id_number", "benefit", "status", "amount", "arrears", "total", "reasons"]
    a = next(r for r in rows if r["id_number"] == world.persons["A"])
    assert a["arrears"] == "2024-11:100.00;2024-12:100.00;2025-01:110.00;2025-02:110.00"
    assert a["total"] == "530.00"


def test_roll_usage_errors(db, capsys):
    with pytest.raises(SystemExit) as bad_month:
        main(["roll", "--month", "2025-13"])
    assert bad_month.value.code == 2
    assert main(["roll", "--month", "2025-03", "--region", "110101"]) == 2
    assert "110101" in capsys.readouterr().err


def test_imported_applications_count_as_receiving_from_their_decision_date(world, capsys):
    capsys.readouterr()
    assert main(["findings", "--on", "2025-01-10", "--region", "140902"]) == 0
    before = {(f["id_number"], f["code"]) for f in json.loads(capsys.readouterr().out)}
    assert (world.persons["A"], "living_subsidy_not_covered") in before
    assert main(["findings", "--on", "2025-01-25", "--region", "140902"]) == 0
    after = {(f["id_number"], f["code"]) for f in json.loads(capsys.readouterr().out)}
    assert (world.persons["A"], "living_subsidy_not_covered") not in after
