"""The audit log: web page for the audit administrator, filters, chain verification, CLI."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from huican.core.audit import audit_record, audit_verify
from huican.core.commands import run_audit
from huican.core.models import AuditEntry
from tests.factories import World

pytestmark = pytest.mark.django_db


def tamper(sequence: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET detail = %s WHERE sequence = %s", ['{"changed": true}', sequence]
        )


def test_verify_detects_a_tampered_entry(capsys) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        audit_record(actor="test", action="test.entry", detail={"i": i})
    assert audit_verify().intact
    assert run_audit(argparse.Namespace(audit_command="verify")) == 0
    assert "审计日志完整，共 5 条" in capsys.readouterr().out
    tamper(3)
    result = audit_verify()
    assert not result.intact and result.first_broken == 3
    assert run_audit(argparse.Namespace(audit_command="verify")) == 1
    out = capsys.readouterr().out
    assert "第 3 条" in out


def test_verify_detects_a_deleted_entry() -> None:
    for i in range(4):
        audit_record(actor="test", action="test.entry", detail={"i": i})
    AuditEntry.objects.filter(sequence=2).delete()
    result = audit_verify()
    assert not result.intact and result.first_broken == 3


def test_audit_page_lists_and_filters(world: World, client: Client) -> None:
    audit_record(actor=world.users["county"], action="registry.search", detail={"q": "x"})
    audit_record(
        actor=world.users["city"], action="registry.person_view", object_type="registry.Person", object_id=7
    )
    client.force_login(world.users["audit"])
    page = client.get(reverse("audit:log"))
    assert page.status_code == 200
    assert "registry.search" in page.content.decode()
    by_actor = client.get(reverse("audit:log"), {"actor": "t_city"})
    entries = list(by_actor.context["page"])
    assert entries and {e.actor_name for e in entries} == {"t_city"}
    by_action = client.get(reverse("audit:log"), {"action": "registry.search"})
    assert {e.action for e in by_action.context["page"]} == {"registry.search"}
    by_object = client.get(reverse("audit:log"), {"object_id": "7"})
    assert [e.action for e in by_object.context["page"]] == ["registry.person_view"]
    today = dt.date.today()
    future = client.get(reverse("audit:log"), {"date_from": (today + dt.timedelta(days=2)).isoformat()})
    assert list(future.context["page"]) == []
    around = client.get(
        reverse("audit:log"),
        {
            "date_from": (today - dt.timedelta(days=1)).isoformat(),
            "date_to": (today + dt.timedelta(days=1)).isoformat(),
        },
    )
    assert len(list(around.context["page"])) >= 2


def test_bad_filters_get_a_message(world: World, client: Client) -> None:
    client.force_login(world.users["audit"])
    response = client.get(reverse("audit:log"), {"date_from": "2025-13-40"})
    assert response.status_code == 400
    assert "日期" in response.content.decode()
    swapped = client.get(reverse("audit:log"), {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert swapped.status_code == 400 and "不能晚于" in swapped.content.decode()


def test_verify_button_reports_intact_and_broken(world: World, client: Client) -> None:
    client.force_login(world.users["audit"])
    audit_record(actor="test", action="test.entry")
    ok = client.post(reverse("audit:verify"), follow=True)
    assert "审计日志完整" in ok.content.decode()
    tamper(1)
    broken = client.post(reverse("audit:verify"), follow=True)
    assert "第 1 条记录有问题" in broken.content.decode()


def test_system_admin_cannot_read_or_verify_the_log(world: World, client: Client) -> None:
    client.force_login(world.users["system"])
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403
