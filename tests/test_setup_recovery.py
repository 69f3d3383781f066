"""At server start, work left unfinished by a stopped process is marked failed."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.exchange.models import ImportBatch
from huican.matching.models import FindingRun
from huican.server.worker import recover_interrupted_work

pytestmark = pytest.mark.django_db


def test_running_imports_and_runs_are_marked_failed() -> None:
    batch = ImportBatch.objects.create(
        kind="dibao", file_name="x.csv", checksum="c", status=ImportBatch.Status.RUNNING
    )
    done = ImportBatch.objects.create(
        kind="dibao", file_name="y.csv", checksum="d", status=ImportBatch.Status.DONE
    )
    run = FindingRun.objects.create(on_date=dt.date(2025, 1, 1), status=FindingRun.Status.RUNNING)
    recover_interrupted_work()
    batch.refresh_from_db()
    done.refresh_from_db()
    run.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "中断" in batch.message
    assert done.status == ImportBatch.Status.DONE
    assert run.status == FindingRun.Status.FAILED
