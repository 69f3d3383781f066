"""Token authentication, the one error shape, the OpenAPI document, and the token page."""

from __future__ import annotations

from typing import Any

import pytest

from huican.core.models import ApiToken, AuditEntry


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str) and error["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error["message"]
    if code is not None:
        assert error["code"] == code
    return error


@pytest.mark.django_db
def test_it_requires_a_token(client: Any, person: Any) -> None:
    assert_error_shape(client.get("/api/v1/persons", {"q": "王"}), 401, "not_authenticated")
    assert_error_shape(client.get(f"/api/v1/persons/{person.pk}"), 401, "not_authenticated")


@pytest.mark.django_db
def test_it_rejects_a_wrong_token(client: Any, county_staff: Any) -> None:
    response = client.get("/api/v1/persons", {"q": "王"}, HTTP_AUTHORIZATION="Bearer hc_not-a-real-token")
    assert_error_shape(response, 401, "not_authenticated")


@pytest.mark.django_db
def test_a_session_login_is_not_enough(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    assert_error_shape(client.get("/api/v1/standards"), 401)


@pytest.mark.django_db
def test_a_token_works_and_records_its_use(client: Any, county_staff: Any, token_for: Any) -> None:
    key = token_for(county_staff)
    response = client.get("/api/v1/standards", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    token = ApiToken.objects.get(user=county_staff)
    assert token.last_used is not None
    assert token.key_hash != key and key not in token.key_hash  # stored hashed


@pytest.mark.django_db
def test_a_revoked_token_no_longer_works(client: Any, county_staff: Any) -> None:
    from huican.api import api_token_create, api_token_revoke

    token, key = api_token_create(user=county_staff, name="对接")
    api_token_revoke(user=county_staff, token_id=token.pk)
    assert_error_shape(client.get("/api/v1/standards", HTTP_AUTHORIZATION=f"Bearer {key}"), 401)
    assert AuditEntry.objects.filter(action="api_token_revoke", object_id=str(token.pk)).exists()


@pytest.mark.django_db
def test_an_inactive_users_token_does_not_work(client: Any, county_staff: Any, token_for: Any) -> None:
    key = token_for(county_staff)
    county_staff.is_active = False
    county_staff.save()
    assert_error_shape(client.get("/api/v1/standards", HTTP_AUTHORIZATION=f"Bearer {key}"), 401)


@pytest.mark.django_db
def test_the_openapi_document_loads(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for expected in (
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/decisions",
        "/api/v1/standards",
        "/api/v1/imports",
        "/api/v1/imports/{batch_id}",
        "/api/v1/findings",
        "/api/v1/findings/{finding_id}",
    ):
        assert expected in paths
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_an_unknown_path_and_a_wrong_method_keep_the_error_shape(
    client: Any, county_staff: Any, token_for: Any
) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(county_staff)}"}
    assert_error_shape(client.get("/api/v1/no-such-thing", **auth), 404, "not_found")
    assert_error_shape(client.delete("/api/v1/standards", **auth), 405, "method_not_allowed")


@pytest.mark.django_db
def test_validation_errors_keep_the_error_shape(api_get: Any, county_staff: Any, person: Any) -> None:
    error = assert_error_shape(api_get(county_staff, f"/persons/{person.pk}/decisions", on="2024-13-45"), 422)
    assert error["code"] == "validation_error"
    assert error["details"][0]["field"].endswith("on")
    assert_error_shape(api_get(county_staff, "/persons/not-a-number"), 422, "validation_error")
    assert_error_shape(api_get(county_staff, "/persons"), 422, "validation_error")  # q is required


@pytest.mark.django_db
def test_the_token_page_creates_a_token_shown_once(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    response = client.post("/api/tokens/", {"name": "民政对接"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("hc_") and key in response.content.decode()
    assert client.get("/api/tokens/").content.decode().count(key) == 0
    assert client.get("/api/v1/standards", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert AuditEntry.objects.filter(action="api_token_create", actor=county_staff).exists()


@pytest.mark.django_db
def test_a_user_cannot_revoke_someone_elses_token(
    client: Any, county_staff: Any, outsider: Any, token_for: Any
) -> None:
    key = token_for(county_staff)
    token = ApiToken.objects.get(user=county_staff)
    client.force_login(outsider)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(county_staff)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/standards", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_the_token_page_needs_a_login(client: Any, db: Any) -> None:
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
