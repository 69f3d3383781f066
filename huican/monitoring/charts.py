"""Server-rendered inline SVG charts for the dashboard (no JavaScript, no CDN, no style attributes).

Every chart is ``role="img"`` with a ``<title>``; the page puts it in a ``<figure>`` with a caption
that summarises it and a data table beside it, for screen readers. Series are told apart without
colour: the values are a solid line with round markers and a printed value, the target a dashed line
labelled 目标, the projection a dotted line with a diamond labelled 预测; in a ranking a unit that
misses the target has a hatched bar and the words 未达标. Colours and fonts come from classes
defined in ``huican/static/css/monitoring.css``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from huican.monitoring.reports.summary import Summary


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int | None
    met: bool | None
    highlight: bool = False


# Units that count whole persons, households or things: a figure in them is printed as an integer
# (a projection of 1,046.5 persons is "1,047 人"); every other unit keeps up to two decimals.
INTEGER_UNITS = frozenset({"人", "户", "人次", "个", "家", "所", "名", "项", "次", "件"})


def format_value(value: float | int | Decimal | None, unit: str = "") -> str:
    """A figure as printed everywhere: "—" for null, integers for counted units (rounded half-up),
    otherwise up to two decimals; the unit after ("85%", "4,000 人")."""
    if value is None:
        return "—"
    if unit in INTEGER_UNITS:
        text = f"{int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"
    elif not float(value).is_integer():
        text = f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}".rstrip(
            "0"
        ).rstrip(".")
    else:
        text = f"{int(value):,}"
    return f"{text}{unit}" if unit == "%" else (f"{text} {unit}" if unit else text)


def axis_range(values: Sequence[float], *, percent: bool) -> tuple[float, float]:
    low = min([0.0, *values])
    high = max([0.0, *values])
    if percent and high <= 100 and low >= 0:
        return 0.0, 100.0
    if high == low:
        high = low + 1
    span = high - low
    step = 10 ** math.floor(math.log10(span)) if span > 0 else 1
    return math.floor(low / step) * step, math.ceil(high * 1.1 / step) * step


def axis_ticks(low: float, high: float, count: int = 4) -> list[float]:
    return [low + (high - low) * i / count for i in range(count + 1)]


def trend_chart(
    *,
    chart_id: str,
    title: str,
    years: Sequence[int],
    values: Sequence[float | int | None],
    unit: str,
    target: float | int | None = None,
    projection: tuple[int, float] | None = None,
    percent: bool = True,
) -> SafeString:
    """Values per year as a line, with the target as a dashed line and the projection dotted."""
    width, height = 640, 260
    left, right, top, bottom = 64, 96, 18, 36
    all_years = list(years) + ([projection[0]] if projection and projection[0] not in years else [])
    numbers = [float(v) for v in values if v is not None]
    if target is not None:
        numbers.append(float(target))
    if projection:
        numbers.append(float(projection[1]))
    low, high = axis_range(numbers, percent=percent)
    first, last = min(all_years), max(all_years)

    inset = 28  # keep the first and last value labels clear of the axis labels

    def x(year: int) -> float:
        if last == first:
            return left + (width - left - right) / 2
        return left + inset + (year - first) * (width - left - right - 2 * inset) / (last - first)

    def y(value: float) -> float:
        return top + (high - float(value)) * (height - top - bottom) / (high - low)

    parts = [
        f'<svg class="chart chart--trend" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for tick in axis_ticks(low, high):
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
        )
        parts.append(
            f'<text class="chart-axis" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(round(tick, 2), unit))}</text>"
        )
    for year in all_years:
        parts.append(
            f'<text class="chart-axis" x="{x(year):.1f}" y="{height - bottom + 18}" text-anchor="middle">{year}</text>'
        )
    if target is not None:
        parts.append(
            f'<line class="chart-target" x1="{left}" x2="{width - right}" y1="{y(target):.1f}" y2="{y(target):.1f}"/>'
        )
        parts.append(
            f'<text class="chart-label" x="{width - right + 4}" y="{y(target) + 4:.1f}">'
            f"目标 {escape(format_value(target, unit))}</text>"
        )
    known = [(year, float(v)) for year, v in zip(years, values, strict=True) if v is not None]
    if len(known) > 1:
        path = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in known)
        parts.append(f'<polyline class="chart-line" points="{path}"/>')
    for year, value in known:
        parts.append(f'<circle class="chart-point" cx="{x(year):.1f}" cy="{y(value):.1f}" r="4.5"/>')
        parts.append(
            f'<text class="chart-value" x="{x(year):.1f}" y="{y(value) - 9:.1f}" text-anchor="middle">'
            f"{escape(format_value(value, unit))}</text>"
        )
    if projection and known:
        (from_year, from_value), (to_year, to_value) = known[-1], projection
        parts.append(
            f'<line class="chart-projection" x1="{x(from_year):.1f}" y1="{y(from_value):.1f}" '
            f'x2="{x(to_year):.1f}" y2="{y(to_value):.1f}"/>'
        )
        cx, cy = x(to_year), y(to_value)
        parts.append(
            f'<path class="chart-projection-point" d="M{cx:.1f},{cy - 6:.1f} L{cx + 6:.1f},{cy:.1f} '
            f'L{cx:.1f},{cy + 6:.1f} L{cx - 6:.1f},{cy:.1f} Z"/>'
        )
        parts.append(
            f'<text class="chart-label" x="{cx + 9:.1f}" y="{cy + 16:.1f}">预测 {escape(format_value(to_value, unit))}</text>'
        )
    if not known:
        parts.append(
            f'<text class="chart-label" x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">暂无数据</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def ranking_chart(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    unit: str,
    target: float | int | None,
    percent: bool = True,
) -> SafeString:
    """Horizontal bars, one per unit, highest first; missed targets hatched and labelled 未达标."""
    row, left, right, top = 24, 128, 150, 26
    width = 640
    height = top + 10 + row * max(len(bars), 1)
    numbers = [float(b.value) for b in bars if b.value is not None]
    if target is not None:
        numbers.append(float(target))
    low, high = axis_range(numbers, percent=percent)
    span = width - left - right

    def x(value: float) -> float:
        return left + (float(value) - low) * span / (high - low)

    parts = [
        f'<svg class="chart chart--ranking" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<defs><pattern id="{chart_id}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect class="chart-hatch-bg" width="8" height="8"/>'
        f'<line class="chart-hatch" x1="0" y1="0" x2="0" y2="8"/></pattern></defs>',
    ]
    if target is not None:
        parts.append(
            f'<line class="chart-target" x1="{x(target):.1f}" x2="{x(target):.1f}" y1="{top - 6}" y2="{height - 4}"/>'
            f'<text class="chart-label" x="{x(target):.1f}" y="{top - 10}" text-anchor="middle">'
            f"目标 {escape(format_value(target, unit))}</text>"
        )
    for i, bar in enumerate(bars):
        y = top + i * row
        classes = "chart-axis chart-axis--strong" if bar.highlight else "chart-axis"
        parts.append(
            f'<text class="{classes}" x="{left - 6}" y="{y + row * 0.65:.1f}" text-anchor="end">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            parts.append(f'<text class="chart-value" x="{left + 4}" y="{y + row * 0.65:.1f}">无数据</text>')
            continue
        end = x(bar.value)
        base = x(max(low, 0.0))
        bar_x, bar_w = min(base, end), abs(end - base)
        fill = f' fill="url(#{chart_id}-hatch)"' if bar.met is False else ""
        kind = "chart-bar chart-bar--missed" if bar.met is False else "chart-bar"
        parts.append(
            f'<rect class="{kind}"{fill} x="{bar_x:.1f}" y="{y + 4}" width="{max(bar_w, 1):.1f}" height="{row - 8}"/>'
        )
        note = " 未达标" if bar.met is False else (" 达标" if bar.met else "")
        parts.append(
            f'<text class="chart-value" x="{max(end, base) + 4:.1f}" y="{y + row * 0.65:.1f}">'
            f"{escape(format_value(bar.value, unit))}{note}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def sparkline(*, label: str, values: Sequence[float | int | None]) -> SafeString:
    """A small trend line for an overview tile: ``role="img"`` whose ``aria-label`` (`label`) gives
    the yearly values; the last known value is marked by a dot. No axes: the tile prints the value."""
    width, height, pad = 96, 28, 4
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    parts = [
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" focusable="false" xmlns="http://www.w3.org/2000/svg">'
    ]
    if known:
        low = min(v for _, v in known)
        high = max(v for _, v in known)
        span = (high - low) or 1.0
        steps = max(len(values) - 1, 1)

        def x(index: int) -> float:
            return pad + index * (width - 2 * pad) / steps if len(values) > 1 else width / 2

        def y(value: float) -> float:
            # equal values lie on the middle line
            return height / 2 if high == low else height - pad - (value - low) * (height - 2 * pad) / span

        if len(known) > 1:
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in known)
            parts.append(f'<polyline class="sparkline-line" points="{points}"/>')
        last_index, last_value = known[-1]
        parts.append(
            f'<circle class="sparkline-point" cx="{x(last_index):.1f}" cy="{y(last_value):.1f}" r="3"/>'
        )
    else:
        parts.append(
            f'<line class="sparkline-none" x1="{pad}" x2="{width - pad}" y1="{height / 2}" y2="{height / 2}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # the label is escaped, the rest are numbers


# --- the dashboard's figures, charts and their text summaries ---------------------------------------


def _shown(value: Any, unit: str = "") -> str:
    return format_value(value, unit) if value is not None else "—"


def _missing_or_shown(value: Any, unit: str, gap: Any) -> str:
    return _("数据缺失") if value is None and gap is not None else _shown(value, unit)


def decorate_summary(summary: Summary) -> None:
    """Attach the printed figures, the SVG charts and their text summaries to each item's ``view``."""
    from huican.matching.missing_lists import missing_lists
    from huican.monitoring.reports.summary import target_text  # reports.summary imports this module

    plan = summary.plan
    # Lists not sent yet: their indicators are null, and the page says which list is missing.
    gaps = {
        (year, on): {gap.indicator_code: gap for gap in missing_lists(on=on, year=year)}
        for year, on in {(p.year, p.on) for item in summary.items for p in item.trend}
        | {(summary.year, summary.on)}
    }
    for item in summary.items:
        ind, row, view = item.indicator, item.row, item.view
        unit = ind.unit
        money = ind.comparison == "gdp"  # numerator/denominator are mean incomes in yuan
        percent = unit == "%" and not money
        view["target_text"] = target_text(ind, row["target"], summary.region)
        view["value_text"] = _shown(row["value"], unit)
        gap = gaps[(summary.year, summary.on)].get(ind.code) if row["value"] is None else None
        view["missing_text"] = gap.missing_text if gap else ""
        if gap:
            view["value_text"] = _("数据缺失")
        view["numerator_text"] = _shown(row["numerator"], "元" if money else "")
        view["denominator_text"] = _shown(row["denominator"], "元" if money else "")
        view["projection_text"] = _shown(item.projection, unit)
        view["trend_rows"] = [
            {"year": p.year, "on": p.on, "numerator": _shown(p.numerator), "denominator": _shown(p.denominator),
             "value": _missing_or_shown(p.value, unit, gaps[(p.year, p.on)].get(ind.code)),
             "target": _shown(p.target, unit), "met": p.met}
            for p in item.trend
        ]  # fmt: skip
        years = f"{item.trend[0].year}–{item.trend[-1].year}"
        series = "，".join(f"{p.year} 年 {_shown(p.value, unit)}" for p in item.trend)
        text = _("{name}，{years} 年：{series}。目标：{target}。").format(
            name=ind.name, years=years, series=series, target=view["target_text"]
        )
        if item.projection is not None:
            text += _("按趋势线性外推，{year} 年预计 {value}。").format(
                year=plan.end_year, value=view["projection_text"]
            )
        view["trend_text"] = text
        spoken = "，".join(
            f"{p.year} 年 {_shown(p.value, unit) if p.value is not None else _('无数据')}" for p in item.trend
        )
        view["sparkline_svg"] = sparkline(
            label=_("{name}逐年数值：{series}").format(name=ind.name, series=spoken),
            values=[p.value for p in item.trend],
        )
        projection = (plan.end_year, item.projection) if item.projection is not None else None
        view["trend_svg"] = trend_chart(
            chart_id=f"trend-{ind.code}",
            title=_("{name}：{years} 年趋势").format(name=ind.name, years=years),
            years=[p.year for p in item.trend],
            values=[p.value for p in item.trend],
            unit=unit,
            target=row["target"],
            projection=projection,
            percent=percent,
        )
        if not item.ranking:
            continue
        view["ranking_rows"] = [
            {"rank": e.rank or "—", "region": e.region, "name": e.name, "numerator": _shown(e.numerator),
             "denominator": _shown(e.denominator), "value": _shown(e.value, unit), "met": e.met}
            for e in item.ranking
        ]  # fmt: skip
        ranked = [e for e in item.ranking if e.value is not None]
        if ranked:
            behind = [e.name for e in item.counties_behind]
            text = _(
                "各县（市、区）{year} 年：最高 {top}（{top_value}），最低 {bottom}（{bottom_value}）。"
            ).format(
                year=summary.year,
                top=ranked[0].name,
                top_value=_shown(ranked[0].value, unit),
                bottom=ranked[-1].name,
                bottom_value=_shown(ranked[-1].value, unit),
            )
            text += (
                _("{count} 个未达标：{names}。").format(count=len(behind), names="、".join(behind))
                if behind
                else _("没有未达标的县（市、区）。")
            )
        else:
            text = _("各县（市、区）{year} 年均无数据。").format(year=summary.year)
        view["ranking_text"] = text
        view["ranking_svg"] = ranking_chart(
            chart_id=f"rank-{ind.code}",
            title=_("{name}：各县（市、区）{year} 年排名").format(name=ind.name, year=summary.year),
            bars=[Bar(e.name, e.value, e.met, e.region == summary.region) for e in item.ranking],
            unit=unit,
            target=row["target"] if ind.scope != "city" else None,
            percent=percent,
        )
