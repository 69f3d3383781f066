"""就业援助 (employment aid): the aid list and what staff record for the persons on it.

The aid list is the `employment_aid` needs finding (RULES.md: 16–59, the latest survey says 未就业,
no completed 职业技能培训 in the last 365 days), as the work list holds it (``matching``). For a
person staff record:

- 求职登记 (``job_seeking_record``): registered as seeking work, with wishes;
- 职业技能培训 (``training_record``): a ``care`` service record of that kind, so indicator 2
  (training_persons) and the finding itself read it like an imported `services` row;
- a placement in a new job (``placement_record``): employer, date, form (按比例/集中/个体/灵活/
  辅助性/公益性岗位); it closes the open 求职登记 and marks the person's open `employment_aid`
  finding 已处理 with the placement as its note (through ``matching.services.finding_update``);
- a follow-up of a placement (``follow_up_record``): still in work, or the job ended on that day.

New jobs (``new_jobs``) count, per county-level unit and year, the distinct persons with a
placement that started in that year, by each person's own county of household registration (as the
indicators count) — 新增残疾人就业 N 名, the unit of the plan's 十三五 figure (1,917).

Every write is keyword-only, atomic, checked against the actor's region and audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from huican.accounts.access import can, region_prefix_for
from huican.care import services as care_services
from huican.care.models import TRAINING, Result, ServiceRecord
from huican.core.actors import actor_name, user_of
from huican.core.audit import audit_record
from huican.employment.models import JobSeeking, Placement, PlacementFollowUp, PlacementKind
from huican.exchange.validation import credit_code_check_ok
from huican.matching.models import Finding
from huican.matching.selectors import findings_for
from huican.matching.services import finding_update
from huican.registry.models import Person
from huican.registry.selectors import person_scope_q, persons_for

AID_CODE = "employment_aid"
TRAINING_WINDOW_DAYS = 365  # RULES.md: "the last 365 days" = D − 364 .. D

# The stage of a person's aid, from what has been recorded (the list's filter and its column).
STAGES = {
    "none": "尚未服务",
    "seeking": "已求职登记",
    "training": "培训中",
    "trained": "已培训",
    "placed": "已就业",
}


class AidError(Exception):
    """Aid cannot be recorded as asked: field → message (Chinese), "" for the whole form."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


def today() -> dt.date:
    return timezone.localdate()


def aid_persons_for(user: Any) -> QuerySet[Person]:
    """The persons whose employment aid the user may see and record (staff, in their region)."""
    if not can(user, "employment_aid"):
        return Person.objects.none()
    return persons_for(user)


def access_aid_person_by_id(user: Any, person_id: int) -> Person:
    """The person, if the user may see their aid; otherwise Http404 (whether or not they exist)."""
    try:
        return aid_persons_for(user).select_related("region").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该人员") from None


