"""Reads for 我的: everything about one person, the signed-in one (or the one an agent acts for).

Each function takes the ``Person`` the session names and filters by it in the query: nothing here
takes an id from a request. Offices, never staff names, say who has an application.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from huican.benefits.models import Application, ApplicationEvent, Entitlement, RollLine
from huican.benefits.selectors import deadline_of
from huican.benefits.workdays import step_limits
from huican.care.models import ServiceRecord
from huican.core.dates import month_start
from huican.exchange.models import ListRecord
from huican.exchange.snapshots import batch_ids
from huican.regions.models import Region
from huican.registry.models import Person

EXPIRY_WARNING_DAYS = 90
FIRST_VISIT_DAYS = 30  # with no earlier sign-in, 我的 lists the changes of the last 30 days
S = Application.Status


@dataclass(frozen=True)
class CertificateInfo:
    number_masked: str
    category: str
    grade: str
    issue_date: dt.date
    valid_until: dt.date  # the end of validity: renew by then
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def expiring_soon(self) -> bool:
        return 0 <= self.days_left <= EXPIRY_WARNING_DAYS


def certificate_info(person: Person, today: dt.date) -> CertificateInfo:
    """Valid 10 years from issue (《残疾人证管理办法》第十九条); the end of validity is the renewal date,
    the same day the person page and the electronic certificate show (``Person.expiry_date``)."""
    return CertificateInfo(
        number_masked=person.certificate_masked,
        category=person.category_name,
        grade=person.grade_name,
        issue_date=person.issue_date,
        valid_until=person.expiry_date,
        days_left=(person.expiry_date - today).days,
    )


@dataclass(frozen=True)
class BenefitNow:
    name: str
    monthly_amount: Decimal | None
    since: dt.date


def benefits_this_month(person: Person, today: dt.date) -> list[BenefitNow]:
    month = month_start(today)
    rows = Entitlement.objects.filter(person=person, start_month__lte=month).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month)
    )
    return [
        BenefitNow(e.get_benefit_display(), e.monthly_amount, e.start_month) for e in rows.order_by("benefit")
    ]


LINE_STATUS = {"pay": "发放", "hold": "暂缓发放", "stop": "停发"}


@dataclass(frozen=True)
class PaymentRow:
    month: dt.date
    benefit: str
    status: str
    amount: Decimal | None
    arrears: list[dict[str, str]]
    total: Decimal
    reasons: list[str]


def payments(person: Person, today: dt.date, months: int = 12) -> list[PaymentRow]:
    """The person's lines in approved monthly rolls (only approved rolls are stored) of the last
    `months` months, newest first."""
    first = month_start(today)
    for _ in range(months - 1):
        first = month_start(first - dt.timedelta(days=1))
    lines = (
        RollLine.objects.filter(person=person, roll__month__gte=first, roll__month__lte=month_start(today))
        .select_related("roll")
        .order_by("-roll__month", "benefit")
    )
    return [
        PaymentRow(
            month=line.roll.month,
            benefit=line.get_benefit_display(),
            status=LINE_STATUS.get(line.status, line.status),
            amount=line.amount,
            arrears=[a for a in line.arrears if isinstance(a, dict)],
            total=line.total,
            reasons=[str(r.get("detail", r)) if isinstance(r, dict) else str(r) for r in line.reasons],
        )
        for line in lines
    ]


# The approval chain as a person sees it: the step, and the status an application has once past it.
STEPS = (
    ("township", "乡镇（街道）初审", S.TOWNSHIP_PASSED),
    ("federation", "县残联审核", S.FEDERATION_PASSED),
    ("civil_affairs", "县民政局审定", S.IN_NOTICE),
    ("notice", "公示", S.APPROVED),
)
REACHED: dict[str, int] = {
    S.SUBMITTED: 0,
    S.TOWNSHIP_PASSED: 1,
    S.FEDERATION_PASSED: 2,
    S.IN_NOTICE: 3,
    S.APPROVED: 4,
}


def _names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in={c for c in codes if c}).values_list("code", "name"))


def office_of(step: str, application: Application, names: dict[str, str]) -> str:
    county = names.get(application.county_code, "县（市、区）")
    if step == "township":
        return f"{names.get(application.township_code, '乡镇（街道）')}（乡镇人民政府、街道办事处）"
    if step == "federation":
        return f"{county}残疾人联合会"
    return f"{county}民政局"


@dataclass
class StepView:
    name: str
    office: str
    state: str  # "done", "current", "waiting", "stopped" (closed here), "closed" (never reached)
    done_on: dt.date | None = None
    due: dt.date | None = None
    working_days: int | None = None
    overdue: bool = False


@dataclass
class ApplicationView:
    application: Application
    benefit: str
    status: str
    steps: list[StepView] = field(default_factory=list)
    history: list[tuple[dt.datetime, str]] = field(default_factory=list)
    has_notice: bool = False
    next_step: str = ""
    return_reason: str = ""  # what the latest 退回补正 asked for


def applications(person: Person, today: dt.date) -> list[ApplicationView]:
    rows = list(
        Application.objects.filter(person=person).exclude(status=S.DRAFT).order_by("-applied_on", "-id")
    )
    events: dict[int, list[ApplicationEvent]] = {}
    for event in ApplicationEvent.objects.filter(application__person=person).order_by("at", "id"):
        events.setdefault(event.application_id, []).append(event)
    names = _names({a.county_code for a in rows} | {a.township_code for a in rows})
    views = []
    for application in rows:
        own = events.get(application.pk, [])
        reached = max([REACHED.get(e.to_status, 0) for e in own] + [REACHED.get(application.status, 0)])
        current = REACHED.get(application.status)
        deadline = deadline_of(application, today=today)
        limits = step_limits(application.county_code)
        view = ApplicationView(
            application,
            application.get_benefit_display(),
            application.get_status_display(),
            history=[(e.at, message_for(e, application, names)) for e in own],
            has_notice=application.status == S.REJECTED and application.decided_on is not None,
        )
        for index, (step, name, passed_status) in enumerate(STEPS):
            done = next((e.at.date() for e in own if e.to_status == passed_status), None)
            if index < reached:
                state = "done"
            elif current is not None and index == current:
                state = "current"
            elif current is None and index == reached:
                state = "stopped"
            elif current is None:
                state = "closed"
            else:
                state = "waiting"
            item = StepView(name, office_of(step, application, names), state, done_on=done)
            if state == "current" and deadline is not None:
                item.due, item.overdue = deadline.due, deadline.overdue
                item.working_days = None if step == "notice" else limits.get(step)
            view.steps.append(item)
        if application.status == S.RETURNED:
            returned = [e for e in own if e.to_status == S.RETURNED]
            view.return_reason = returned[-1].reason if returned else ""
            view.next_step = "请按退回原因补齐材料：可以在网上补正，也可以到乡镇（街道）受理窗口重新提交。"
        views.append(view)
    return views


def message_for(event: ApplicationEvent, application: Application, names: dict[str, str]) -> str:
    """One change in plain words (the office that has the file now, never a staff member)."""
    benefit = application.get_benefit_display()
    county = names.get(application.county_code, "县")
    township = names.get(application.township_code, "乡镇（街道）")
    texts: dict[str, str] = {
        S.SUBMITTED: f"您的{benefit}网上申请已提交，等待{township}初审"
        if application.source == Application.Source.ONLINE
        else f"您的{benefit}申请已受理，转到{township}初审",
        S.TOWNSHIP_PASSED: f"您的{benefit}申请已转到{county}残联审核",
        S.FEDERATION_PASSED: f"您的{benefit}申请已转到{county}民政局审定",
        S.IN_NOTICE: f"您的{benefit}申请已审定，正在公示",
        S.APPROVED: f"您的{benefit}申请已批准",
        S.RETURNED: f"您的{benefit}申请被退回补正：{event.reason}"
        if event.reason
        else f"您的{benefit}申请被退回补正",
        S.REJECTED: f"您的{benefit}申请不予批准，可以下载不予批准通知书",
        S.WITHDRAWN: f"您的{benefit}申请已撤回",
    }
    return texts.get(event.to_status, f"您的{benefit}申请：{application.get_status_display()}")


def changes_since(
    person: Person, since: dt.datetime | None, now: dt.datetime
) -> list[tuple[dt.datetime, str]]:
    """What happened to the person's applications after `since` (their previous sign-in), newest first."""
    start = since or now - dt.timedelta(days=FIRST_VISIT_DAYS)
    events = list(
        ApplicationEvent.objects.filter(application__person=person, at__gt=start)
        .exclude(to_status=S.DRAFT)
        .select_related("application")
        .order_by("-at", "-id")
    )
    names = _names(
        {e.application.county_code for e in events} | {e.application.township_code for e in events}
    )
    return [(e.at, message_for(e, e.application, names)) for e in events]


