"""Working days (deadlines of applications, findings, re-checks).

A day is a working day as the State Council's holiday notice says (public holidays off, make-up
Saturdays and Sundays — 调休 — on), read from `chinese-calendar`; staff extend or correct it with
dated rows the benefits app keeps (``benefits.CalendarDay``, provided through
``calendar_source``). Where neither knows a year, Monday to Friday are working days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from huican.core.hooks import Hook

# () → {date: is_workday}: the staff's own calendar rows.
calendar_source = Hook("core.calendar_source")


def calendar_overrides() -> dict[dt.date, bool]:
    return calendar_source() if calendar_source.provided else {}


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
