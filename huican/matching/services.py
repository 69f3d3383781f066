"""Writing findings: a run computes every finding and reconciles the work list; staff follow up.

Which runs touch the work list (``run_mode``, the one rule the web, the API and the command line
follow): only a run for today's date started by city staff (the city-wide region), or the run the
system starts by itself after an import, reconciles the city's work list (核对工作清单). Any other run
— another date, or started by anyone else — is a read-only view (只读查看): its findings are kept
with the run (``RunFinding``) and nothing in the work list is opened, closed or reopened.
``huican findings`` never writes at all (``compute_run``).

Reconciliation of a run with the stored findings (one per person and code):
- a finding produced for the first time is stored as 待核实;
- an open finding (待核实 / 已核实-需处理) no longer produced is closed: 已处理 with auto_resolved;
- a closed (已处理) finding produced again after having gone away comes back as 待核实;
- a finding marked 误报 stays 误报 (staff judged it; its detail and last run are still updated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from huican.accounts.access import region_prefix_for
from huican.accounts.models import Role
from huican.core.audit import audit_record
from huican.matching.findings import compute_findings, finding_decisions
from huican.matching.missing_lists import MissingList, missing_in_facts
from huican.matching.models import Finding, FindingRun, RunFinding
from huican.policy.facts import load_facts
from huican.policy.vocabulary import prepare

Progress = Callable[[int, str], None]
CHUNK = 900  # ids per IN (...) clause: stays under SQLite's variable limit
OPEN = (Finding.Status.PENDING, Finding.Status.CONFIRMED)
CLOSED = (Finding.Status.HANDLED, Finding.Status.FALSE_POSITIVE)


class FindingError(ValueError):
    """A follow-up that the work list does not allow (unknown status, bad assignee)."""


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _nested_counts(found: pl.DataFrame, place: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for code, where, n in found.group_by("code", place).len().sort("code", place).iter_rows():
        counts.setdefault(code, {})[where or ""] = int(n)
    return counts


def today() -> dt.date:
    """Today's date, the only date whose run may reconcile the work list."""
    return timezone.localdate()


def may_reconcile(actor: Any) -> bool:
    """Whether `actor` is city staff: an active 市残联工作人员 whose region is the whole city."""
    user = _user(actor)
    if user is None or not user.is_active:
        return False
    if user.role != Role.CITY_STAFF:
        return False
    prefix = region_prefix_for(user)
    return prefix is not None and len(prefix) <= 4


def run_mode(*, actor: Any, on: dt.date, automatic: bool = False) -> FindingRun.Mode:
    """核对工作清单 for a run on today's date by city staff (or the system's run after an import);
    只读查看 for every other run."""
    if on != today():
        return FindingRun.Mode.READ_ONLY
    if automatic or may_reconcile(actor):
        return FindingRun.Mode.RECONCILE
    return FindingRun.Mode.READ_ONLY


@dataclass(frozen=True)
class ComputedFindings:
    """Every finding on a date, the yearly lists that were missing, and the list snapshots read."""

    found: pl.DataFrame
    missing: list[MissingList]
    batch_ids: dict[str, list[int]]


def compute_run(*, on: dt.date, region: str | None = None, step: Progress | None = None) -> ComputedFindings:
    """Compute the findings on `on` (of `region`, default everyone) without writing anything."""
    step = step or (lambda percent, message: None)
    step(5, "读取名册和部门名单")
    facts = load_facts(on=on, region=region)
    step(30, "资格判定")
    prepared = prepare(facts, with_texts=False)  # texts only where reasons are quoted
    decisions = finding_decisions(facts, prepared)
    step(55, "比对")
    found = compute_findings(facts, decisions, prepared=prepared)
    return ComputedFindings(found=found, missing=missing_in_facts(facts), batch_ids=facts.batches)


def findings_run_create(*, on: dt.date, actor: Any, automatic: bool = False) -> FindingRun:
    """A pending run (for a background task to execute with ``findings_run``); its mode is decided now."""
    user = _user(actor)
    return FindingRun.objects.create(
        on_date=on,
        mode=run_mode(actor=actor, on=on, automatic=automatic),
        triggered_by=user,
        triggered_by_name=getattr(user, "username", "") if user else str(actor or ""),
    )


