"""Imports through the API: same checks as the web, the batch result, scope of the history."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huican.exchange.models import ImportBatch
from huican.registry.models import Person
from tests.exchange.helpers import registry_csv
from tests.factories import make_user


def post_import(client: Any, key: str, kind: str, name: str, content: bytes) -> Any:
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/api/v1/imports", {"kind": kind, "file": upload}, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.django_db
def test_an_import_returns_the_batch_result(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any
) -> None:
    key = token_for(city_staff)
    response = post_import(client, key, "registry", "名册.csv", registry_csv(good=3, bad=2))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rows_read"], body["accepted"], body["rejected"]) == (5, 3, 2)
    assert [r["row_number"] for r in body["rejected_rows"]] == [5, 6]
    assert "校验码" in body["rejected_rows"][0]["reasons"]
    assert Person.objects.count() == 3
    batch = ImportBatch.objects.get(pk=body["id"])
    assert batch.imported_by == city_staff and batch.file_name == "名册.csv"
    again = client.get(f"/api/v1/imports/{batch.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert again.status_code == 200 and again.json()["accepted"] == 3
    history = client.get("/api/v1/imports", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [h["id"] for h in history] == [batch.pk]


@pytest.mark.django_db
def test_a_wrong_file_type_is_refused(client: Any, city_staff: Any, token_for: Any, tmp_var: Any) -> None:
    response = post_import(client, token_for(city_staff), "registry", "名册.txt", b"hello")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_file_type"
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_missing_required_column_is_refused_by_name(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any
) -> None:
    response = post_import(
        client, token_for(city_staff), "registry", "名册.csv", "姓名,公民身份号码\n张三,1\n".encode()
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_refused"
    assert "残疾人证号" in error["message"] and "残疾人证号" in error["details"]["missing_columns"]
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_kind_or_missing_file_is_422(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any
) -> None:
    key = token_for(city_staff)
    response = post_import(client, key, "no_such_kind", "a.csv", b"x\n1\n")
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_kind"
    response = client.post("/api/v1/imports", {"kind": "registry"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_a_department_officer_imports_only_their_own_kinds(client: Any, token_for: Any, tmp_var: Any) -> None:
    officer = make_user("department_officer", "140900", username="minzheng", import_kinds=["dibao"])
    key = token_for(officer)
    response = post_import(client, key, "registry", "名册.csv", registry_csv())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    dibao = "公民身份号码,姓名,起始日期\n110102199101010078,某人,2024-01-01\n".encode()
    response = post_import(client, key, "dibao", "低保.csv", dibao)
    assert response.status_code == 201, response.content
    assert response.json()["not_in_registry"] == 1


@pytest.mark.django_db
def test_a_county_user_does_not_see_someone_elses_batch(
    client: Any, city_staff: Any, outsider: Any, token_for: Any, tmp_var: Any
) -> None:
    officer = make_user("department_officer", "140981", username="minzheng", import_kinds=["dibao"])
    dibao = "公民身份号码,姓名,起始日期\n110102199101010078,某人,2024-01-01\n".encode()
    batch_id = post_import(client, token_for(city_staff), "dibao", "低保.csv", dibao).json()["id"]
    response = client.get(f"/api/v1/imports/{batch_id}", HTTP_AUTHORIZATION=f"Bearer {token_for(officer)}")
    assert response.status_code == 404
    response = client.get(f"/api/v1/imports/{batch_id}", HTTP_AUTHORIZATION=f"Bearer {token_for(outsider)}")
    assert response.status_code == 404
