"""Dates: the one place where calendar arithmetic of the rules lives."""

from __future__ import annotations

import datetime as dt


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February becomes 1 March (RULES.md)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years on `on`."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def school_year_on(day: dt.date) -> str:
    """The school year in progress: it starts on 1 September (RULES.md)."""
    if day.month >= 9:
        return f"{day.year}-{day.year + 1}"
    return f"{day.year - 1}-{day.year}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def chinese_date(day: dt.date) -> str:
    """A date in prose: 2026年1月5日 (pages and exports show YYYY-MM-DD in tables)."""
    return f"{day.year}年{day.month}月{day.day}日"
