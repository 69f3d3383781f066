"""Every GET page of the whole URL map, as every role: never a 500; anonymous users never get a
personal page. New pages are covered automatically (their own tests check the exact statuses)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import World

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "city", "county", "township", "department", "evaluator", "system", "security", "audit"]
SKIP_PREFIXES = ("static/",)
PUBLIC_PREFIXES = (
    "accounts/login/",
    "api/",
    "portal/",
)  # public, answering for itself (JSON 401), or the citizen portal (its own sign-in)


def _walk(patterns: list, prefix: str = "") -> Iterator[str]:  # type: ignore[type-arg]
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def concrete(route: str, object_id: int) -> str | None:
    """A real path for a route: <int:…> → an existing id; other converters and regexes are skipped."""
    if route.startswith("^") or "(?P" in route:
        return None
    path = re.sub(r"<int:[a-z_]+>", str(object_id), route)
    if "<" in path:
        return None
    return "/" + path


def all_paths(object_id: int) -> list[str]:
    paths = {concrete(route, object_id) for route in _walk(get_resolver().url_patterns)}
    return sorted(p for p in paths if p and not p.lstrip("/").startswith(SKIP_PREFIXES))


@pytest.mark.parametrize("role", ROLES)
def test_no_page_fails_for_any_role(world: World, client: Client, role: str) -> None:
    if role != "anonymous":
        client.force_login(world.users[role])
    failures = []
    for path in all_paths(world.alice.pk):
        response = client.get(path)
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
        public = path.lstrip("/").startswith(PUBLIC_PREFIXES)
        if role == "anonymous" and not public and response.status_code == 200:
            failures.append(f"{path}: 200 for an anonymous visitor")
    assert not failures, "\n".join(failures)
