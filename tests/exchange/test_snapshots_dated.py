"""History stays true: a computation on D reads, per list kind, the snapshot in force on D.

The snapshot in force is the one with the latest data date on or before D (ties: the later import),
or the oldest one when none is that old; service records accumulate whatever the date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from huican.cli import main
from huican.exchange.models import ImportBatch
from huican.exchange.snapshots import active_batch_ids, batches_in_force
from huican.matching.services import findings_run
from huican.monitoring.indicators import compute_indicators
from huican.monitoring.selectors import indicator_rows, indicator_runs
from huican.policy.facts import load_facts, load_facts_by_query
from tests.exchange.helpers import REGISTRY_HEADER, make_id, registry_row, write_csv
from tests.factories import make_list_record, make_person, make_standard

pytestmark = pytest.mark.django_db

DONE = ImportBatch.Status.DONE


def batch(kind: str, data_date: dt.date | None, name: str = "") -> ImportBatch:
    return ImportBatch.objects.create(
        kind=kind, file_name=name or f"{kind}.csv", checksum=name or kind, status=DONE, data_date=data_date
    )


def test_the_snapshot_in_force_is_the_latest_drawn_on_or_before_the_date() -> None:
    older = batch("dibao", dt.date(2022, 1, 1), "a")
    newer = batch("dibao", dt.date(2024, 6, 30), "b")
    assert active_batch_ids("dibao", dt.date(2023, 12, 31)) == [older.pk]
    assert active_batch_ids("dibao", dt.date(2024, 6, 29)) == [older.pk]
    assert active_batch_ids("dibao", dt.date(2024, 6, 30)) == [newer.pk]  # the data date itself
    assert active_batch_ids("dibao", dt.date(2026, 1, 1)) == [newer.pk]
    # Before every data date: the oldest snapshot.
    assert active_batch_ids("dibao", dt.date(2020, 5, 1)) == [older.pk]
    assert active_batch_ids("tekun", dt.date(2026, 1, 1)) == []


def test_a_back_dated_snapshot_and_ties() -> None:
    drawn_2022 = batch("tekun", dt.date(2022, 1, 1), "a")
    back_dated = batch("tekun", dt.date(2021, 1, 1), "b")  # imported later, drawn earlier
    assert active_batch_ids("tekun", dt.date(2023, 1, 1)) == [drawn_2022.pk]
    assert active_batch_ids("tekun", dt.date(2021, 6, 1)) == [back_dated.pk]
    assert active_batch_ids("tekun", dt.date(2020, 1, 1)) == [back_dated.pk]  # the oldest by data date
    same_day = batch("tekun", dt.date(2022, 1, 1), "c")
    assert active_batch_ids("tekun", dt.date(2023, 1, 1)) == [same_day.pk]  # a tie: the later import


def test_no_data_date_means_the_import_date_and_failed_batches_never_count() -> None:
    old = batch("orphan", None, "a")
    ImportBatch.objects.create(
        kind="orphan",
        file_name="x",
        checksum="x",
        status=ImportBatch.Status.FAILED,
        data_date=dt.date(2020, 1, 1),
    )
    today = timezone.localdate()
    assert active_batch_ids("orphan", today) == [old.pk]
    dated = batch("orphan", today - dt.timedelta(days=400), "b")
    assert active_batch_ids("orphan", today - dt.timedelta(days=1)) == [dated.pk]
    assert active_batch_ids("orphan", today) == [old.pk]


def test_service_records_accumulate_whatever_the_date() -> None:
    first = batch("services", dt.date(2025, 1, 1), "a")
    second = batch("services", dt.date(2026, 1, 1), "b")
    assert active_batch_ids("services", dt.date(2021, 1, 1)) == [first.pk, second.pk]
    assert batches_in_force(dt.date(2021, 1, 1))["services"] == [first.pk, second.pk]


def test_facts_on_a_date_read_the_snapshot_in_force_on_it() -> None:
    make_standard()
    early, late = make_person(name="测早"), make_person(name="测晚")
    old = batch("dibao", dt.date(2021, 1, 1), "a")
    new = batch("dibao", dt.date(2025, 7, 1), "b")
    make_list_record("dibao", early, start=dt.date(2020, 1, 1), batch=old)
    make_list_record("dibao", late, start=dt.date(2020, 1, 1), batch=new)
    for load in (load_facts, lambda on: load_facts_by_query(on=on, region="1409")):
        before = load(on=dt.date(2025, 6, 30))
        after = load(on=dt.date(2025, 7, 1))
        assert before.lists["dibao"]["name"].to_list() == ["测早"]
        assert after.lists["dibao"]["name"].to_list() == ["测晚"]
        assert before.batches["dibao"] == [old.pk] and after.batches["dibao"] == [new.pk]


def test_findings_runs_record_the_snapshots_in_force_on_their_date() -> None:
    make_standard()
    old = batch("dibao", dt.date(2021, 1, 1), "a")
    new = batch("dibao", dt.date(2026, 3, 1), "b")
    assert findings_run(on=dt.date(2022, 12, 31), actor="test").batch_ids["dibao"] == [old.pk]
    assert findings_run(on=dt.date(2026, 3, 1), actor="test").batch_ids["dibao"] == [new.pk]


def _dibao_coverage(rows: list[dict]) -> tuple:
    [row] = [r for r in rows if r["code"] == "dibao_coverage" and r["region"] == "140900"]
    return row["numerator"], row["denominator"], row["value"]


def test_a_list_dated_2026_never_changes_the_indicators_of_2022() -> None:
    make_standard()
    covered = make_person(grade=4)
    make_list_record(
        "dibao", covered, start=dt.date(2021, 1, 1), batch=batch("dibao", dt.date(2021, 3, 1), "a")
    )
    d2022, d2026 = dt.date(2022, 12, 31), dt.date(2026, 6, 30)
    before = compute_indicators(year=2022)
    cached_before = indicator_rows(year=2022, on=d2022)
    assert _dibao_coverage(before) == (1, 1, 100)

    batch("dibao", dt.date(2026, 6, 1), "b")  # the current list: nobody of the registry on it

    assert compute_indicators(year=2022) == before
    assert indicator_rows(year=2022, on=d2022) == cached_before
    assert _dibao_coverage(compute_indicators(year=2026, as_of=d2026)) == (0, 0, None)
    # A trend over one facts load reads each date's own snapshots.
    runs = indicator_runs([(2022, d2022), (2026, d2026)])
    assert _dibao_coverage(runs[(2022, d2022)]) == (1, 1, 100)
    assert _dibao_coverage(runs[(2026, d2026)]) == (0, 0, None)


def test_through_the_import_pipeline_a_newer_list_leaves_older_dates_alone(tmp_path: Path, capsys) -> None:
    a, b = make_id("14090219900101001"), make_id("14090219900101002")
    registry = write_csv(
        tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(a), registry_row(b, household="H2")]
    )
    assert main(["import", "registry", str(registry)]) == 0
    header = ["公民身份号码", "姓名", "保障类别", "起始日期", "终止日期", "月保障金额"]
    first = write_csv(tmp_path / "d1.csv", header, [[a, "测甲", "农村", "2021-01-01", "", "450"]])
    second = write_csv(tmp_path / "d2.csv", header, [[b, "测甲", "农村", "2021-01-01", "", "450"]])
    assert main(["import", "dibao", str(first)]) == 0
    assert main(["import", "dibao", str(second)]) == 0
    capsys.readouterr()
    one, two = ImportBatch.objects.filter(kind="dibao", status=DONE).order_by("id")
    # The department states when each list was drawn (the CLI's --data-date sets this field).
    ImportBatch.objects.filter(pk=one.pk).update(data_date=dt.date(2022, 1, 1))
    ImportBatch.objects.filter(pk=two.pk).update(data_date=dt.date(2026, 1, 1))
    assert load_facts(on=dt.date(2025, 12, 31)).batches["dibao"] == [one.pk]
    assert load_facts(on=dt.date(2026, 1, 1)).batches["dibao"] == [two.pk]
    assert load_facts(on=dt.date(2021, 1, 1)).batches["dibao"] == [one.pk]  # before every data date