def findings_run(
    *,
    on: dt.date,
    actor: Any,
    run: FindingRun | None = None,
    progress: Progress | None = None,
    automatic: bool = False,
) -> FindingRun:
    """Compute every finding on `on`; reconcile the work list if the run may (``run_mode``), else
    keep the findings with the run. Returns the finished run."""
    run = run or findings_run_create(on=on, actor=actor, automatic=automatic)

    def step(percent: int, message: str) -> None:
        FindingRun.objects.filter(pk=run.pk).update(progress=percent, message=message)
        if progress:
            progress(percent, message)

    FindingRun.objects.filter(pk=run.pk).update(status=FindingRun.Status.RUNNING)
    try:
        computed = compute_run(on=on, step=step)
        found, batch_ids = computed.found, computed.batch_ids  # the list snapshots in force on `on`
        with transaction.atomic():
            if run.reconciles:
                step(70, "更新工作清单")
                serialise_reconciliation()
                changes = _reconcile(run, found)
            else:
                step(70, "保存只读查看结果")
                changes = _keep_read_only(run, found)
            run.refresh_from_db()
            run.status = FindingRun.Status.DONE
            run.progress = 100
            run.message = ""
            run.finished_at = timezone.now()
            run.batch_ids = batch_ids
            run.counts = _nested_counts(found, "county")
            run.township_counts = _nested_counts(found, "township_code")
            run.total = found.height
            run.new_count, run.reopened_count, run.resolved_count = changes
            run.missing_lists = [missing.as_dict() for missing in computed.missing]
            run.save()
            audit_record(
                actor=actor,
                action="findings.run",
                object_type="FindingRun",
                object_id=run.pk,
                detail={
                    "on": on.isoformat(),
                    "mode": run.mode,
                    "missing_lists": [missing.kind for missing in computed.missing],
                    "total": run.total,
                    "new": run.new_count,
                    "reopened": run.reopened_count,
                    "resolved": run.resolved_count,
                    "batch_ids": batch_ids,
                },
            )
    except Exception as exc:
        FindingRun.objects.filter(pk=run.pk).update(
            status=FindingRun.Status.FAILED,
            message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return run


RUN_LOCK_KEY = 0x48554943  # "HUIC": PostgreSQL advisory lock of work-list reconciliation


def serialise_reconciliation() -> None:
    """Inside a transaction: wait until no other process is reconciling the work list.

    Runs started by the web server and by `huican findings`-style commands in other processes must
    not reconcile at the same time (both would insert the same new findings). SQLite's IMMEDIATE
    transactions already take the database's write lock at BEGIN; PostgreSQL takes an advisory
    lock held until the transaction ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK_KEY])


def _keep_read_only(run: FindingRun, found: pl.DataFrame) -> tuple[int, int, int]:
    """Store a read-only run's findings with the run; the work list is not touched."""
    RunFinding.objects.filter(run=run).delete()
    RunFinding.objects.bulk_create(
        (
            RunFinding(
                run=run,
                person_id=row["person_id"],
                code=row["code"],
                county_code=row["county"] or "",
                township_code=row["township_code"] or "",
                detail=row["detail"],
            )
            for row in found.iter_rows(named=True)
        ),
        batch_size=1000,
    )
    return 0, 0, 0


def _reconcile(run: FindingRun, found: pl.DataFrame) -> tuple[int, int, int]:
    """Upsert the run's findings into the work list; returns (new, reopened, resolved)."""
    previous = (  # the last run that reconciled (read-only runs never touched the work list)
        FindingRun.objects.filter(
            status=FindingRun.Status.DONE, mode=FindingRun.Mode.RECONCILE, id__lt=run.pk
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    stored = pl.DataFrame(
        list(
            Finding.objects.values_list(
                "id",
                "person_id",
                "code",
                "status",
                "auto_resolved",
                "last_seen_run_id",
                "detail",
                "county_code",
                "township_code",
            ).iterator(chunk_size=5000)
        ),
        schema={
            "id": pl.Int64,
            "person_id": pl.Int64,
            "code": pl.String,
            "status": pl.String,
            "auto_resolved": pl.Boolean,
            "last_seen_run_id": pl.Int64,
            "old_detail": pl.String,
            "old_county": pl.String,
            "old_township": pl.String,
        },
        orient="row",
    )
    joined = found.join(stored, on=["person_id", "code"], how="full", coalesce=True)
    now = timezone.now()

    new = joined.filter(pl.col("id").is_null())
    Finding.objects.bulk_create(
        (
            Finding(
                person_id=row["person_id"],
                code=row["code"],
                county_code=row["county"] or "",
                township_code=row["township_code"] or "",
                detail=row["detail"],
                first_seen_run=run,
                last_seen_run=run,
            )
            for row in new.iter_rows(named=True)
        ),
        batch_size=1000,
    )

    seen = joined.filter(pl.col("id").is_not_null() & pl.col("detail").is_not_null())
    came_back = seen.filter(
        (pl.col("status") == Finding.Status.HANDLED.value)
        & (pl.col("auto_resolved") | (pl.col("last_seen_run_id") != pl.lit(previous)).fill_null(True))
    )
    for ids in _chunks(came_back.get_column("id").to_list()):
        Finding.objects.filter(id__in=ids).update(
            status=Finding.Status.PENDING, auto_resolved=False, resolved_at=None, updated_at=now
        )
    for ids in _chunks(seen.get_column("id").to_list()):
        Finding.objects.filter(id__in=ids).update(last_seen_run=run)
    changed = seen.filter(
        (pl.col("detail") != pl.col("old_detail"))
        | (pl.col("county").fill_null("") != pl.col("old_county"))
        | (pl.col("township_code").fill_null("") != pl.col("old_township"))
    )
    Finding.objects.bulk_update(
        [
            Finding(
                id=row["id"],
                detail=row["detail"],
                county_code=row["county"] or "",
                township_code=row["township_code"] or "",
            )
            for row in changed.iter_rows(named=True)
        ],
        ["detail", "county_code", "township_code"],
        batch_size=500,
    )

    gone = joined.filter(pl.col("detail").is_null() & pl.col("status").is_in([s.value for s in OPEN]))
    for ids in _chunks(gone.get_column("id").to_list()):
        Finding.objects.filter(id__in=ids).update(
            status=Finding.Status.HANDLED, auto_resolved=True, resolved_at=now, updated_at=now
        )
    return new.height, came_back.height, gone.height


def finding_update(*, finding: Finding, actor: Any, status: str, assigned_to: Any, note: str) -> Finding:
    """Record staff's follow-up of one finding (status, assignee, outcome note), audited.

    The actor must be able to see the finding (huican.matching.selectors.findings_for).
    """
    from huican.matching.selectors import findings_for

    if status not in Finding.Status.values:
        raise FindingError(f"处理状态不正确：{status}")
    user = _user(actor)
    if user is not None and not findings_for(user).filter(pk=finding.pk).exists():
        raise PermissionDenied("无权处理该比对发现")
    from huican.matching.worklist_rules import check_follow_up

    # The work list's rules (a note to close, an assignee inside the region): web and API alike.
    check_follow_up(finding=finding, actor=actor, status=status, assigned_to=assigned_to, note=note)
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        before = {"status": locked.status, "assigned_to": locked.assigned_to_id, "note": locked.note}
        added = note.strip()
        locked.status = status
        locked.assigned_to = assigned_to
        # The note is added to the history (the audit log's entries); the finding keeps the latest.
        locked.note = added or locked.note
        if status in CLOSED and before["status"] not in CLOSED:
            locked.resolved_at = timezone.now()
        elif status in OPEN:
            locked.resolved_at = None
        locked.auto_resolved = False
        locked.save(
            update_fields=["status", "assigned_to", "note", "resolved_at", "auto_resolved", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="finding.update",
            object_type="Finding",
            object_id=locked.pk,
            region_code=locked.township_code or locked.county_code,
            reason=added,
            detail={
                "code": locked.code,
                "person_id": locked.person_id,
                "before": before,
                "after": {"status": status, "assigned_to": locked.assigned_to_id, "note": added},
            },
        )
    return locked
