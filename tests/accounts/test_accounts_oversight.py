"""The audit administrator's security page and the audit of denied accesses (issue 10, point 8)."""

from __future__ import annotations

import argparse

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from huican.accounts.grants import grant_request
from huican.accounts.models import AuditVerification, Role
from huican.api import api_token_create
from huican.core.audit import audit_record
from huican.core.commands import run_audit
from huican.core.models import AuditEntry
from tests.factories import World

pytestmark = pytest.mark.django_db


def _denied() -> list[tuple[str, str, int]]:
    return [
        (e.actor_name, e.detail["path"], e.detail["status"])
        for e in AuditEntry.objects.filter(action="access.denied").order_by("sequence")
    ]


def test_a_person_outside_the_region_is_a_denied_access(world: World, client: Client) -> None:
    client.force_login(world.users["township"])
    path = reverse("registry:person", args=[world.dave.pk])
    assert client.get(path).status_code == 404
    assert _denied() == [("t_township", path, 404)]


def test_a_portal_staff_page_of_a_person_outside_the_region_is_a_denied_access(
    world: World, client: Client
) -> None:
    client.force_login(world.users["township"])
    paths = [
        reverse("portal:staff_cert", args=[world.dave.pk]),
        reverse("portal:staff_agents", args=[world.dave.pk]),
    ]
    for path in paths:
        assert client.get(path).status_code == 404
    assert _denied() == [("t_township", path, 404) for path in paths]


def test_a_page_the_role_may_not_use_is_a_denied_access(world: World, client: Client) -> None:
    client.force_login(world.users["system"])
    assert client.get("/findings/").status_code in (403, 404)
    assert client.get(reverse("audit:log")).status_code == 403
    assert [(who, path) for who, path, _ in _denied()] == [("t_sys", "/findings/"), ("t_sys", "/audit/")]


def test_the_api_refusal_is_a_denied_access(world: World, client: Client) -> None:
    _token, key = api_token_create(user=world.users["township"], name="对接")
    response = client.get(f"/api/v1/persons/{world.dave.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 404
    assert _denied() == [("t_township", f"/api/v1/persons/{world.dave.pk}", 404)]


def test_anonymous_visitors_and_ordinary_404s_are_not_counted(world: World, client: Client) -> None:
    client.get(reverse("registry:person", args=[world.dave.pk]))  # to the login page
    client.force_login(world.users["township"])
    client.get("/no-such-page/")
    assert _denied() == []


def test_the_security_page_shows_what_the_audit_administrator_needs(world: World, client: Client) -> None:
    audit_record(actor=world.users["county"], action="registry.reveal", object_type="registry.Person")
    audit_record(actor=world.users["county"], action="registry.reveal", object_type="registry.Person")
    audit_record(actor=world.users["city"], action="export.findings", detail={"full_id_numbers": True})
    audit_record(actor=world.users["city"], action="export.findings", detail={"full_id_numbers": False})
    grant_request(
        actor=world.users["system"], user=world.users["township"], role=Role.CITY_STAFF,
        region=world.users["city"].region, may_view_full=True, activate=False, reasons=["city_region", "full_id"],
    )  # fmt: skip
    outsider = Client()
    outsider.force_login(world.users["township"])
    outsider.get(reverse("registry:person", args=[world.dave.pk]))

    client.force_login(world.users["audit"])
    page = client.get(reverse("accounts:oversight"))
    assert page.status_code == 200
    html = page.content.decode()
    reveals = html.split("完整身份证号查看（按用户）", 1)[1].split("</table>", 1)[0]
    assert "<td>t_county</td><td>2</td><td>2</td>" in reveals
    assert "<td>t_city</td><td>1</td><td>1</td>" in reveals  # the masked export does not count
    assert "t_township" in html.split("待批准的授权申请", 1)[1] and "全市范围" in html
    denied = html.split("最近被拒绝的访问", 1)[1]
    assert f"/persons/{world.dave.pk}/" in denied and "t_township" in denied
    assert "尚未校验" in html and "<dt>检查点</dt>" in html


def test_the_verify_button_stores_the_outcome(world: World, client: Client) -> None:
    audit_record(actor="test", action="test.entry")
    client.force_login(world.users["audit"])
    client.post(reverse("accounts:oversight_verify"))
    ok = AuditVerification.objects.get()
    assert ok.intact and ok.actor_name == "t_audit" and ok.first_broken is None
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET detail = %s WHERE sequence = %s", ['{"changed": true}', 1])
    client.post(reverse("accounts:oversight_verify"))
    broken = AuditVerification.objects.first()
    assert broken is not None and not broken.intact and broken.first_broken == 1
    html = client.get(reverse("accounts:oversight")).content.decode()
    assert "未通过" in html and "第 1 条起有问题" in html


def test_the_cli_and_the_audit_page_store_the_outcome_too(world: World, client: Client, capsys) -> None:  # type: ignore[no-untyped-def]
    audit_record(actor="test", action="test.entry")
    assert run_audit(argparse.Namespace(audit_command="verify")) == 0
    assert AuditVerification.objects.get().actor_name == "cli"
    client.force_login(world.users["audit"])
    client.post(reverse("audit:verify"))
    assert AuditVerification.objects.first().actor_name == "t_audit"  # type: ignore[union-attr]


@pytest.mark.parametrize("role", ["system", "security", "city", "county"])
def test_only_the_audit_administrator_sees_the_security_page(world: World, client: Client, role: str) -> None:
    client.force_login(world.users[role])
    assert client.get(reverse("accounts:oversight")).status_code == 403
    assert client.post(reverse("accounts:oversight_verify")).status_code == 403
    assert not AuditVerification.objects.exists()


def test_get_on_the_verify_address_shows_the_button_and_the_last_outcome(
    world: World, client: Client
) -> None:
    """Issue 13: a GET on /audit/verify/ was an empty 405 the browser showed as an error page."""
    client.force_login(world.users["audit"])
    first = client.get(reverse("audit:verify"))
    assert first.status_code == 200
    assert "尚未校验" in first.content.decode()
    client.post(reverse("audit:verify"))
    html = client.get(reverse("audit:verify")).content.decode()
    assert f'action="{reverse("audit:verify")}"' in html and "完整，共" in html


@pytest.mark.parametrize("role", ["system", "security", "city"])
def test_the_verify_page_is_the_audit_administrators_only(world: World, client: Client, role: str) -> None:
    client.force_login(world.users[role])
    assert client.get(reverse("audit:verify")).status_code == 403


def test_the_verify_page_sends_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get(reverse("audit:verify"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
