"""Export of the work list to .xlsx in the background: masked by default, full ID numbers only with
a reason; audited; stored encrypted and downloadable by its requester only."""

from __future__ import annotations

import io
import time
from pathlib import Path

import polars as pl
import pytest
from django.urls import reverse

from huican.core.filecrypt import is_encrypted
from huican.core.models import AuditEntry, Job
from huican.core.tasks import always_queue, run_job
from huican.exchange.retention import purge_uploads
from tests.factories import id_number_of
from tests.matching_web.exports import downloaded, job_id_of
from tests.matching_web.world import FindingsWorld

pytestmark = pytest.mark.usefixtures("tmp_var")

EXPORT = reverse("matching:export")
EXPORT_FULL = reverse("matching:export_full")


def sheet(client, started) -> pl.DataFrame:
    response = downloaded(client, started)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return pl.read_excel(io.BytesIO(response.content))


def test_export_masks_id_numbers_and_is_audited(client, fworld: FindingsWorld):
    client.force_login(fworld.users["county"])

    table = sheet(client, client.get(EXPORT, {"code": "medical_not_enrolled"}))

    assert table.height == 1  # the county's own person only
    row = table.row(0, named=True)
    assert row["姓名"] == fworld.near.name
    assert row["公民身份号码"] == fworld.near.id_masked
    assert row["发现类型"] == "医保未参保"
    assert row["县（市、区）"] == "忻府区" and row["处理状态"] == "待核实"
    assert id_number_of(fworld.near) not in str(table.rows())
    entry = AuditEntry.objects.get(action="export.findings")
    assert entry.actor == fworld.users["county"]
    assert entry.detail["rows"] == 1 and entry.detail["full_id_numbers"] is False
    assert entry.detail["filters"] == {"code": "medical_not_enrolled"}


def test_export_follows_the_filters_and_scope(client, fworld: FindingsWorld):
    client.force_login(fworld.users["city"])
    everything = sheet(client, client.get(EXPORT))
    far_only = sheet(client, client.get(EXPORT, {"region": "140921"}))

    assert set(everything["姓名"]) == {fworld.near.name, fworld.far.name}
    assert set(far_only["姓名"]) == {fworld.far.name}
    assert everything.columns[:3] == ["发现类型", "姓名", "公民身份号码"]


def test_full_export_needs_a_reason_and_shows_full_numbers(client, fworld: FindingsWorld):
    client.force_login(fworld.users["city"])

    form = client.get(EXPORT_FULL, {"region": "140902"})
    assert form.status_code == 200 and "导出理由" in form.content.decode()
    refused = client.post(EXPORT_FULL + "?region=140902", {"reason": ""})
    assert refused.status_code == 400 and "请填写导出理由" in refused.content.decode()
    short = client.post(EXPORT_FULL + "?region=140902", {"reason": "核对"[:1]})
    assert short.status_code == 400 and "理由过短" in short.content.decode()
    assert not AuditEntry.objects.filter(action="export.findings").exists()

    table = sheet(client, client.post(EXPORT_FULL + "?region=140902", {"reason": "送医保局逐户核对"}))

    assert set(table["公民身份号码"]) == {id_number_of(fworld.near)}
    entry = AuditEntry.objects.get(action="export.findings")
    assert entry.reason == "送医保局逐户核对"
    assert entry.detail["full_id_numbers"] is True and entry.detail["rows"] == table.height


@pytest.mark.parametrize("role", ["county_plain", "township", "medical"])
def test_full_export_is_refused_to_users_without_full_view(client, fworld: FindingsWorld, role):
    client.force_login(fworld.users[role])
    assert client.get(EXPORT_FULL).status_code == 403
    assert client.post(EXPORT_FULL, {"reason": "送医保局逐户核对"}).status_code == 403
    assert not AuditEntry.objects.filter(action="export.findings").exists()


def test_department_export_holds_only_their_codes(client, fworld: FindingsWorld):
    client.force_login(fworld.users["medical"])
    table = sheet(client, client.get(EXPORT))
    assert set(table["发现类型"]) == {"医保未参保"}


