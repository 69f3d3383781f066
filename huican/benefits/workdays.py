"""Working days for the approval chain's deadlines (BENEFITS.md "Policy basis").

A day is a working day as the State Council's holiday notice says (public holidays off, make-up
Saturdays and Sundays — 调休 — on), read from `chinese-calendar`; staff extend or correct it with
``CalendarDay`` rows (a year the library does not know yet, a local holiday). Where neither knows a
year, Monday to Friday are working days.

A step's deadline is the N-th working day after the day the step received the file (that day does
not count); N is the county's limit for the step (``StepLimit``) or the default below.
"""

from __future__ import annotations

import datetime as dt

from huican.benefits.models import CalendarDay, StepLimit
from huican.core.workdays import add_working_days, is_workday, working_days_between

__all__ = ["add_working_days", "calendar_overrides", "is_workday", "step_limits", "working_days_between"]

DEFAULT_LIMITS = {
    StepLimit.Step.TOWNSHIP: 10,
    StepLimit.Step.FEDERATION: 10,
    StepLimit.Step.CIVIL_AFFAIRS: 10,
    StepLimit.Step.NOTICE: 5,
}


def calendar_overrides() -> dict[dt.date, bool]:
    """The staff's calendar rows (``core.workdays.calendar_source`` reads them through this)."""
    return dict(CalendarDay.objects.values_list("date", "is_workday"))


def step_limits(county_code: str) -> dict[str, int]:
    limits = {str(step): days for step, days in DEFAULT_LIMITS.items()}
    limits.update(dict(StepLimit.objects.filter(county_code=county_code).values_list("step", "working_days")))
    return limits


def all_step_limits() -> dict[tuple[str, str], int]:
    return {(c, s): d for c, s, d in StepLimit.objects.values_list("county_code", "step", "working_days")}
