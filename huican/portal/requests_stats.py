"""The counts of the requests (群众诉求) for the staff dashboard: by category, by county, the on-time
rate (replied on or before the due date, over replied) and the open requests past their date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from huican.portal.models import CitizenRequest
from huican.regions.models import Region

OPEN = (CitizenRequest.Status.RECEIVED, CitizenRequest.Status.HANDLING)


@dataclass
class RequestStats:
    year: int
    total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)  # (label, count), every category
    by_county: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    # (county code, name, received, replied, replied on time)
    replied: int = 0
    on_time: int = 0
    open_overdue: int = 0
    satisfaction: list[tuple[str, int]] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        """Replied on or before the due date, over replied (None when nothing was replied)."""
        return self.on_time / self.replied if self.replied else None


def requests_stats(region: str, year: int, *, today: dt.date | None = None) -> RequestStats:
    """Counts of the requests received in `year` by the offices inside `region` (a code prefix:
    ``"1409"`` the city, a county, a township): by category, by county (received, replied, on
    time), the on-time rate, and how many are still open past their due date (now)."""
    today = today or timezone.localdate()
    scope = CitizenRequest.objects.filter(region__code__startswith=region, received_on__year=year)
    stats = RequestStats(year=year, total=scope.count())
    categories = dict(scope.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    stats.by_category = [(label, categories.get(code, 0)) for code, label in CitizenRequest.Category.choices]
    replied_q = Q(replied_on__isnull=False)
    on_time_q = replied_q & Q(replied_on__lte=F("due_on"))
    rows = (
        scope.values("county_code")
        .annotate(n=Count("id"), replied=Count("id", filter=replied_q), on_time=Count("id", filter=on_time_q))
        .order_by("county_code")
    )
    names = dict(Region.objects.filter(code__in=[r["county_code"] for r in rows]).values_list("code", "name"))
    stats.by_county = [
        (r["county_code"], names.get(r["county_code"], r["county_code"]), r["n"], r["replied"], r["on_time"])
        for r in rows
    ]
    stats.replied = sum(r[3] for r in stats.by_county)
    stats.on_time = sum(r[4] for r in stats.by_county)
    stats.open_overdue = scope.filter(status__in=OPEN, due_on__lt=today).count()
    rated = dict(
        scope.exclude(satisfaction="")
        .values_list("satisfaction")
        .annotate(n=Count("id"))
        .values_list("satisfaction", "n")
    )
    stats.satisfaction = [(label, rated.get(code, 0)) for code, label in CitizenRequest.Satisfaction.choices]
    return stats
