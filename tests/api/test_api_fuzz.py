"""Malformed input never breaks the API: any query string or body gets a 2xx or a 4xx in the one
error shape, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from("0123456789X-/\x00")
    ),
    max_size=40,
)
params = st.dictionaries(
    st.sampled_from(["q", "on", "region", "limit", "offset", "kind", "code", "status", "x"]), text, max_size=4
)
paths = st.sampled_from(
    [
        "/persons",
        "/persons/{pid}",
        "/persons/{pid}/decisions",
        "/standards",
        "/imports",
        "/imports/{pid}",
        "/imports/jobs/{pid}",
        "/findings",
        "/findings/{pid}",
    ]
)


def assert_sound(response: Any) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}


@pytest.mark.django_db
@FUZZ
@given(
    path=paths,
    query=params,
    pid=st.one_of(st.integers(-5, 10**12).map(str), text.filter(lambda s: "/" not in s and s.strip())),
)
def test_any_query_string_gets_a_sound_answer(
    client: Any, city_staff: Any, person: Any, token_for: Any, path: str, query: dict[str, str], pid: str
) -> None:
    url = "/api/v1" + path.replace("{pid}", quote(pid, safe=""))
    response = client.get(url, query, HTTP_AUTHORIZATION=f"Bearer {token_for(city_staff)}")
    assert_sound(response)


@pytest.mark.django_db
@FUZZ
@given(
    kind=st.one_of(st.sampled_from(["registry", "dibao", "survey", "standards"]), text),
    name=st.one_of(
        st.sampled_from(["a.csv", "b.xlsx", "名册.CSV", "x", ".csv"]), text.map(lambda s: s + ".csv")
    ),
    # A NUL inside a cell is its own case (PostgreSQL): test_a_nul_character_inside_a_cell_...
    content=st.one_of(
        st.binary(max_size=300), text.map(lambda s: ("公民身份号码,姓名,起始日期\n" + s).encode())
    ).map(lambda b: b.replace(b"\x00", b"")),
)
def test_any_upload_gets_a_sound_answer(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any, kind: str, name: str, content: bytes
) -> None:
    upload = SimpleUploadedFile(name or "x.csv", content, content_type="application/octet-stream")
    response = client.post(
        "/api/v1/imports",
        {"kind": kind, "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token_for(city_staff)}",
    )
    assert_sound(response)


@pytest.mark.django_db
@FUZZ
@given(
    body=st.one_of(st.binary(max_size=200), text.map(str.encode)),
    content_type=st.sampled_from(["application/json", "text/plain", "multipart/form-data; boundary=x"]),
)
def test_any_raw_body_gets_a_sound_answer(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any, body: bytes, content_type: str
) -> None:
    response = client.generic(
        "POST",
        "/api/v1/imports",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token_for(city_staff)}",
    )
    assert_sound(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params"),
    [("/persons", {"q": "王\x00"}), ("/imports", {"kind": "dibao\x00"}), ("/findings", {"code": "\x00"})],
)
def test_a_nul_character_is_a_422_on_every_database(
    api_get: Any, city_staff: Any, path: str, params: dict[str, str]
) -> None:
    response = api_get(city_staff, path, **params)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["type"] == "nul_character"


@pytest.mark.django_db
def test_a_nul_character_inside_a_cell_is_not_a_server_error(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any
) -> None:
    content = "公民身份号码,姓名,起始日期\n110102199101010078,某\x00人,2024-01-01\n".encode()
    upload = SimpleUploadedFile("低保.csv", content)
    response = client.post(
        "/api/v1/imports",
        {"kind": "dibao", "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token_for(city_staff)}",
    )
    assert_sound(response)
