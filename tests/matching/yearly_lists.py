"""The departments have sent their yearly lists: one row each, of someone outside the registry.

RULES.md: a yearly list with no row at all for the period read (medical / pension for year(D), the
enrolment list for the school year in progress) has not been sent, and its finding is not produced.
Tests of those findings send the lists first.
"""

from __future__ import annotations

import datetime as dt

from tests.factories import make_id_number, make_list_record

OUTSIDER_BIRTH = dt.date(1950, 1, 1)  # no registry person of the tests is born that day


def send_yearly_lists(
    *, year: int = 2025, school_year: str = "2024-2025", kinds: tuple[str, ...] = ()
) -> None:
    """One row of each yearly list (`kinds`, default all three) for the period, for a non-registry ID."""
    for kind in kinds or ("medical", "pension", "enrolment"):
        outsider = make_id_number(birth=OUTSIDER_BIRTH, county="140981")
        if kind == "enrolment":
            make_list_record(kind, outsider, school_year=school_year)
        else:
            make_list_record(kind, outsider, year=year)
