"""The work list and a finding's page: scope, department view, counts-only, filters, follow-up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huican.core.models import AuditEntry
from huican.matching.models import Finding
from tests.matching_web.world import FindingsWorld

INDEX = reverse("matching:index")


def as_user(client: Client, world: FindingsWorld, role: str) -> Client:
    client.force_login(world.users[role])
    return client


def detail_url(finding: Finding) -> str:
    return reverse("matching:detail", args=[finding.pk])


def test_the_work_list_groups_findings_by_code_with_their_chinese_names(client, fworld):
    page = as_user(client, fworld, "city").get(INDEX)

    html = page.content.decode()
    assert page.status_code == 200
    assert "医保未参保" in html and "养老保险未参保" in html
    assert fworld.near.name in html and fworld.far.name in html
    assert fworld.near.id_masked in html
    assert reverse("registry:person", args=[fworld.near.pk]) in html
    assert detail_url(fworld.finding(fworld.near)) in html
    assert "立即比对" in html
    assert AuditEntry.objects.filter(action="finding.list", actor=fworld.users["city"]).exists()


def test_a_county_user_never_sees_another_countys_findings(client, fworld):
    c = as_user(client, fworld, "county")

    html = c.get(INDEX).content.decode()
    assert fworld.near.name in html
    assert fworld.far.name not in html
    assert c.get(detail_url(fworld.finding(fworld.far))).status_code == 404
    assert c.post(detail_url(fworld.finding(fworld.far)), {"status": "误报", "note": "x"}).status_code == 404
    assert fworld.finding(fworld.far).status == "待核实"


def test_a_township_user_sees_their_township_only(client, fworld):
    other = as_user(client, fworld, "other_township")
    assert fworld.near.name not in other.get(INDEX).content.decode()
    assert other.get(detail_url(fworld.finding(fworld.near))).status_code == 404

    client.force_login(fworld.users["township"])
    assert fworld.near.name in client.get(INDEX).content.decode()
    assert client.get(detail_url(fworld.finding(fworld.near))).status_code == 200


def test_a_department_officer_sees_only_their_departments_codes_without_person_links(client, fworld):
    c = as_user(client, fworld, "medical")

    html = c.get(INDEX).content.decode()
    assert "医保未参保" in html
    assert "养老保险未参保" not in html
    assert reverse("registry:person", args=[fworld.near.pk]) not in html
    assert "立即比对" not in html
    assert c.get(detail_url(fworld.finding(fworld.near, "pension_not_enrolled"))).status_code == 404
    assert c.get(detail_url(fworld.finding(fworld.near))).status_code == 200
    assert c.get(INDEX, {"code": "pension_not_enrolled"}).status_code == 400


def test_an_evaluator_sees_counts_only(client, fworld):
    c = as_user(client, fworld, "evaluator")

    page = c.get(INDEX)
    html = page.content.decode()
    assert page.status_code == 200
    assert "医保未参保" in html and "定襄县" in html
    assert fworld.near.name not in html and fworld.near.id_masked not in html
    assert c.get(detail_url(fworld.finding(fworld.near))).status_code == 404
    assert c.get(reverse("matching:export")).status_code == 403


def test_administrators_and_visitors_are_kept_out(client, fworld):
    assert client.get(INDEX).status_code == 302  # to the login page
    c = as_user(client, fworld, "admin")
    assert c.get(INDEX).status_code == 403
    assert c.get(detail_url(fworld.finding(fworld.near))).status_code == 404


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"region": "140921"}, "far", "near"),
        ({"region": "140902001"}, "near", "far"),
        ({"status": "open"}, "near", None),
        ({"assignee": "none"}, "near", None),
    ],
)
def test_filters_narrow_the_list(client, fworld, params, shown, hidden):
    html = as_user(client, fworld, "city").get(INDEX, params).content.decode()
    assert getattr(fworld, shown).name in html
    if hidden:
        assert getattr(fworld, hidden).name not in html


def test_filter_by_code_status_and_assignee(client, fworld):
    f = fworld.finding(fworld.near)
    f.assigned_to = fworld.users["township"]
    f.status = "已核实-需处理"
    f.save()
    c = as_user(client, fworld, "county")

    mine = c.get(INDEX, {"assignee": str(fworld.users["township"].pk)}).content.decode()
    confirmed = c.get(INDEX, {"status": "已核实-需处理", "code": "medical_not_enrolled"}).content.decode()
    pension = c.get(INDEX, {"code": "pension_not_enrolled"}).content.decode()

    assert fworld.near.name in mine and detail_url(f) in mine
    assert detail_url(f) in confirmed
    assert detail_url(f) not in pension and fworld.near.name in pension


@pytest.mark.parametrize(
    "params",
    [
        {"region": "140921"},  # another county
        {"region": "999999"},
        {"code": "no_such_code"},
        {"status": "done"},
        {"assignee": "abc"},
        {"region": "\x00"},
    ],
)
def test_bad_filters_are_a_400_with_a_chinese_message(client, fworld, params):
    page = as_user(client, fworld, "county").get(INDEX, params)
    assert page.status_code == 400
    html = page.content.decode()
    assert "不在可选范围内" in html
    assert fworld.near.name not in html


def test_the_assignee_filter_offers_only_users_in_scope(client, fworld):
    html = as_user(client, fworld, "county").get(INDEX).content.decode()
    assert "w_town" in html
    assert "w_other" not in html


def test_follow_up_is_saved_and_audited_and_shown(client, fworld):
    f = fworld.finding(fworld.near)
    worker = fworld.users["township"]
    c = as_user(client, fworld, "county")

    page = c.post(
        detail_url(f), {"status": "已核实-需处理", "assigned_to": str(worker.pk), "note": " 已电话联系本人 "}
    )

    assert page.status_code == 302
    f.refresh_from_db()
    assert (f.status, f.assigned_to, f.note) == ("已核实-需处理", worker, "已电话联系本人")
    entry = AuditEntry.objects.get(action="finding.update", object_id=str(f.pk))
    assert entry.actor == fworld.users["county"]
    assert entry.detail["before"]["status"] == "待核实"
    html = c.get(detail_url(f)).content.decode()
    assert "已保存核实处理情况" in html
    assert "待核实 → 已核实-需处理" in html and "已电话联系本人" in html


def test_unchanged_follow_up_writes_nothing(client, fworld):
    f = fworld.finding(fworld.near)
    c = as_user(client, fworld, "county")
    page = c.post(detail_url(f), {"status": "待核实", "assigned_to": "", "note": ""}, follow=True)
    assert "没有需要保存的修改" in page.content.decode()
    assert not AuditEntry.objects.filter(action="finding.update").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "done", "note": "x"}, "不在可选范围内"),
        ({"note": "x"}, "这个字段是必填项"),
        ({"status": "误报", "note": "  "}, "请填写处理结果说明"),
        ({"status": "已处理"}, "请填写处理结果说明"),
        ({"status": "待核实", "note": "长" * 2001}, "说明过长"),
        ({"status": "待核实", "assigned_to": "OTHER"}, "不在可选范围内"),
        ({"status": "待核实", "assigned_to": "99999"}, "不在可选范围内"),
        ({"status": "待核实", "assigned_to": "x\x00"}, "不在可选范围内"),
    ],
)
def test_bad_follow_up_is_a_400_with_a_chinese_message(client, fworld, data, message):
    f = fworld.finding(fworld.near)
    if data.get("assigned_to") == "OTHER":
        data = {**data, "assigned_to": str(fworld.users["other_county"].pk)}
    page = as_user(client, fworld, "county").post(detail_url(f), data)

    assert page.status_code == 400
    assert message in page.content.decode()
    f.refresh_from_db()
    assert (f.status, f.note, f.assigned_to) == ("待核实", "", None)
    assert not AuditEntry.objects.filter(action="finding.update").exists()


def test_the_assignee_list_holds_only_users_who_may_see_the_finding(client, fworld):
    f = fworld.finding(fworld.near)
    html = as_user(client, fworld, "city").get(detail_url(f)).content.decode()
    assert "w_town（" in html and "w_county（" in html and "w_medical（" in html
    assert "w_town2（" not in html and "w_other（" not in html
    pension = as_user(client, fworld, "city").get(
        detail_url(fworld.finding(fworld.near, "pension_not_enrolled"))
    )
    assert "w_medical（" not in pension.content.decode()


def test_a_finding_page_is_audited_and_lists_the_persons_other_findings(client, fworld):
    f = fworld.finding(fworld.near)
    html = as_user(client, fworld, "county").get(detail_url(f)).content.decode()
    assert "养老保险未参保" in html
    assert f.detail in html
    assert AuditEntry.objects.filter(action="finding.view", object_id=str(f.pk)).exists()
