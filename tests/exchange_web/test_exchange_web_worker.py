"""Issue 10, point 5: a large upload is imported in a worker process (spawned, its own database
connection), whose memory goes back to the system when it ends."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huican.core.models import Job
from huican.exchange import worker
from huican.exchange.models import ImportBatch
from huican.registry.models import Person
from tests.exchange.helpers import registry_csv
from tests.factories import make_user


@pytest.mark.django_db(transaction=True)
def test_an_upload_above_the_threshold_is_imported_in_a_worker_process(
    client: Any, tmp_var: Path, settings: Any, monkeypatch: Any
) -> None:
    settings.HUICAN_IMPORT_PROCESS_BYTES = 0  # every upload counts as large…
    settings.HUICAN_PREVIEW_INLINE_BYTES = 0  # …and is checked for its preview in the background
    started: list[int] = []
    original = multiprocessing.get_context("spawn").Process.start

    def start(self: Any) -> None:
        original(self)
        started.append(self.pid)

    monkeypatch.setattr(multiprocessing.get_context("spawn").Process, "start", start)
    user = make_user("city_staff", "140900", username="city")
    client.force_login(user)
    response = client.post(
        "/imports/upload/",
        {"kind": "registry", "file": SimpleUploadedFile("名册.csv", registry_csv(good=3, bad=2))},
    )
    assert client.get(response["Location"]).status_code == 200  # the background check has run
    assert Job.objects.get(kind="import.preview").status == Job.Status.DONE
    preview = client.get(response["Location"])
    assert preview.context["preview"].would_reject == 2
    client.post(response["Location"])
    job = Job.objects.get(kind="import")
    assert job.status == Job.Status.DONE, job.message
    batch = ImportBatch.objects.get()
    assert (batch.accepted, batch.rejected) == (3, 2) and Person.objects.count() == 3
    assert len(started) == 2 and os.getpid() not in started  # the check and the import ran elsewhere
    assert job.progress == 100
    download = client.get(f"/imports/{batch.pk}/rejects.csv")
    assert len(b"".join(download.streaming_content).decode("utf-8-sig").strip().splitlines()) == 3


def test_a_failing_worker_fails_the_job_with_its_reason(tmp_path: Path) -> None:
    with pytest.raises(worker.WorkerFailed, match="ModuleNotFoundError"):
        worker.run_in_process("huican.no_such_module:run", job_id=None, kwargs={})


@pytest.mark.django_db
def test_a_small_xlsx_counts_by_what_it_unpacks_to(client: Any, tmp_var: Path, settings: Any) -> None:
    """A 2 MB .xlsx can hold millions of cells: the work is measured by its unpacked size."""
    import io

    import xlsxwriter

    from huican.exchange.views import load_upload, work_bytes

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["公民身份号码", "姓名", "残疾人证号"])
    for row in range(1, 3000):
        sheet.write_row(row, 0, ["140902199001010016", "测甲", "x" * 20])
    book.close()
    user = make_user("city_staff", "140900", username="city")
    client.force_login(user)
    upload = SimpleUploadedFile("名册.xlsx", buffer.getvalue())
    token = (
        client.post("/imports/upload/", {"kind": "registry", "file": upload})["Location"]
        .rstrip("/")
        .split("/")[-1]
    )
    meta = load_upload(user, token)
    assert meta["unpacked_size"] > 2 * meta["size"] and work_bytes(meta) == meta["unpacked_size"]