def notice_application(person: Person, application_id: Any) -> Application | None:
    """The person's own rejected application (its 不予批准通知书), or None — whoever else's it is."""
    try:
        pk = int(application_id)
    except (TypeError, ValueError):
        return None
    return (
        Application.objects.filter(pk=pk, person=person, status=S.REJECTED, decided_on__isnull=False)
        .select_related("person")
        .first()
    )


@dataclass(frozen=True)
class ServiceRow:
    date: dt.date | None
    kind: str
    project: str
    organisation: str
    result: str
    amount: Decimal | None


def service_records(person: Person, limit: int = 50) -> list[ServiceRow]:
    """Recorded services (care) and imported service rows (the `services` list), newest first."""
    rows = [
        ServiceRow(r.service_date, r.kind, r.project, r.organisation, r.result, r.amount)
        for r in ServiceRecord.objects.filter(person=person).order_by("-service_date", "-id")[:limit]
    ]
    rows += [
        ServiceRow(r.start_date, r.category, r.project, r.organisation, r.status, r.amount)
        for r in ListRecord.objects.filter(
            batch_id__in=batch_ids(("services",)), id_hash=person.id_hash
        ).order_by("-start_date", "-id")[:limit]
    ]
    rows.sort(key=lambda r: r.date or dt.date.min, reverse=True)
    return rows[:limit]