def access_placement_by_id(user: Any, placement_id: int) -> Placement:
    try:
        return Placement.objects.select_related("person").get(
            pk=placement_id, person__in=aid_persons_for(user)
        )
    except (Placement.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该就业记录") from None


def _check_scope(actor: Any, person: Person) -> None:
    if not aid_persons_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("该人员不在您的辖区内，或您的角色无权登记就业援助")


def _check_day(problems: dict[str, str], name: str, day: dt.date | None, person: Person) -> None:
    if day is None:
        problems[name] = "请填写日期"
    elif day > today():
        problems[name] = "日期不能晚于今天"
    elif day < person.birth_date:
        problems[name] = f"日期不能早于出生日期（{person.birth_date:%Y-%m-%d}）"


def _audit(actor: Any, action: str, person: Person, object_type: str, object_id: int, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        region_code=person.region_id,
        detail={"person": person.pk, **detail},
    )


def job_seeking_record(
    *,
    actor: Any,
    person: Person,
    registered_on: dt.date | None,
    wishes: str = "",
    preferred_kind: str = "",
    notes: str = "",
) -> JobSeeking:
    """求职登记. A person has at most one open registration: a second one is refused."""
    _check_scope(actor, person)
    problems: dict[str, str] = {}
    _check_day(problems, "registered_on", registered_on, person)
    if preferred_kind and preferred_kind not in PlacementKind.values:
        problems["preferred_kind"] = "请选择意向就业形式"
    if JobSeeking.objects.filter(person=person, closed_on__isnull=True).exists():
        problems[""] = "该人员已有未结束的求职登记"
    if problems or registered_on is None:
        raise AidError(problems)
    with transaction.atomic():
        seeking = JobSeeking.objects.create(
            person=person,
            registered_on=registered_on,
            wishes=wishes.strip(),
            preferred_kind=preferred_kind,
            notes=notes.strip(),
            recorded_by=user_of(actor),
            recorded_by_name=actor_name(actor, "system"),
        )
        _audit(
            actor,
            "employment.job_seeking",
            person,
            "employment.JobSeeking",
            seeking.pk,
            on=str(registered_on),
        )
    return seeking


def job_seeking_close(
    *, actor: Any, seeking: JobSeeking, closed_on: dt.date | None, reason: str
) -> JobSeeking:
    """End a 求职登记 without a placement (no longer seeking, moved away…): the reason is required."""
    _check_scope(actor, seeking.person)
    problems: dict[str, str] = {}
    _check_day(problems, "closed_on", closed_on, seeking.person)
    if closed_on is not None and closed_on < seeking.registered_on:
        problems["closed_on"] = f"结束日期不能早于登记日期（{seeking.registered_on:%Y-%m-%d}）"
    if not reason.strip():
        problems["reason"] = "请填写结束原因"
    if seeking.closed_on is not None:
        problems[""] = "该求职登记已结束"
    if problems:
        raise AidError(problems)
    with transaction.atomic():
        locked = JobSeeking.objects.select_for_update().get(pk=seeking.pk)
        locked.closed_on = closed_on
        locked.closed_reason = reason.strip()
        locked.save(update_fields=["closed_on", "closed_reason"])
        _audit(
            actor,
            "employment.job_seeking_close",
            locked.person,
            "employment.JobSeeking",
            locked.pk,
            on=str(closed_on),
            reason=locked.closed_reason,
        )
    return locked


def training_record(
    *,
    actor: Any,
    person: Person,
    service_date: dt.date | None,
    organisation: str = "",
    project: str = "",
    result: str = Result.DONE,
    notes: str = "",
) -> ServiceRecord:
    """职业技能培训, recorded as a ``care`` service record (the one place services are kept)."""
    _check_scope(actor, person)
    if service_date is None:
        raise AidError({"service_date": "请填写日期"})
    try:
        return care_services.service_record_create(
            actor=actor,
            person=person,
            kind=TRAINING,
            service_date=service_date,
            organisation=organisation,
            project=project,
            result=result,
            notes=notes,
        )
    except care_services.CareError as error:
        raise AidError(error.problems) from None


def placement_record(
    *,
    actor: Any,
    person: Person,
    employer: str,
    started_on: dt.date | None,
    kind: str,
    credit_code: str = "",
    job: str = "",
    notes: str = "",
) -> Placement:
    """A new job. Closes the open 求职登记 and marks the open `employment_aid` finding 已处理."""
    _check_scope(actor, person)
    problems: dict[str, str] = {}
    if not employer.strip():
        problems["employer"] = "请填写用人单位"
    code = credit_code.strip().upper()
    if code and not credit_code_check_ok(code):
        problems["credit_code"] = "统一社会信用代码不正确（18 位，校验位须正确）"
    _check_day(problems, "started_on", started_on, person)
    if kind not in PlacementKind.values:
        problems["kind"] = "请选择就业形式"
    if problems or started_on is None:
        raise AidError(problems)
    label = PlacementKind(kind).label
    with transaction.atomic():
        placement = Placement.objects.create(
            person=person,
            employer=employer.strip(),
            credit_code=code,
            started_on=started_on,
            kind=kind,
            job=job.strip(),
            notes=notes.strip(),
            recorded_by=user_of(actor),
            recorded_by_name=actor_name(actor, "system"),
        )
        JobSeeking.objects.filter(person=person, closed_on__isnull=True).update(
            closed_on=started_on, closed_reason=f"已就业：{placement.employer}"
        )
        _audit(
            actor,
            "employment.placement",
            person,
            "employment.Placement",
            placement.pk,
            employer=placement.employer,
            kind=kind,
            started_on=str(started_on),
        )
        finding = findings_for(actor, code=AID_CODE).filter(person=person).first() if user_of(actor) else None
        if finding is not None and finding.is_open:
            finding_update(
                finding=finding,
                actor=actor,
                status=Finding.Status.HANDLED,
                assigned_to=finding.assigned_to,
                note=f"已就业：{placement.employer}（{label}，{started_on:%Y-%m-%d} 起）",
            )
    return placement


def follow_up_record(
    *, actor: Any, placement: Placement, followed_on: dt.date | None, in_work: bool, notes: str = ""
) -> PlacementFollowUp:
    """回访 of a placement; a follow-up that finds the person out of work ends the placement that day."""
    person = placement.person
    _check_scope(actor, person)
    problems: dict[str, str] = {}
    _check_day(problems, "followed_on", followed_on, person)
    if followed_on is not None and followed_on < placement.started_on:
        problems["followed_on"] = f"回访日期不能早于就业日期（{placement.started_on:%Y-%m-%d}）"
    if placement.ended_on is not None:
        problems[""] = f"该就业已于 {placement.ended_on:%Y-%m-%d} 结束"
    if not in_work and not notes.strip():
        problems["notes"] = "不在岗时请填写回访情况（离岗原因）"
    if problems or followed_on is None:
        raise AidError(problems)
    with transaction.atomic():
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        follow_up = PlacementFollowUp.objects.create(
            placement=locked,
            followed_on=followed_on,
            in_work=in_work,
            notes=notes.strip(),
            recorded_by=user_of(actor),
            recorded_by_name=actor_name(actor, "system"),
        )
        if not in_work:
            locked.ended_on = followed_on
            locked.save(update_fields=["ended_on", "updated_at"])
        _audit(
            actor,
            "employment.follow_up",
            person,
            "employment.Placement",
            locked.pk,
            on=str(followed_on),
            in_work=in_work,
        )
    return follow_up


# ---- reading ----------------------------------------------------------------------------------


@dataclass
class AidState:
    """What has been recorded for one person's employment aid."""

    seeking: JobSeeking | None = None
    placement: Placement | None = None
    trainings: list[ServiceRecord] = field(default_factory=list)

    @property
    def stage(self) -> str:
        if self.placement is not None:
            return "placed"
        if any(t.result == Result.IN_PROGRESS for t in self.trainings):
            return "training"
        if self.trainings:
            return "trained"
        if self.seeking is not None:
            return "seeking"
        return "none"

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]


