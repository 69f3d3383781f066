"""Working days for the chain's deadlines (BENEFITS.md "Policy basis"): the State Council's holidays
and make-up working days (调休) from chinese-calendar, staff's CalendarDay rows over them, and
Monday to Friday for a year nobody knows yet."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.benefits.models import Application, CalendarDay, StepLimit
from huican.benefits.selectors import deadline_of
from huican.benefits.workdays import add_working_days, is_workday, step_limits, working_days_between

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival 2025: 1-28 … 2-4 off; Sunday 1-26 and Saturday 2-8 are make-up working days
        (D(2025, 1, 26), True),
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),
        (D(2025, 2, 9), False),
        # National Day 2025: 10-1 … 10-8 off; Sunday 9-28 and Saturday 10-11 working
        (D(2025, 9, 28), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),
        (D(2025, 10, 12), False),
        # Spring Festival 2026: 2-15 … 2-23 off; Saturdays 2-14 and 2-28 working
        (D(2026, 2, 14), True),
        (D(2026, 2, 15), False),
        (D(2026, 2, 23), False),
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),
        # National Day 2026: 10-1 … 10-7 off; Sunday 9-20 and Saturday 10-10 working
        (D(2026, 9, 20), True),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),
        # an ordinary week
        (D(2025, 6, 13), True),
        (D(2025, 6, 14), False),
    ],
)
def test_holidays_and_make_up_working_days(day: dt.date, working: bool) -> None:
    assert is_workday(day) is working


def test_counting_across_the_2025_spring_festival() -> None:
    friday = D(2025, 1, 24)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == D(2025, 1, 26)  # the make-up Sunday
    assert add_working_days(friday, 2) == D(2025, 1, 27)
    assert add_working_days(friday, 3) == D(2025, 2, 5)  # after eight days off
    assert working_days_between(friday, D(2025, 2, 5)) == 3
    assert working_days_between(D(2025, 2, 5), friday) == 0


def test_ten_working_days_across_national_day_2025() -> None:
    # 9-28 (Sun), 9-29, 9-30, 10-9, 10-10, 10-11 (Sat), 10-13, 10-14, 10-15, 10-16
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1


def test_counting_across_the_2026_spring_festival() -> None:
    # 2-14 (Sat), 2-24 … 2-27, 2-28 (Sat), 3-2
    assert add_working_days(D(2026, 2, 13), 7) == D(2026, 3, 2)


def test_a_calendar_day_row_overrides_the_library() -> None:
    CalendarDay.objects.create(date=D(2025, 10, 9), is_workday=False, note="本地假日")
    CalendarDay.objects.create(date=D(2025, 10, 12), is_workday=True, note="补班")
    assert is_workday(D(2025, 10, 9)) is False
    assert is_workday(D(2025, 10, 12)) is True
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 10)
    assert add_working_days(D(2025, 10, 10), 2) == D(2025, 10, 12)


def test_a_year_the_library_does_not_know_falls_back_to_monday_to_friday() -> None:
    new_year = D(2028, 1, 3)  # a Monday; 2028 is beyond the library's data
    assert is_workday(new_year) is True
    assert is_workday(D(2028, 1, 1)) is False  # Saturday
    assert add_working_days(D(2028, 1, 7), 1) == D(2028, 1, 10)  # Friday → Monday
    CalendarDay.objects.create(date=new_year, is_workday=False, note="元旦调休")
    assert is_workday(new_year) is False
    assert add_working_days(D(2027, 12, 31), 1) == D(2028, 1, 4)


def test_a_step_deadline_uses_the_countys_limit_in_working_days() -> None:
    assert step_limits("140902")["township"] == 10
    StepLimit.objects.create(county_code="140902", step=StepLimit.Step.TOWNSHIP, working_days=3)
    assert step_limits("140902")["township"] == 3 and step_limits("140981")["township"] == 10
    application = Application(
        status=Application.Status.SUBMITTED, county_code="140902", step_started_on=D(2025, 9, 26)
    )
    deadline = deadline_of(application, today=D(2025, 10, 8))
    assert deadline is not None
    assert (deadline.due, deadline.overdue) == (D(2025, 9, 30), True)
    other = Application(
        status=Application.Status.SUBMITTED, county_code="140981", step_started_on=D(2025, 9, 26)
    )
    assert deadline_of(other, today=D(2025, 10, 8)).due == D(2025, 10, 16)  # type: ignore[union-attr]
