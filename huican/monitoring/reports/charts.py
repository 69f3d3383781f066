"""PNG charts for the .docx and .pdf reports, drawn with Pillow.

Labels are drawn in the server's Chinese font (huican.monitoring.reports.fonts: fonts-noto-cjk or
the file HUICAN_CJK_FONT names); without one a chart is not drawn at all — CJKFontMissing says what
to install — rather than with boxes or Latin stand-ins. Like the web charts, series differ by line
style and marker, never by colour alone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from huican.monitoring.charts import Bar, axis_range, axis_ticks, format_value
from huican.monitoring.plan import Plan
from huican.monitoring.reports.fonts import cjk_font_path, simplified_face_index
from huican.monitoring.reports.summary import IndicatorSummary

INK = (26, 26, 26)
GRID = (200, 204, 210)
LINE = (18, 53, 91)
TARGET = (122, 75, 0)
SCALE = 2  # draw at twice the size for a crisp image in print


def _font(size: int) -> ImageFont.FreeTypeFont:
    """The Chinese font at `size` points (× SCALE); raises CJKFontMissing when the server has none."""
    return _font_at(cjk_font_path(), size)


@lru_cache(maxsize=8)
def _font_at(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size * SCALE, index=simplified_face_index(path))


def _dashed(
    draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], dash: int
) -> None:
    (x1, y1), (x2, y2) = start, end
    length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1)
    steps = int(length // (dash * 2)) + 1
    for i in range(steps):
        a, b = i * 2 * dash / length, min((i * 2 + 1) * dash / length, 1)
        draw.line([(x1 + (x2 - x1) * a, y1 + (y2 - y1) * a), (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b)],
                  fill=TARGET, width=2 * SCALE)  # fmt: skip


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def trend_png(
    *,
    years: Sequence[int],
    values: Sequence[float | int | None],
    unit: str,
    target: float | int | None = None,
    projection: tuple[int, float] | None = None,
    percent: bool = True,
) -> bytes:
    """A line of the values per year, the target dashed, the projection dotted with a diamond."""
    width, height = 640 * SCALE, 240 * SCALE
    left, right, top, bottom = 70 * SCALE, 110 * SCALE, 20 * SCALE, 34 * SCALE
    font = _font(11)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    all_years = list(years) + ([projection[0]] if projection and projection[0] not in years else [])
    numbers = [float(v) for v in values if v is not None]
    numbers += [float(target)] if target is not None else []
    numbers += [float(projection[1])] if projection else []
    low, high = axis_range(numbers, percent=percent)
    first, last = min(all_years), max(all_years)

    inset = 28 * SCALE

    def x(year: int) -> float:
        if last == first:
            return left + (width - left - right) / 2
        return left + inset + (year - first) * (width - left - right - 2 * inset) / (last - first)

    def y(value: float) -> float:
        return top + (high - float(value)) * (height - top - bottom) / (high - low)

    for tick in axis_ticks(low, high):
        draw.line([(left, y(tick)), (width - right, y(tick))], fill=GRID, width=SCALE)
        draw.text(
            (left - 6 * SCALE, y(tick)), format_value(round(tick, 2), unit), font=font, fill=INK, anchor="rm"
        )
    for year in all_years:
        draw.text((x(year), height - bottom + 8 * SCALE), str(year), font=font, fill=INK, anchor="mt")
    if target is not None:
        _dashed(draw, (left, y(target)), (width - right, y(target)), 8 * SCALE)
        label = "目标 " + format_value(target, unit)
        draw.text((width - right + 6 * SCALE, y(target)), label, font=font, fill=TARGET, anchor="lm")
    known = [(year, float(v)) for year, v in zip(years, values, strict=True) if v is not None]
    if len(known) > 1:
        draw.line([(x(a), y(b)) for a, b in known], fill=LINE, width=3 * SCALE)
    radius = 5 * SCALE
    for year, value in known:
        draw.ellipse([x(year) - radius, y(value) - radius, x(year) + radius, y(value) + radius], fill=LINE)
        draw.text(
            (x(year), y(value) - 9 * SCALE), format_value(value, unit), font=font, fill=INK, anchor="mb"
        )
    if projection and known:
        (from_year, from_value), (to_year, to_value) = known[-1], projection
        start, end = (x(from_year), y(from_value)), (x(to_year), y(to_value))
        for i in range(0, 20, 2):  # dotted
            a, b = i / 20, (i + 1) / 20
            draw.line([(start[0] + (end[0] - start[0]) * a, start[1] + (end[1] - start[1]) * a),
                       (start[0] + (end[0] - start[0]) * b, start[1] + (end[1] - start[1]) * b)], fill=LINE, width=2 * SCALE)  # fmt: skip
        cx, cy = end
        d = 7 * SCALE
        draw.polygon(
            [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)],
            outline=LINE,
            fill="white",
            width=2 * SCALE,
        )
        label = "预测 " + format_value(to_value, unit)
        draw.text((cx + 10 * SCALE, cy + 6 * SCALE), label, font=font, fill=INK, anchor="lt")
    if not known:
        draw.text((width / 2, height / 2), "暂无数据", font=font, fill=INK, anchor="mm")
    return _png(image)


def ranking_png(
    *, bars: Sequence[tuple[str, Bar]], unit: str, target: float | int | None, percent: bool = True
) -> bytes:
    """Horizontal bars (label, Bar) highest first; a missed target is hatched and says 未达标."""
    row = 22 * SCALE
    width = 640 * SCALE
    left, right, top = 120 * SCALE, 150 * SCALE, 26 * SCALE
    height = top + 10 * SCALE + row * max(len(bars), 1)
    font = _font(11)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    numbers = [float(b.value) for _, b in bars if b.value is not None]
    numbers += [float(target)] if target is not None else []
    low, high = axis_range(numbers, percent=percent)

    def x(value: float) -> float:
        return left + (float(value) - low) * (width - left - right) / (high - low)

    if target is not None:
        _dashed(draw, (x(target), top - 6 * SCALE), (x(target), height - 4 * SCALE), 6 * SCALE)
        label = "目标 " + format_value(target, unit)
        draw.text((x(target), top - 8 * SCALE), label, font=font, fill=TARGET, anchor="mb")
    for i, (_, bar) in enumerate(bars):
        top_y = top + i * row
        middle = top_y + row / 2
        draw.text((left - 6 * SCALE, middle), bar.label, font=font, fill=INK, anchor="rm")
        if bar.value is None:
            draw.text((left + 4 * SCALE, middle), "无数据", font=font, fill=INK, anchor="lm")
            continue
        base, end = x(max(low, 0.0)), x(bar.value)
        box = [
            min(base, end),
            top_y + 4 * SCALE,
            max(base, end, min(base, end) + SCALE),
            top_y + row - 4 * SCALE,
        ]
        if bar.met is False:
            draw.rectangle(box, outline=LINE, fill="white", width=SCALE)
            for hatch in range(int(box[0]), int(box[2]), 6 * SCALE):
                draw.line(
                    [(hatch, box[3]), (min(hatch + (box[3] - box[1]), box[2]), box[1])],
                    fill=LINE,
                    width=SCALE,
                )
        else:
            draw.rectangle(box, fill=LINE)
        note = " 未达标" if bar.met is False else (" 达标" if bar.met else "")
        draw.text(
            (box[2] + 4 * SCALE, middle),
            format_value(bar.value, unit) + note,
            font=font,
            fill=INK,
            anchor="lm",
        )
    return _png(image)


def indicator_pngs(item: IndicatorSummary, plan: Plan) -> tuple[bytes, bytes | None]:
    """The trend chart and (when the summary ranks the counties) the ranking chart of one indicator."""
    indicator = item.indicator
    percent = indicator.unit == "%" and indicator.comparison != "gdp"
    projection = (plan.end_year, item.projection) if item.projection is not None else None
    trend = trend_png(
        years=[p.year for p in item.trend],
        values=[p.value for p in item.trend],
        unit=indicator.unit,
        target=item.row["target"],
        projection=projection,
        percent=percent,
    )
    if not item.ranking:
        return trend, None
    target = item.row["target"] if indicator.scope != "city" else None
    ranking = ranking_png(
        bars=[(e.region, Bar(e.name, e.value, e.met)) for e in item.ranking],
        unit=indicator.unit,
        target=target,
        percent=percent,
    )
    return trend, ranking
