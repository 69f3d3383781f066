"""The draft roll of the web and the API, computed in the background, and the approval as a job.

A draft (``roll.compute_roll``) of a county takes seconds and of the whole city of a million persons
tens of seconds, too long for a web request, so the page queues it (``tasks.submit``) and shows its
progress. The finished draft is kept for display as two parquet files (lines, recoveries) encrypted
with the data key (``core.filecrypt``) under ``$HUICAN_VAR_DIR/benefits/drafts``, named after the job;
drafts older than :data:`KEEP_DAYS` are deleted when a new one is written. A draft shows the data as
they were when it was computed: approving computes the roll afresh (``rolls.approve_roll``), and the
approval's result says when its totals differ from the draft's the officer confirmed.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import uuid
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from huican.accounts.access import can, region_prefix_for
from huican.benefits.roll import LINE_SCHEMA, RECOVERY_SCHEMA, DraftRoll, compute_roll
from huican.benefits.rolls import RollError, approve_roll, totals_json, yuan
from huican.core.filecrypt import encrypt_bytes_to, private_dir, read_decrypted
from huican.core.models import Job
from huican.regions.divisions import CITY_CODE

DRAFT_JOB = "benefits.roll_draft"
APPROVE_JOB = "benefits.roll_approve"
KEEP_DAYS = 7


def drafts_dir() -> Path:
    return private_dir(Path(settings.VAR_DIR) / "benefits" / "drafts")


def parse_month(text: str) -> dt.date:
    """`YYYY-MM` → the first day of that month (ValueError otherwise)."""
    return dt.datetime.strptime(text.strip(), "%Y-%m").date()


def region_covers(prefix: str, region: str) -> bool:
    """Whether a user of scope `prefix` may see the roll of `region` (the city needs the city)."""
    if region == CITY_CODE:
        return len(prefix) <= 4
    return region.startswith(prefix)


def may_see_roll_of(user: Any, region: str) -> bool:
    prefix = region_prefix_for(user) if can(user, "view_benefits") else None
    return prefix is not None and region_covers(prefix, region)


def may_approve(user: Any, region: str) -> bool:
    """Only the county civil-affairs officer approves, and only the roll of their own county."""
    if not can(user, "approve_rolls"):
        return False
    county = region_prefix_for(user) or ""
    return len(county) == 6 and region == county


def _files(key: str) -> tuple[Path, Path]:
    folder = drafts_dir()
    return folder / f"{key}-lines.enc", folder / f"{key}-recoveries.enc"


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def _purge_old() -> None:
    limit = time.time() - KEEP_DAYS * 86400
    for path in drafts_dir().glob("*.enc"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def draft_summary(draft: DraftRoll) -> dict[str, Any]:
    """What the page shows above the lines: counts per status, money, totals per county and township."""
    statuses = dict(draft.lines.group_by("status").len().iter_rows())
    recovery_fen = int(draft.recoveries.get_column("amount_fen").sum() or 0)
    return {
        "month": f"{draft.month:%Y-%m}",
        "region": draft.region,
        "lines": draft.lines.height,
        "pay": int(statuses.get("pay", 0)),
        "hold": int(statuses.get("hold", 0)),
        "stop": int(statuses.get("stop", 0)),
        "paid_total": str(yuan(int(draft.lines.get_column("total_fen").sum() or 0))),
        "recoveries": draft.recoveries.height,
        "recovery_total": str(yuan(recovery_fen)),
        "totals": totals_json(draft),
        "township_totals": totals_json(draft, level="township_code"),
    }


def roll_draft_job(*, month: str, region: str, progress: Any) -> dict[str, Any]:
    """The background job: compute the draft of `month` for `region` and keep it for display."""
    started = time.perf_counter()
    draft = compute_roll(month=parse_month(month), region=region, progress=progress)
    seconds = round(time.perf_counter() - started, 2)
    progress(97, "保存草稿")
    key = f"{getattr(progress, 'job_id', 'x')}-{uuid.uuid4().hex[:12]}"
    lines_path, recoveries_path = _files(key)
    encrypt_bytes_to(lines_path, _parquet(draft.lines))
    encrypt_bytes_to(recoveries_path, _parquet(draft.recoveries))
    _purge_old()
    return {
        **draft_summary(draft),
        "key": key,
        "seconds": seconds,
        "computed_at": dt.datetime.now().isoformat(),
    }


def load_draft(job: Job) -> DraftRoll | None:
    """The stored draft of a finished draft job, or None when its files are gone (purged)."""
    key = str((job.result or {}).get("key", ""))
    if not key or "/" in key or ".." in key:
        return None
    lines_path, recoveries_path = _files(key)
    if not (lines_path.exists() and recoveries_path.exists()):
        return None
    lines = pl.read_parquet(io.BytesIO(read_decrypted(lines_path))).cast(LINE_SCHEMA)  # type: ignore[arg-type]
    recoveries = pl.read_parquet(io.BytesIO(read_decrypted(recoveries_path))).cast(RECOVERY_SCHEMA)  # type: ignore[arg-type]
    return DraftRoll(
        month=parse_month(job.result["month"]),
        region=job.result["region"],
        lines=lines,
        recoveries=recoveries,
    )


def start_draft(*, actor: Any, month: dt.date, region: str) -> Job:
    from huican.core.tasks import submit

    return submit(kind=DRAFT_JOB, actor=actor, func=roll_draft_job, month=f"{month:%Y-%m}", region=region)


def draft_job_for(user: Any, job_id: int) -> Job | None:
    """A draft job whose region the user may see (anyone's draft of that region: no personal data
    in the job itself; the lines are shown under the page's own masking rules)."""
    job = Job.objects.filter(pk=job_id, kind=DRAFT_JOB).first()
    if job is None or not may_see_roll_of(user, str(job.arguments.get("region", ""))):
        return None
    return job


def roll_approve_job(
    *, month: str, region: str, actor_id: int, expected_total: str = "", progress: Any
) -> dict[str, Any]:
    """The background job of an approval: ``approve_roll`` as the officer who confirmed it. A refusal
    (``RollError``) is the job's result, in Chinese, not a failure of the job."""
    from huican.accounts.models import User

    actor = User.objects.get(pk=actor_id)
    try:
        roll = approve_roll(month=parse_month(month), region=region, actor=actor, progress=progress)
    except RollError as exc:
        return {"error": str(exc)}
    changed = bool(expected_total) and str(roll.paid_total) != expected_total
    return {
        "roll_id": roll.pk,
        "paid_total": str(roll.paid_total),
        "expected_total": expected_total,
        "changed": changed,
    }


def start_approval(*, actor: Any, month: dt.date, region: str, expected_total: str) -> Job:
    from huican.core.tasks import submit

    return submit(
        kind=APPROVE_JOB,
        actor=actor,
        func=roll_approve_job,
        month=f"{month:%Y-%m}",
        region=region,
        actor_id=actor.pk,
        expected_total=expected_total,
    )


def approval_job_for(user: Any, job_id: int) -> Job | None:
    """An approval job, for the officer who started it only."""
    return Job.objects.filter(pk=job_id, kind=APPROVE_JOB, created_by=user).first()
