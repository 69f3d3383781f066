"""Malformed input to every form of the web shell: a 2xx/3xx/4xx with a message, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import World

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

texts = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30),
    st.sampled_from(
        ["\x00", "\ud7ff", "'; DROP TABLE x;--", "<script>alert(1)</script>", "1.40902E+17", "-1", ""]
    ),
    st.builds(lambda s, n: s * n, st.sampled_from(["测", "9", "x"]), st.integers(1000, 20000)),
)
values = st.one_of(texts, st.integers().map(str), st.lists(st.text(max_size=5), max_size=3))


def check(response: Any) -> None:
    assert response.status_code < 500, response.status_code
    if response.status_code == 400:
        assert response.content, "a 400 must say what is wrong"


def form_data(draw_values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in draw_values.items()}


@FUZZ
@given(data=st.fixed_dictionaries({"username": values, "password": values, "next": values}))
def test_login_form(client: Client, data: dict[str, Any]) -> None:
    response = client.post(reverse("accounts:login"), form_data(data))
    check(response)
    if response.status_code == 400:
        assert "errorlist" in response.content.decode()


@FUZZ
@given(q=values, page=values)
def test_search_form(world: World, client: Client, q: Any, page: Any) -> None:
    client.force_login(world.users["county"])
    check(client.get(reverse("registry:search"), {"q": q, "page": page}))


@FUZZ
@given(reason=values)
def test_reveal_form(world: World, client: Client, reason: Any) -> None:
    client.force_login(world.users["county"])
    response = client.post(reverse("registry:reveal", args=[world.alice.pk]), {"reason": reason})
    check(response)


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "actor": values,
            "action": values,
            "date_from": values,
            "date_to": values,
            "object_id": values,
            "page": values,
        }
    )
)
def test_audit_filter_form(world: World, client: Client, data: dict[str, Any]) -> None:
    client.force_login(world.users["audit"])
    check(client.get(reverse("audit:log"), form_data(data)))


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "username": values,
            "role": values,
            "region_code": values,
            "department": values,
            "import_kinds": values,
            "may_view_full": values,
            "display_name": values,
            "password": values,
        }
    )
)
def test_user_create_form(world: World, client: Client, data: dict[str, Any]) -> None:
    client.force_login(world.users["system"])
    check(client.post(reverse("accounts:user_create"), form_data(data)))


RAW_BODIES = [
    b"username=%FF%FE%00&password=%C3%28",
    b"\xff\xfe\xfd=\x80\x81",
    b"username=" + b"A" * 200_000 + b"&password=x",
    b"reason=%ED%A0%80&reason=x",
    b"q=%00",
    b"&&&===&&",
]


@pytest.mark.parametrize("body", RAW_BODIES)
@pytest.mark.parametrize(
    ("role", "name", "method"),
    [
        (None, "accounts:login", "POST"),
        ("county", "registry:reveal", "POST"),
        ("county", "registry:search", "GET"),
        ("audit", "audit:log", "GET"),
        ("system", "accounts:user_create", "POST"),
    ],
)
def test_invalid_utf8_and_garbage(
    world: World, client: Client, body: bytes, role: str | None, name: str, method: str
) -> None:
    if role:
        client.force_login(world.users[role])
    url = reverse(name, args=[world.alice.pk]) if name == "registry:reveal" else reverse(name)
    if method == "GET":
        response = client.get(url, QUERY_STRING=body.decode("latin-1"))
    else:
        response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    check(response)


def test_wrong_content_type_is_handled(world: World, client: Client) -> None:
    client.force_login(world.users["county"])
    url = reverse("registry:reveal", args=[world.alice.pk])
    check(client.generic("POST", url, b'{"reason": 1}', content_type="application/json"))
    check(client.generic("POST", url, b"--x\r\n", content_type="multipart/form-data; boundary=x"))


@pytest.mark.parametrize(
    "path", ["/persons/abc/", "/persons/-1/", "/persons/99999999999999999999999/", "/search/?q=%ZZ"]
)
def test_malformed_paths(world: World, client: Client, path: str) -> None:
    client.force_login(world.users["county"])
    check(client.get(path))