def aid_states(person_ids: list[int], *, on: dt.date | None = None) -> dict[int, AidState]:
    """Per person: the open 求职登记, the current placement (not ended) and the 职业技能培训 of the
    last 365 days up to `on` (today by default) — three queries whatever the number of persons."""
    on = on or today()
    states: dict[int, AidState] = defaultdict(AidState)
    for seeking in JobSeeking.objects.filter(person_id__in=person_ids, closed_on__isnull=True).order_by(
        "registered_on", "id"
    ):
        states[seeking.person_id].seeking = seeking
    for placement in Placement.objects.filter(person_id__in=person_ids, ended_on__isnull=True).order_by(
        "started_on", "id"
    ):
        states[placement.person_id].placement = placement
    since = on - dt.timedelta(days=TRAINING_WINDOW_DAYS - 1)
    for record in ServiceRecord.objects.filter(
        person_id__in=person_ids, kind=TRAINING, service_date__range=(since, on)
    ).order_by("service_date", "id"):
        states[record.person_id].trainings.append(record)
    return {pid: states[pid] for pid in person_ids}


def aid_findings_for(user: Any, *, status: str = "open", county: str = "") -> QuerySet[Finding]:
    """The aid list: the `employment_aid` findings the user may see (open ones by default)."""
    if not can(user, "employment_aid"):
        return Finding.objects.none()
    qs = findings_for(user, code=AID_CODE, county=county or None)
    if status == "open":
        qs = qs.filter(status__in=[Finding.Status.PENDING, Finding.Status.CONFIRMED])
    elif status in Finding.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("county_code", "township_code", "person__name", "id")


