"""One inbox per caseworker ("我的待办", issue 13): what waits for the user, from every app.

Each app registers a source in its AppConfig.ready() (the findings assigned to the user, the
applications waiting at the user's step, the re-checks and visits due in the user's area); the
inbox page asks them all and sorts: overdue first, then the most urgent kind of work (money paid
wrongly before coverage gaps before needs), then the nearest due date. A lower app never imports a
higher one: the sources come to this list, not the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# Urgency tiers (lower = sooner): RULES.md's payment findings, then coverage gaps and applications
# for a subsidy, then enrolment and insurance, then needs and re-checks.
MONEY_PAID_WRONGLY = 0
COVERAGE_GAP = 1
ENROLMENT = 2
NEED = 3
RECHECK = 4


@dataclass(frozen=True)
class InboxItem:
    kind: str  # 发现 / 申请 / 复核 / 走访 (shown)
    urgency: int
    title: str
    person_id: int | None
    person_name: str
    county_code: str
    township_code: str
    village_code: str
    status: str
    due: dt.date | None
    url: str
    code: str = ""  # a finding's code (for the filter)
    finding_id: int | None = None  # findings can be assigned and changed in bulk
    extra: dict[str, Any] = field(default_factory=dict)

    def overdue_on(self, day: dt.date) -> bool:
        return self.due is not None and day > self.due


Source = Callable[[Any, dt.date], Iterable[InboxItem]]
_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    _SOURCES[name] = source


def items_for(user: Any, today: dt.date) -> list[InboxItem]:
    items = [item for source in _SOURCES.values() for item in source(user, today)]
    return sorted(
        items,
        key=lambda i: (not i.overdue_on(today), i.urgency, i.due or dt.date.max, i.title, i.person_name),
    )
