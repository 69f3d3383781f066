"""The work list's rules hold in the API exactly as on the web (issue 10, point 7): closing needs a
note, the assignee must be inside the finding's region (and the actor's)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from huican.accounts.models import Role
from huican.api import api_token_create
from huican.matching.models import Finding, FindingRun
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db: None) -> dict[str, Any]:
    world = World()
    run = FindingRun.objects.create(on_date=dt.date(2025, 6, 30), status=FindingRun.Status.DONE)
    person = world.alice
    finding = Finding.objects.create(
        person=person,
        code="dibao_not_covered",
        county_code=person.county_code,
        township_code=person.region_id[:9],
        detail="户人均年收入低于低保线",
        first_seen_run=run,
        last_seen_run=run,
    )
    users = {
        "colleague": make_user(Role.TOWNSHIP_STAFF, "140902001", username="t_colleague"),
        "elsewhere": make_user(Role.COUNTY_STAFF, "140981", username="t_yuanping"),
        "gone": make_user(Role.TOWNSHIP_STAFF, "140902001", username="t_gone", is_active=False),
        "county": world.users["county"],  # sees the finding, but above the township actor
    }
    return {"world": world, "finding": finding, "users": users}


def _web(setup: dict[str, Any], status: str, assignee: str | None, note: str) -> int:
    client = Client()
    client.force_login(setup["world"].users["township"])
    pk = str(setup["users"][assignee].pk) if assignee else ""
    url = reverse("matching:detail", args=[setup["finding"].pk])
    return client.post(url, {"status": status, "assigned_to": pk, "note": note}).status_code


def _api(setup: dict[str, Any], status: str, assignee: str | None, note: str) -> int:
    _token, key = api_token_create(user=setup["world"].users["township"], name="对接")
    body = {
        "status": status,
        "assigned_to": setup["users"][assignee].username if assignee else None,
        "note": note,
    }
    response = Client().patch(
        f"/api/v1/findings/{setup['finding'].pk}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    return response.status_code


REFUSED = [
    ("已处理", None, ""),  # closing without a note
    ("误报", None, "   "),
    ("已核实-需处理", "elsewhere", "转原平"),  # outside the finding's region
    ("已核实-需处理", "gone", "转交"),  # switched off
    ("已核实-需处理", "county", "上报县里"),  # sees it, but outside the township actor's region
]


@pytest.mark.parametrize(("status", "assignee", "note"), REFUSED)
@pytest.mark.parametrize("path", ["web", "api"])
def test_both_paths_refuse_the_same_inputs(
    setup: dict[str, Any], path: str, status: str, assignee: str | None, note: str
) -> None:
    answer = (_web if path == "web" else _api)(setup, status, assignee, note)
    assert answer == (400 if path == "web" else 422)
    finding = Finding.objects.get(pk=setup["finding"].pk)
    assert (finding.status, finding.assigned_to_id, finding.note) == ("待核实", None, "")


@pytest.mark.parametrize("path", ["web", "api"])
def test_both_paths_accept_a_proper_follow_up(setup: dict[str, Any], path: str) -> None:
    answer = (_web if path == "web" else _api)(setup, "已处理", "colleague", "已入户核实并申请低保")
    assert answer == (302 if path == "web" else 200)
    finding = Finding.objects.get(pk=setup["finding"].pk)
    assert finding.status == "已处理" and finding.assigned_to == setup["users"]["colleague"]


def test_the_service_itself_refuses(setup: dict[str, Any]) -> None:
    from huican.matching.services import FindingError, finding_update

    with pytest.raises(FindingError, match="处理结果说明"):
        finding_update(
            finding=setup["finding"], actor=setup["world"].users["township"], status="已处理",
            assigned_to=None, note="",
        )  # fmt: skip
