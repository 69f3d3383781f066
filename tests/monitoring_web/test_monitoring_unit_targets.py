"""County-level targets (县级实施方案): entered by city staff (audited), shown beside the county's
figure, summed against the city's count targets, never changing the indicator rows."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags

from huican.cli import main
from huican.core.models import AuditEntry
from huican.monitoring.indicators import compute_indicators
from huican.monitoring.models import UnitTarget
from huican.monitoring.plan import default_plan, plan_for_year
from huican.monitoring.unit_targets import (
    UnitTargetError,
    met_unit_target,
    share_checks,
    unit_target_delete,
    unit_target_for,
    unit_target_set,
    unit_targets,
)

PLAN = default_plan().code  # the bundled 2021–2025 plan (no plan stored in these tests)
XINFU, YUANPING = "140902", "140981"


def enter(world, **fields):
    values = {
        "plan_code": PLAN,
        "indicator": "training_persons",
        "region": XINFU,
        "target": "600",
        "source": "忻府政发〔2022〕12号",
        "actor": world.users["city"],
    }
    return unit_target_set(**(values | fields))


def test_city_staff_enter_a_county_target_and_it_is_audited(world):
    entry = enter(world)

    assert unit_target_for(plan_code=PLAN, indicator="training_persons", region=XINFU) == entry
    assert entry.target == Decimal("600.00") and entry.entered_by == world.users["city"]
    audit = AuditEntry.objects.get(action="monitoring.unit_target")
    assert audit.actor_name == "t_city" and audit.region_code == XINFU
    assert audit.detail["before"] is None
    assert audit.detail["after"] == {"target": "600.00", "source": "忻府政发〔2022〕12号"}

    enter(world, target="650", source="修订")  # a correction replaces it; the audit keeps both
    assert UnitTarget.objects.get().target == Decimal("650.00")
    corrected = AuditEntry.objects.filter(action="monitoring.unit_target").latest("sequence")
    assert corrected.detail["before"] == {"target": "600.00", "source": "忻府政发〔2022〕12号"}

    assert unit_target_delete(
        plan_code=PLAN, indicator="training_persons", region=XINFU, actor=world.users["city"]
    )
    assert not UnitTarget.objects.exists()
    removed = AuditEntry.objects.get(action="monitoring.unit_target_delete")
    assert removed.detail["before"]["target"] == "650.00"


@pytest.mark.parametrize("role", ["county", "township", "evaluator", "department"])
def test_other_roles_may_not_enter_or_delete(world, role):
    with pytest.raises(PermissionDenied):
        enter(world, actor=world.users[role])
    enter(world)
    with pytest.raises(PermissionDenied):
        unit_target_delete(
            plan_code=PLAN, indicator="training_persons", region=XINFU, actor=world.users[role]
        )
    assert UnitTarget.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="monitoring.unit_target").count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"region": "140900"}, "region", "140900 不是本市的县级单位代码"),
        ({"region": "140902001"}, "region", "不是本市的县级单位代码"),
        ({"indicator": "no_such"}, "indicator", "规划中没有指标 no_such"),
        ({"plan_code": "no-plan"}, "plan_code", "没有代码为 no-plan 的规划"),
        ({"target": "-1"}, "target", "目标不能为负数"),
        ({"target": "abc"}, "target", "目标应为数字"),
        ({"target": "12.5"}, "target", "以“人”计的目标应为整数"),
        ({"indicator": "medical_enrolment", "target": "100.5"}, "target", "百分比目标不能超过 100"),
    ],
)
def test_invalid_targets_are_refused_with_a_message(world, fields, field, message):
    with pytest.raises(UnitTargetError) as refused:
        enter(world, **fields)
    assert message in str(refused.value) and refused.value.field == field
    assert not UnitTarget.objects.exists()
    assert not AuditEntry.objects.filter(action="monitoring.unit_target").exists()


def test_a_rate_target_up_to_100_is_accepted(world):
    entry = enter(world, indicator="medical_enrolment", target="97.5")
    assert entry.target == Decimal("97.50")


def test_the_county_is_compared_with_its_own_target(world):
    plan = plan_for_year(2025)
    medical = plan.indicator("medical_enrolment")
    target = enter(world, indicator="medical_enrolment", target="66.67")

    assert met_unit_target({"value": 66.67}, target, medical) is False  # "> 95" → strictly above
    assert met_unit_target({"value": 66.68}, target, medical) is True
    assert met_unit_target({"value": None}, target, medical) is None
    assert met_unit_target({"value": 70}, None, medical) is None

    training = plan.indicator("training_persons")
    share = enter(world, target="2")
    assert met_unit_target({"value": 2}, share, training) is True  # "≥ 4000" → at least
    assert met_unit_target({"value": 1}, share, training) is False


def test_the_county_target_stays_null_in_the_indicator_rows(world):
    enter(world)
    enter(world, indicator="medical_enrolment", target="50")

    rows = compute_indicators(year=2025)

    [training] = [r for r in rows if r["code"] == "training_persons" and r["region"] == XINFU]
    assert training["target"] is None and training["met"] is None
    [medical] = [r for r in rows if r["code"] == "medical_enrolment" and r["region"] == XINFU]
    assert medical["target"] == 95  # the plan's, not the county's 50
    assert medical["met"] is False  # 2/3 = 66.67 %, which would meet the county's own 50


def test_the_shares_are_summed_against_the_city_target(world):
    plan = plan_for_year(2025)
    assert share_checks(plan) == []
    enter(world, target="3000")
    enter(world, region=YUANPING, target="900")
    enter(world, indicator="medical_enrolment", target="96")  # a rate: no sum

    [check] = share_checks(plan)

    assert check.indicator.code == "training_persons" and check.total == Decimal("3900")
    assert check.text == "各县份额合计 3,900 人，比全市目标 4,000 人 少 100 人（已录入 2/15 个县级单位）"
    assert not check.adds_up
    enter(world, region=YUANPING, target="1000")
    [check] = share_checks(plan)
    assert check.adds_up and "与全市目标 4,000 人 相等" in check.text
    assert [(t.indicator, t.region) for t in unit_targets(PLAN)] == [
        ("medical_enrolment", XINFU),
        ("training_persons", XINFU),
        ("training_persons", YUANPING),
    ]
    assert [t.indicator for t in unit_targets(PLAN, region=YUANPING)] == ["training_persons"]


def test_the_partial_shows_the_county_target_beside_its_figure(world):
    plan = plan_for_year(2025)
    medical = plan.indicator("medical_enrolment")
    row = {"code": "medical_enrolment", "region": XINFU, "value": 66.67}

    none = render_to_string(
        "monitoring/_unit_targets.html", {"unit_target": None, "indicator": medical, "row": row}
    )
    assert "本县未录入县级目标" in none

    target = enter(world, indicator="medical_enrolment", target="60", source="忻府政发〔2022〕12号")
    html = unescape(
        strip_tags(
            render_to_string(
                "monitoring/_unit_targets.html", {"unit_target": target, "indicator": medical, "row": row}
            )
        )
    )
    assert "县级目标（依据：忻府政发〔2022〕12号）：>60%；本县 66.67%" in html
    assert "✓ 达标" in html

    share = enter(world, target="600", source="")
    missed = strip_tags(
        render_to_string(
            "monitoring/_unit_targets.html",
            {"unit_target": share, "indicator": plan.indicator("training_persons"), "row": {"value": 12}},
        )
    )
    assert "县级目标：≥600 人；本县 12 人" in missed and "✗ 未达标" in missed


# --- the targets page -------------------------------------------------------------------------------


def test_city_staff_enter_a_target_on_the_page(as_user):
    client = as_user("city")
    url = reverse("monitoring:unit_targets")

    response = client.post(
        url,
        {"action": "save", "indicator": "training_persons", "region": XINFU, "target": "3,000", "source": "忻府政发〔2022〕12号"},
    )  # fmt: skip

    assert response.status_code == 302 and response["Location"].endswith("#message")
    entry = UnitTarget.objects.get()
    assert (entry.plan_code, entry.indicator, entry.region, entry.target) == (
        PLAN,
        "training_persons",
        XINFU,
        3000,
    )
    assert AuditEntry.objects.filter(action="monitoring.unit_target", actor_name="t_city").exists()
    page = client.get(url)
    html = page.content.decode()
    assert "≥3,000 人" in html and "忻府政发〔2022〕12号" in html and "<td>4000 人</td>" in html
    assert "各县份额合计 3,000 人，比全市目标 4,000 人 少 1,000 人（已录入 1/15 个县级单位）" in html
    assert '<th scope="col">五台山风景名胜区</th>' in html  # every county-level unit is a column

    edit = client.get(url, {"indicator": "training_persons", "region": XINFU})  # the 修改 link
    assert edit.context["form"].initial | {} == {
        "indicator": "training_persons",
        "region": XINFU,
        "target": "3000",
        "source": "忻府政发〔2022〕12号",
    }

    client.post(url, {"action": "delete", "indicator": "training_persons", "region": XINFU})
    assert not UnitTarget.objects.exists()
    assert AuditEntry.objects.filter(action="monitoring.unit_target_delete").exists()


def test_an_invalid_target_is_refused_with_the_message_on_its_field(as_user):
    response = as_user("city").post(
        reverse("monitoring:unit_targets"),
        {"action": "save", "indicator": "medical_enrolment", "region": XINFU, "target": "120"},
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["target"] == ["百分比目标不能超过 100：120"]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "百分比目标不能超过 100" in html
    assert not UnitTarget.objects.exists()


@pytest.mark.parametrize("role", ["county", "township", "evaluator"])
def test_other_roles_see_the_targets_but_may_not_enter_them(as_user, world, role):
    enter(world, region=XINFU, target="600")
    enter(world, region=YUANPING, target="300")
    client = as_user(role)
    url = reverse("monitoring:unit_targets")

    page = client.get(url)

    assert page.status_code == 200 and page.context["form"] is None
    html = page.content.decode()
    assert "只有市残联工作人员可以录入县级目标" in html and 'value="delete"' not in html
    assert "≥600 人" in html
    # County and township staff see their own county only (忻府区); evaluators see every county.
    assert ("≥300 人" in html) is (role == "evaluator")
    for data in (
        {"action": "save", "indicator": "training_persons", "region": XINFU, "target": "1"},
        {"action": "delete", "indicator": "training_persons", "region": XINFU},
    ):
        assert client.post(url, data).status_code == 403
    assert UnitTarget.objects.get(region=XINFU).target == 600


def test_the_page_needs_a_monitoring_role(as_user):
    assert as_user("security").get(reverse("monitoring:unit_targets")).status_code == 403


# --- huican targets load ----------------------------------------------------------------------------


def test_the_command_accepts_or_rejects_every_row_with_a_reason(world, tmp_path, capsys):
    path = tmp_path / "targets.csv"
    path.write_text(
        "\ufeffindicator,region,target,source\n"
        "training_persons,140902,1200,忻府政发〔2022〕12号\n"
        "training_persons,140900,4000,\n"
        "medical_enrolment,140981,101,\n"
        "no_such,140902,5,\n"
        "training_persons,140902,1300,again\n"
        "home_renovations,140971,20,五台山方案\n",
        encoding="utf-8",
    )

    assert main(["targets", "load", str(path)]) == 0

    out = capsys.readouterr().out
    assert "第 2 行 接受：training_persons 140902忻府区 目标 1200" in out
    assert "第 3 行 拒绝：training_persons 140900：140900 不是本市的县级单位代码" in out
    assert "第 4 行 拒绝：medical_enrolment 140981原平市：百分比目标不能超过 100：101" in out
    assert "第 5 行 拒绝：no_such 140902忻府区：规划中没有指标 no_such" in out
    assert "第 6 行 拒绝：training_persons 140902忻府区：与第 2 行的指标和县级单位相同" in out
    assert "第 7 行 接受" in out
    assert "共 6 行：接受 2 行，拒绝 4 行" in out
    assert {(t.indicator, t.region, t.target) for t in UnitTarget.objects.all()} == {
        ("training_persons", XINFU, 1200),
        ("home_renovations", "140971", 20),
    }
    assert AuditEntry.objects.filter(action="monitoring.unit_target", actor_name="命令行").count() == 2
    load = AuditEntry.objects.get(action="monitoring.unit_targets_load")
    assert load.detail["accepted"] == 2 and [r["row"] for r in load.detail["rejected"]] == [3, 4, 5, 6]


def test_the_command_refuses_a_user_without_the_permission_and_a_bad_header(world, tmp_path, capsys):
    path = tmp_path / "targets.csv"
    path.write_text("indicator,region,target\ntraining_persons,140902,1200\n", encoding="utf-8")

    assert main(["targets", "load", str(path), "--user", "t_county"]) == 2
    assert "无权录入县级目标" in capsys.readouterr().err
    assert main(["targets", "load", str(path), "--user", "t_city"]) == 0
    assert UnitTarget.objects.get().entered_by == world.users["city"]

    path.write_text("indicator,county,target\n", encoding="utf-8")
    assert main(["targets", "load", str(path)]) == 2
    assert "缺少列：region" in capsys.readouterr().err


def test_the_county_dashboard_shows_its_own_targets_on_the_tiles(world, as_user):
    enter(world, indicator="medical_enrolment", target="60", source="忻府政发〔2022〕12号")

    county = unescape(
        strip_tags(as_user("county").get(reverse("monitoring:dashboard", args=[XINFU])).content.decode())
    )
    assert "县级目标（依据：忻府政发〔2022〕12号）：>60%；本县 66.67%" in " ".join(county.split())
    assert county.count("县级目标（依据") == 1  # only the indicator that has one
    city = as_user("city").get(reverse("monitoring:dashboard", args=["140900"])).content.decode()
    assert "县级目标（依据" not in city  # the city's tiles carry the plan's targets only
