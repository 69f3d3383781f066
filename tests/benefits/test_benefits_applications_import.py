"""`huican import applications` (BENEFITS.md "Command line"): row rules, idempotence, the
entitlement of approved rows (one per person and subsidy, earliest 申请日期 / earliest 审定日期)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from huican.benefits.models import Application, Entitlement
from huican.cli import main
from tests.benefits.roll_world import RollWorld, pid

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path):
    w = RollWorld(tmp_path)
    w.person("A")
    w.person("B")
    w.load()
    return w


def rejected(path) -> dict[int, tuple[str, str]]:
    with open(path, encoding="utf-8-sig") as f:
        return {int(r["行号"]): (r["列"], r["原因"]) for r in csv.DictReader(f)}


def test_row_rules(world, capsys):
    a, b = world.persons["A"], world.persons["B"]
    outsider = pid(999)
    rows = [
        [a, "测试A", "生活补贴", "2024-03-01", "批准", "2024-04-10", ""],  # 2 ok
        [b, "测试B", "护理补贴", "2024-05-01", "审批中", "", ""],  # 3 ok
        [a, "测试A", "护理补贴", "2024-06-01", "批准", "", ""],  # 4 approved without 审定日期
        [a, "测试A", "护理补贴", "2024-07-01", "审批中", "2024-08-01", ""],  # 5 undecided with a date
        [a, "测试A", "护理补贴", "2024-09-01", "不予批准", "2024-08-01", "x"],  # 6 decided before applying
        [outsider, "外人", "生活补贴", "2024-03-01", "批准", "2024-04-10", ""],  # 7 not in the registry
        [a, "测试A", "生活补贴", "2024-03-01", "不予批准", "2024-04-11", ""],  # 8 same person/subsidy/date
        [b, "测试B", "补贴", "2024-05-01", "通过", "", ""],  # 9 vocabulary
    ]
    path = world.write("applications", rows)
    assert main(["import", "applications", str(path)]) == 0
    assert "accepted 2, rejected 6" in capsys.readouterr().out
    reasons = rejected(path.with_suffix(".rejected.csv"))
    assert set(reasons) == {4, 5, 6, 7, 8, 9}
    assert reasons[4] == ("审定日期", "审定结果为批准或不予批准时必须填写审定日期")
    assert reasons[5] == ("审定日期", "审定结果为审批中时不应填写审定日期")
    assert reasons[6][0] == "审定日期" and "早于" in reasons[6][1]
    assert "not in the registry" in reasons[7][1]
    assert "第 2 行" in reasons[8][1]
    assert "补贴类型" in reasons[9][0] and "审定结果" in reasons[9][0]
    assert Application.objects.filter(source="import").count() == 2
    # 审批中 creates no entitlement
    assert list(Entitlement.objects.values_list("benefit", flat=True)) == ["living_subsidy"]


def test_two_approved_applications_are_one_entitlement(world):
    a = world.persons["A"]
    rows = [
        [a, "测试A", "生活补贴", "2024-06-15", "批准", "2024-06-30", ""],
        [a, "测试A", "生活补贴", "2024-03-20", "批准", "2024-07-02", ""],
    ]
    assert main(["import", "applications", str(world.write("applications", rows))]) == 0
    entitlement = Entitlement.objects.get()
    assert (entitlement.start_month, entitlement.effective_from) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 6, 30),
    )
    assert entitlement.source == "imported"


def test_reimport_changes_nothing_and_a_later_file_updates_the_outcome(world, capsys):
    a = world.persons["A"]
    first = [[a, "测试A", "护理补贴", "2024-05-01", "审批中", "", ""]]
    path = world.write("applications", first)
    assert main(["import", "applications", str(path)]) == 0
    assert main(["import", "applications", str(path)]) == 0
    assert Application.objects.count() == 1 and not Entitlement.objects.exists()
    later = [[a, "测试A", "护理补贴", "2024-05-01", "批准", "2024-06-03", ""]]
    assert main(["import", "applications", str(world.write("applications", later, name="later"))]) == 0
    application = Application.objects.get()
    assert (application.status, application.decided_on) == ("approved", dt.date(2024, 6, 3))
    assert Entitlement.objects.get().effective_from == dt.date(2024, 6, 3)
    # the previous system withdrew the approval: the imported entitlement goes too
    undone = [[a, "测试A", "护理补贴", "2024-05-01", "不予批准", "2024-06-03", "复核不符合"]]
    assert main(["import", "applications", str(world.write("applications", undone, name="undone"))]) == 0
    assert not Entitlement.objects.exists()
    assert Application.objects.get().reject_reason == "复核不符合"
