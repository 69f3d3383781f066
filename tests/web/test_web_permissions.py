"""Permission matrix: role × page/action × own/other region → expected HTTP status.

"own" is a person inside every regional user's region (township 140902001 of 忻府区); "other" is a
person in another county (原平市): visible to city staff only. A person outside the user's scope is
404, never 403; a page the role may not use is 403; anonymous users are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import World

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "city", "county", "township", "department", "evaluator", "system", "security", "audit"]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]  # role -> status; roles not listed get `default`
    default: int
    data: dict[str, str] | None = None


def person_url(name: str, view: str = "registry:person") -> Callable[[World], str]:
    return lambda w: reverse(view, args=[getattr(w, name).pk])


STAFF_200 = {"city": 200, "county": 200, "township": 200}
CASES = [
    Case("login page", "GET", lambda w: reverse("accounts:login"), {"anonymous": 200}, 302),
    Case("home", "GET", lambda w: reverse("registry:home"), {"anonymous": 302}, 200),
    Case(
        "search",
        "GET",
        lambda w: reverse("registry:search") + "?q=测试",
        {**STAFF_200, "anonymous": 302},
        403,
    ),
    Case("person own", "GET", person_url("alice"), {**STAFF_200, "anonymous": 302}, 404),
    Case("person teammate", "GET", person_url("carol"), {"city": 200, "county": 200, "anonymous": 302}, 404),
    Case("person other", "GET", person_url("dave"), {"city": 200, "anonymous": 302}, 404),
    Case(
        "reveal form own",
        "GET",
        person_url("alice", "registry:reveal"),
        {"city": 200, "county": 200, "township": 403, "anonymous": 302},
        404,
    ),
    Case(
        "reveal form other",
        "GET",
        person_url("dave", "registry:reveal"),
        {"city": 200, "anonymous": 302},
        404,
    ),
    Case(
        "reveal own",
        "POST",
        person_url("alice", "registry:reveal"),
        {"city": 200, "county": 200, "township": 403, "anonymous": 302},
        404,
        {"reason": "核对低保申请材料"},
    ),
    Case(
        "reveal other",
        "POST",
        person_url("dave", "registry:reveal"),
        {"city": 200, "anonymous": 302},
        404,
        {"reason": "核对低保申请材料"},
    ),
    Case("audit log", "GET", lambda w: reverse("audit:log"), {"audit": 200, "anonymous": 302}, 403),
    Case("audit verify", "POST", lambda w: reverse("audit:verify"), {"audit": 302, "anonymous": 302}, 403),
    Case("users", "GET", lambda w: reverse("accounts:users"), {"system": 200, "anonymous": 302}, 403),
    Case(
        "user create form",
        "GET",
        lambda w: reverse("accounts:user_create"),
        {"system": 200, "anonymous": 302},
        403,
    ),
    Case(
        "user create",
        "POST",
        lambda w: reverse("accounts:user_create"),
        {"system": 302, "anonymous": 302},
        403,
        {"username": "newbie", "role": "evaluator", "region_code": "140900", "password": "Xinzhou#New2025"},
    ),
    Case("security", "GET", lambda w: reverse("accounts:security"), {"security": 200, "anonymous": 302}, 403),
    Case(
        "unlock",
        "POST",
        lambda w: reverse("accounts:unlock", args=[w.users["city"].pk]),
        {"security": 302, "anonymous": 302},
        403,
    ),
    Case("logout", "POST", lambda w: reverse("accounts:logout"), {}, 302),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_permission_matrix(world: World, client: Client, case: Case, role: str) -> None:
    if role != "anonymous":
        client.force_login(world.users[role])
    url = case.url(world)
    if case.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, case.data or {})
    expected = case.expected.get(role, case.default)
    assert response.status_code == expected, f"{case.name} as {role}: {response.status_code} != {expected}"
    if role == "anonymous" and expected == 302 and case.name not in ("logout",):
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["department", "evaluator", "system", "security", "audit"])
def test_roles_without_registry_never_learn_a_person_exists(world: World, client: Client, role: str) -> None:
    """Same 404 for an existing person and a made-up number: nothing to probe."""
    client.force_login(world.users[role])
    existing = client.get(reverse("registry:person", args=[world.alice.pk]))
    missing = client.get(reverse("registry:person", args=[10**9]))
    assert existing.status_code == missing.status_code == 404
    assert world.alice.name not in existing.content.decode()
    title = existing.content.decode().split("<title>")[1].split("</title>")[0]
    assert title == missing.content.decode().split("<title>")[1].split("</title>")[0]


STAFF_WORK = {"我的待办", "补贴经办", "服务记录", "群众诉求", "按比例就业"}
NAV = {
    "city": {"首页", "查询", "导入", "标准", "发现", "监测"} | STAFF_WORK,
    "county": {"首页", "查询", "标准", "发现", "监测"} | STAFF_WORK,
    "township": {"首页", "查询", "标准", "发现", "监测"} | STAFF_WORK,
    "department": {"首页", "我的待办", "导入", "发现"},
    "evaluator": {"首页", "标准", "发现", "监测"},
    "system": {"首页", "用户"},
    "security": {"首页", "安全", "授权审批"},
    "audit": {"首页", "审计", "安全概况"},
}


@pytest.mark.parametrize(("role", "labels"), NAV.items())
def test_nav_shows_only_what_the_role_may_use(
    world: World, client: Client, role: str, labels: set[str]
) -> None:
    from huican.accounts.templatetags.huican_nav import NAV_ITEMS

    client.force_login(world.users[role])
    html = client.get(reverse("registry:home")).content.decode()
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    shown = {label for label, _, _ in NAV_ITEMS if f">{label}</a>" in nav}
    assert shown == labels