@pytest.mark.parametrize("params", [{"region": "140921"}, {"status": "x"}, {"code": "\x00"}])
def test_export_with_bad_filters_is_a_400(client, fworld: FindingsWorld, params):
    client.force_login(fworld.users["county"])
    page = client.get(EXPORT, params)
    assert page.status_code == 400
    assert "筛选条件有误" in page.content.decode()
    full = client.post(EXPORT_FULL + "?status=x", {"reason": "送医保局逐户核对"})
    assert full.status_code == 400
    assert not AuditEntry.objects.filter(action="export.findings").exists()


def test_an_empty_export_is_a_workbook_with_its_header(client, fworld: FindingsWorld):
    client.force_login(fworld.users["other_township"])
    response = downloaded(client, client.get(EXPORT))
    content = response.content
    assert content[:2] == b"PK"
    assert AuditEntry.objects.get(action="export.findings").detail["rows"] == 0


def test_the_file_is_stored_encrypted_and_only_its_requester_downloads_it(
    client, fworld: FindingsWorld, tmp_var: Path
):
    client.force_login(fworld.users["city"])
    started = client.post(EXPORT_FULL, {"reason": "送医保局逐户核对"})
    job = Job.objects.get(pk=job_id_of(started))
    assert job.kind == "findings.export" and job.created_by == fworld.users["city"]
    stored = list((tmp_var / "media" / "exports").iterdir())
    assert len(stored) == 1 and is_encrypted(stored[0])
    assert id_number_of(fworld.near).encode() not in stored[0].read_bytes()
    assert not AuditEntry.objects.filter(action="export.download").exists()

    for other in ("county", "county_plain", "medical"):  # the same role elsewhere, or another role
        client.force_login(fworld.users[other])
        assert client.get(reverse("matching:export_progress", args=[job.pk])).status_code == 404
        assert client.get(reverse("matching:export_download", args=[job.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="export.download").exists()

    client.force_login(fworld.users["city"])
    response = downloaded(client, started)
    table = pl.read_excel(io.BytesIO(response.content))
    assert id_number_of(fworld.near) in set(table["公民身份号码"])
    entry = AuditEntry.objects.get(action="export.download")
    assert entry.actor == fworld.users["city"] and entry.object_id == str(job.pk)
    assert entry.detail["full_id_numbers"] is True and entry.detail["rows"] == table.height


def test_the_progress_page_waits_for_the_worker(client, fworld: FindingsWorld):
    client.force_login(fworld.users["county"])
    with always_queue():  # as in production: the worker runs it later
        started = client.get(EXPORT)
    job_id = job_id_of(started)
    page = client.get(started["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "导出进度" in text and 'http-equiv="refresh"' in text
    assert reverse("matching:export_download", args=[job_id]) not in text
    assert client.get(reverse("matching:export_download", args=[job_id])).status_code == 404
    assert not AuditEntry.objects.filter(action="export.findings").exists()

    assert run_job(job_id) == Job.Status.DONE
    table = sheet(client, started)
    assert set(table["姓名"]) == {fworld.near.name}
    assert AuditEntry.objects.get(action="export.findings").detail["rows"] == table.height


def test_exports_are_deleted_after_their_retention(client, fworld: FindingsWorld, tmp_var: Path, settings):
    client.force_login(fworld.users["county"])
    started = client.get(EXPORT)
    folder = tmp_var / "media" / "exports"
    assert len(list(folder.iterdir())) == 1
    assert settings.HUICAN_EXPORT_RETENTION_DAYS == 7
    assert purge_uploads(now=time.time() + 6 * 86400).exports == 0
    assert purge_uploads(now=time.time() + 8 * 86400).exports == 1
    assert not list(folder.iterdir())
    assert AuditEntry.objects.get(action="uploads.purge").detail["exports"] == 1
    gone = client.get(reverse("matching:export_download", args=[job_id_of(started)]))
    assert gone.status_code == 404
