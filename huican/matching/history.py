"""Run history (比对记录): how many findings each run produced, per code and per county, within
the user's scope, and the change from the previous run, so a supervisor sees whether the backlog
is shrinking. The chart is inline SVG (no script, no style attribute; classes in matching.css)
and always comes with a data table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from huican.exchange.kinds import KINDS
from huican.matching.models import FindingCode, FindingRun
from huican.matching.selectors import run_counts_for
from huican.matching.urgency import by_urgency
from huican.matching.vocabulary import LIST_NAMES
from huican.regions.models import Region

CODE_NAMES = {code: dict(FindingCode.choices)[code] for code in by_urgency(FindingCode.values)}


@dataclass(frozen=True)
class Change:
    label: str
    current: int
    previous: int | None

    @property
    def delta(self) -> int | None:
        return None if self.previous is None else self.current - self.previous

    @property
    def delta_text(self) -> str:
        delta = self.delta
        if delta is None:
            return "—"
        if delta == 0:
            return "持平"
        return f"增加 {delta}" if delta > 0 else f"减少 {-delta}"

    @property
    def direction(self) -> str:
        delta = self.delta
        if not delta:
            return "same"
        return "up" if delta > 0 else "down"


def previous_done_run(run: FindingRun) -> FindingRun | None:
    """The last finished run before `run` that reconciled the work list (what the backlog was)."""
    return (
        FindingRun.objects.filter(
            status=FindingRun.Status.DONE, mode=FindingRun.Mode.RECONCILE, id__lt=run.pk
        )
        .order_by("-id")
        .first()
    )


def scope_total(user: Any, run: FindingRun) -> int:
    return sum(n for places in run_counts_for(user, run).values() for n in places.values())


def place_names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def comparison(user: Any, run: FindingRun, previous: FindingRun | None) -> dict[str, list[Change]]:
    """Changes by code, by place (county, or township for township users) and by code × place."""
    now = run_counts_for(user, run)
    before = run_counts_for(user, previous) if previous else {}
    codes = [code for code in CODE_NAMES if code in now or code in before]
    places = sorted({p for counts in (now, before) for places in counts.values() for p in places})
    names = place_names(set(places))

    def count(counts: dict[str, dict[str, int]], code: str | None, place: str | None) -> int:
        return sum(
            n
            for c, by_place in counts.items()
            if code in (None, c)
            for p, n in by_place.items()
            if place in (None, p)
        )

    def change(label: str, code: str | None, place: str | None) -> Change:
        return Change(label, count(now, code, place), count(before, code, place) if previous else None)

    return {
        "by_code": [change(CODE_NAMES[code], code, None) for code in codes],
        "by_place": [change(names.get(p, p or "（未知）"), None, p) for p in places],
        "by_code_place": [
            change(f"{CODE_NAMES[code]} · {names.get(p, p or '（未知）')}", code, p)
            for code in codes
            for p in places
            if count(now, code, p) or count(before, code, p)
        ],
        "total": [change("合计", None, None)],
    }


def snapshots(run: FindingRun) -> list[dict[str, Any]]:
    """The list snapshots a run read: kind title and import batch numbers."""
    rows = []
    for kind, ids in sorted((run.batch_ids or {}).items()):
        spec = KINDS.get(kind)
        title = LIST_NAMES.get(kind) or (spec.title if spec else kind)
        ids = list(ids or [])
        if not ids:
            text = "（无）"
        elif len(ids) <= 3:
            text = "、".join(f"第 {i} 次导入" for i in ids)
        else:
            text = f"共 {len(ids)} 批（最新为第 {max(ids)} 次导入）"
        rows.append({"kind": kind, "title": title, "batches": text})
    return rows


def bar_chart(*, chart_id: str, title: str, bars: list[tuple[str, int]]) -> SafeString:
    """A vertical bar chart, one bar per run (oldest left), each labelled with its value."""
    width, height, left, bottom, top = 640, 260, 48, 44, 24
    plot_height = height - bottom - top
    highest = max([1, *(value for _, value in bars)])
    slot = (width - left - 8) / max(1, len(bars))
    bar_width = max(6.0, slot * 0.6)
    parts = [
        f'<svg class="findings-chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {height}"'
        f' aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<line class="findings-chart__axis" x1="{left}" y1="{height - bottom}" x2="{width - 4}"'
        f' y2="{height - bottom}"/>',
    ]
    for index, (label, value) in enumerate(bars):
        bar_height = plot_height * value / highest
        x = left + index * slot + (slot - bar_width) / 2
        y = height - bottom - bar_height
        centre = x + bar_width / 2
        parts += [
            f'<rect class="findings-chart__bar" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}"'
            f' height="{bar_height:.1f}"/>',
            f'<text class="findings-chart__value" x="{centre:.1f}" y="{y - 4:.1f}"'
            f' text-anchor="middle">{value}</text>',
            f'<text class="findings-chart__label" x="{centre:.1f}" y="{height - bottom + 16}"'
            f' text-anchor="middle">{escape(label)}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
