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
from functools import lru_cache

import chinese_calendar

from huican.benefits.models import CalendarDay, StepLimit

DEFAULT_LIMITS = {
    StepLimit.Step.TOWNSHIP: 10,
    StepLimit.Step.FEDERATION: 10,
    StepLimit.Step.CIVIL_AFFAIRS: 10,
    StepLimit.Step.NOTICE: 5,
}


def calendar_overrides() -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.values_list("date", "is_workday"))


@lru_cache(maxsize=4096)
def _library_workday(day: dt.date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the library does not cover
        return None


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    overrides = calendar_overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    known = _library_workday(day)
    return day.weekday() < 5 if known is None else known


def add_working_days(start: dt.date, n: int, overrides: dict[dt.date, bool] | None = None) -> dt.date:
    """The n-th working day after `start` (n = 0: `start` itself)."""
    overrides = calendar_overrides() if overrides is None else overrides
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, overrides: dict[dt.date, bool] | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    overrides = calendar_overrides() if overrides is None else overrides
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            days += 1
    return days


def step_limits(county_code: str) -> dict[str, int]:
    limits = {str(step): days for step, days in DEFAULT_LIMITS.items()}
    limits.update(dict(StepLimit.objects.filter(county_code=county_code).values_list("step", "working_days")))
    return limits


def all_step_limits() -> dict[tuple[str, str], int]:
    return {(c, s): d for c, s, d in StepLimit.objects.values_list("county_code", "step", "working_days")}