def stage_q(stage: str, *, on: dt.date | None = None) -> Q:
    """The findings whose person is at `stage` (the list's filter, done in the database)."""
    on = on or today()
    since = on - dt.timedelta(days=TRAINING_WINDOW_DAYS - 1)
    placed = Placement.objects.filter(ended_on__isnull=True).values("person_id")
    trainings = ServiceRecord.objects.filter(kind=TRAINING, service_date__range=(since, on))
    in_training = trainings.filter(result=Result.IN_PROGRESS).values("person_id")
    trained = trainings.values("person_id")
    seeking = JobSeeking.objects.filter(closed_on__isnull=True).values("person_id")
    if stage == "placed":
        return Q(person_id__in=placed)
    if stage == "training":
        return Q(person_id__in=in_training) & ~Q(person_id__in=placed)
    if stage == "trained":
        return Q(person_id__in=trained) & ~Q(person_id__in=in_training) & ~Q(person_id__in=placed)
    if stage == "seeking":
        return Q(person_id__in=seeking) & ~Q(person_id__in=trained) & ~Q(person_id__in=placed)
    if stage == "none":
        return ~Q(person_id__in=seeking) & ~Q(person_id__in=trained) & ~Q(person_id__in=placed)
    return Q()


def person_history(person: Person) -> dict[str, Any]:
    """Everything recorded for one person's aid, newest first."""
    return {
        "seekings": list(JobSeeking.objects.filter(person=person)),
        "trainings": list(ServiceRecord.objects.filter(person=person, kind=TRAINING)),
        "placements": list(Placement.objects.filter(person=person).prefetch_related("follow_ups")),
    }


def new_jobs(*, region_prefix: str, years: list[int]) -> dict[str, Any]:
    """新增就业: distinct persons with a placement starting in each year, per county-level unit
    (the person's county of household registration) and per form of employment.

    Returns {"by_county": {county: {year: n}}, "by_kind": {kind: {year: n}}, "total": {year: n}}.
    A person placed twice in a year counts once in the total and in their county, and once under
    each form they were placed in.
    """
    placements = (
        Placement.objects.filter(
            Q(person__in=Person.objects.filter(person_scope_q(region_prefix))),
            started_on__year__in=years,
        )
        .annotate(year=ExtractYear("started_on"))
        .order_by()
    )
    by_county: dict[str, dict[int, int]] = defaultdict(dict)
    for row in placements.values("person__county_code", "year").annotate(n=Count("person_id", distinct=True)):
        by_county[row["person__county_code"]][row["year"]] = row["n"]
    by_kind: dict[str, dict[int, int]] = defaultdict(dict)
    for kind_row in placements.values("kind", "year").annotate(n=Count("person_id", distinct=True)):
        by_kind[kind_row["kind"]][kind_row["year"]] = kind_row["n"]
    total = {
        row["year"]: row["n"]
        for row in placements.values("year").annotate(n=Count("person_id", distinct=True))
    }
    return {"by_county": dict(by_county), "by_kind": dict(by_kind), "total": total}


def new_jobs_for(user: Any, *, years: list[int]) -> dict[str, Any] | None:
    """``new_jobs`` in the user's region (None for a user who may not see aggregates)."""
    prefix = region_prefix_for(user)
    if prefix is None or not (can(user, "view_aggregates") or can(user, "employment_aid")):
        return None
    return new_jobs(region_prefix=prefix, years=years)
