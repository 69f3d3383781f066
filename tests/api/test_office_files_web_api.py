"""The web upload and the API follow FORMATS.md "Office files as they really are" like the CLI:
the header found below title rows (and named), a data date, and a list replaced by much less only
after a person confirms naming both counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huican.exchange.models import ImportBatch, ListRecord
from huican.exchange.snapshots import active_batch_ids
from tests.exchange.helpers import make_id

HEADER = ["公民身份号码", "姓名", "保障类别", "起始日期", "终止日期", "月保障金额（元）"]


def dibao_csv(n: int, *, title: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if title:
        writer.writerow(["2024年最低生活保障对象名单"])
    writer.writerow(HEADER)
    for i in range(n):
        writer.writerow([make_id(f"14090219900101{i:03d}"), f"测{i}", "城市", "2024-01-01", "", "￥500元"])
    return buffer.getvalue().encode("gbk")


def upload(client: Any, content: bytes, data_date: str = "") -> Any:
    data = {"kind": "dibao", "file": SimpleUploadedFile("低保.csv", content)}
    if data_date:
        data["data_date"] = data_date
    return client.post("/imports/upload/", data)


def in_force() -> list[ListRecord]:
    return list(ListRecord.objects.filter(batch_id__in=active_batch_ids("dibao", dt.date.today())))


@pytest.mark.django_db
def test_web_title_rows_named_and_data_date_kept(client: Any, city_staff: Any, tmp_var: Any) -> None:
    client.force_login(city_staff)
    response = upload(client, dibao_csv(3, title=True), data_date="2024-06-30")
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "表头在第 2 行" in page and "2024-06-30" in page
    done = client.post(response["Location"])
    batch = ImportBatch.objects.get(status=ImportBatch.Status.DONE)
    assert batch.data_date == dt.date(2024, 6, 30) and batch.header_row == 2
    assert done.status_code == 302
    result = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "表头在第 2 行" in result and "2024-06-30" in result
    assert sorted(r.amount for r in in_force()) == [500, 500, 500]


@pytest.mark.django_db
def test_web_a_future_data_date_is_refused(client: Any, city_staff: Any, tmp_var: Any) -> None:
    client.force_login(city_staff)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = upload(client, dibao_csv(1), data_date=tomorrow)
    assert response.status_code == 400 and "数据日期不能晚于今天" in response.content.decode()


@pytest.mark.django_db
def test_web_shrink_needs_a_confirmation_naming_both_counts(
    client: Any, city_staff: Any, tmp_var: Any
) -> None:
    client.force_login(city_staff)
    first = upload(client, dibao_csv(10))
    client.get(first["Location"])
    client.post(first["Location"])
    assert len(in_force()) == 10
    second = upload(client, dibao_csv(3))
    preview = client.get(second["Location"]).content.decode()
    assert "我确认用本文件的 3 行替换现行名单的 10 行" in preview
    assert 'name="confirm_shrink" value="3/10" required' in preview
    # Without the confirmation (a browser that ignores `required`): nothing changes.
    unconfirmed = client.post(second["Location"])
    progress = client.get(unconfirmed["Location"]).content.decode()
    assert "数据未作改动" in progress and 'value="3/10"' in progress
    assert len(in_force()) == 10
    # A confirmation naming other counts does not count.
    client.post(second["Location"], {"confirm_shrink": "3/9"})
    assert len(in_force()) == 10
    client.post(second["Location"], {"confirm_shrink": "3/10"})
    assert len(in_force()) == 3
    batch = ImportBatch.objects.filter(status=ImportBatch.Status.DONE).order_by("-id").first()
    assert batch is not None and any("3 行替换现行名单的 10 行" in w for w in batch.warnings)


def post_import(client: Any, key: str, content: bytes, **extra: str) -> Any:
    upload = SimpleUploadedFile("低保.csv", content, content_type="text/csv")
    return client.post(
        "/api/v1/imports", {"kind": "dibao", "file": upload, **extra}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )


@pytest.mark.django_db
def test_api_shrink_and_data_date(client: Any, city_staff: Any, token_for: Any, tmp_var: Any) -> None:
    key = token_for(city_staff)
    created = post_import(client, key, dibao_csv(4, title=True), data_date="2025-01-31")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["data_date"] == "2025-01-31" and body["header_row"] == 2
    assert any("表头在第 2 行" in w for w in body["warnings"])
    refused = post_import(client, key, dibao_csv(1))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "shrink_needs_confirmation"
    assert error["details"]["confirm_shrink"] == "1/4" and error["details"]["in_force_accepted"] == 4
    assert len(in_force()) == 4
    assert post_import(client, key, dibao_csv(1), confirm_shrink="1/3").status_code == 409
    confirmed = post_import(client, key, dibao_csv(1), confirm_shrink="1/4")
    assert confirmed.status_code == 201, confirmed.content
    assert len(in_force()) == 1
