"""Issue 10, point 5: long Chinese file names, offsets beyond int64, and the limits on the upload page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huican.exchange.models import ImportBatch
from tests.exchange.helpers import registry_csv

LONG_NAME = (
    "忻州市" + "残疾人两项补贴对象名册" * 8 + "第一批.csv"
)  # 3 + 88 + 3 characters, 270+ bytes in UTF-8


def test_the_name_is_long() -> None:
    assert len(LONG_NAME) - len(".csv") >= 90 and len(LONG_NAME.encode()) > 255


@pytest.mark.django_db
def test_a_long_chinese_file_name_through_the_web(client: Any, city_staff: Any, tmp_var: Any) -> None:
    client.force_login(city_staff)
    response = client.post(
        "/imports/upload/", {"kind": "registry", "file": SimpleUploadedFile(LONG_NAME, registry_csv())}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert client.post(response["Location"]).status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.file_name == LONG_NAME and batch.accepted == 3
    assert client.get(f"/imports/{batch.pk}/").status_code == 200
    download = client.get(f"/imports/{batch.pk}/rejects.csv")
    assert download.status_code == 200 and "rejected.csv" in download["Content-Disposition"]


@pytest.mark.django_db
def test_a_long_chinese_file_name_through_the_api(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any
) -> None:
    upload = SimpleUploadedFile(LONG_NAME, registry_csv(), content_type="text/csv")
    response = client.post(
        "/api/v1/imports",
        {"kind": "registry", "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token_for(city_staff)}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["file_name"] == LONG_NAME


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/imports", "/findings", "/persons?q=王"])
def test_an_offset_beyond_int64_is_a_422(client: Any, city_staff: Any, token_for: Any, path: str) -> None:
    separator = "&" if "?" in path else "?"
    response = client.get(
        f"/api/v1{path}{separator}offset={2**64}", HTTP_AUTHORIZATION=f"Bearer {token_for(city_staff)}"
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_the_upload_page_states_the_limits(client: Any, city_staff: Any) -> None:
    client.force_login(city_staff)
    page = client.get("/imports/upload/").content.decode().replace("\xa0", " ")
    assert "不超过 500.0 MB" in page
    assert "10,000,000 个单元格" in page and "512.0 MB" in page and "30 天后自动删除" in page
