"""One inbox per caseworker ("我的待办", issue 13): what waits for the user, from every app.

Each app registers a source in its AppConfig.ready() (the findings assigned to the user, the
applications waiting at the user's step, the re-checks and visits due in the user's area); the
inbox page asks them all and sorts: overdue first, then the most urgent kind of work (money paid
wrongly before coverage gaps before needs), then the nearest due date. A lower app never imports a
higher one: the sources come to this list, not the other way round.

A source answers for one user, day and set of filters with its number of items, how many are
overdue, and its first `limit` items in the inbox's order — so a caseworker with ten thousand
findings gets the first page without every item being built (``Inbox``).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Urgency tiers (lower = sooner): RULES.md's payment findings, then coverage gaps and applications
# for a subsidy, then enrolment and insurance, then needs and re-checks.
MONEY_PAID_WRONGLY = 0
COVERAGE_GAP = 1
ENROLMENT = 2
NEED = 3
RECHECK = 4


@dataclass(slots=True)
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


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    code: str = ""
    township: str = ""
    village: str = ""
    status: str = ""
    overdue: bool = False

    def keeps(self, item: InboxItem, day: dt.date) -> bool:
        """The filters on an item already built (for sources that filter in Python)."""
        return (
            (not self.kind or item.kind == self.kind)
            and (not self.code or item.code == self.code)
            and (not self.township or item.township_code.startswith(self.township))
            and (not self.village or item.village_code.startswith(self.village))
            and (not self.status or item.status == self.status)
            and (not self.overdue or item.overdue_on(day))
        )


@dataclass
class SourceAnswer:
    total: int
    overdue: int
    items: list[InboxItem]  # the first `limit`, in inbox order


Source = Callable[[Any, dt.date, Filters, int], SourceAnswer]
_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    _SOURCES[name] = source


def sort_key(today: dt.date) -> Callable[[InboxItem], tuple[Any, ...]]:
    latest = dt.date.max
    return lambda i: (i.due is None or i.due >= today, i.urgency, i.due or latest, i.person_name)


def answer_from(items: list[InboxItem], today: dt.date, filters: Filters, limit: int) -> SourceAnswer:
    """A source's answer from all its items (small sources)."""
    kept = sorted((i for i in items if filters.keeps(i, today)), key=sort_key(today))
    return SourceAnswer(len(kept), sum(1 for i in kept if i.overdue_on(today)), kept[:limit])


class Inbox:
    """The user's inbox as a sequence (``len`` and slices), for Django's Paginator. Each source is
    asked once for its counts and first `prefetch` items (the page being shown); a slice beyond
    them asks again."""

    def __init__(
        self, user: Any, today: dt.date, filters: Filters | None = None, *, prefetch: int = 0
    ) -> None:
        self.user, self.today, self.filters = user, today, filters or Filters()
        self.prefetched = prefetch
        self.answers = self._ask(prefetch)
        self.total = sum(a.total for a in self.answers)
        self.overdue = sum(a.overdue for a in self.answers)

    def _ask(self, limit: int) -> list[SourceAnswer]:
        return [source(self.user, self.today, self.filters, limit) for source in _SOURCES.values()]

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[InboxItem]:
        stop = index.stop if index.stop is not None else self.total
        answers = self.answers if stop <= self.prefetched else self._ask(stop)
        merged = heapq.merge(*(a.items for a in answers), key=sort_key(self.today))
        return list(merged)[index]
