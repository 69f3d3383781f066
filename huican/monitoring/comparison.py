"""The county comparison of the dashboard's overview: a tile map of the 15 county-level units and a
sortable table, both for one indicator chosen by the viewer.

The tile map is a grid of equal squares placed roughly as the units lie on a map of Xinzhou (no map
data): the Yellow River counties 偏关, 河曲 and 保德 down the west edge; 神池, 五寨, 岢岚, 宁武 and
静乐 west of centre; 原平, 代县 and 繁峙 to the north-east; 忻府区 south of centre with 定襄 and 五台
east of it; the 五台山 scenic area between 繁峙 and 五台. Each square is shaded by its value (five
equal steps between the lowest and the highest value, explained by a legend) and prints the value
and whether the target is met, so no figure is told by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from huican.monitoring.charts import format_value
from huican.monitoring.reports.summary import IndicatorSummary, RankEntry
from huican.regions.divisions import COUNTIES, COUNTY_NAMES

# code → (row, column) on the tile map (row 0 is the north, column 0 the west) and the short name
# printed in the square; the full name is the link's accessible name.
TILE_GRID: dict[str, tuple[int, int, str]] = {
    "140932": (0, 0, "偏关"),
    "140927": (0, 1, "神池"),
    "140923": (0, 4, "代县"),
    "140924": (0, 5, "繁峙"),
    "140930": (1, 0, "河曲"),
    "140928": (1, 1, "五寨"),
    "140925": (1, 2, "宁武"),
    "140981": (1, 3, "原平"),
    "140971": (1, 5, "五台山"),
    "140931": (2, 0, "保德"),
    "140929": (2, 1, "岢岚"),
    "140926": (2, 2, "静乐"),
    "140902": (2, 3, "忻府"),
    "140921": (2, 4, "定襄"),
    "140922": (2, 5, "五台"),
}
STEPS = 5  # shades of the tile map, lightest (lowest value) to darkest

# column → its order on the first click; "name" sorts in the official code order (区划代码顺序).
SORT_COLUMNS: dict[str, str] = {
    "name": "asc",
    "value": "desc",
    "numerator": "desc",
    "denominator": "desc",
    "met": "asc",
}
ORDERS = ("asc", "desc")
CODE_ORDER = {code: index for index, (code, _name, _population) in enumerate(COUNTIES)}
MET_ORDER = {False: 0, None: 1, True: 2}  # ascending: 未达标 first, then 无法判断, then 达标


@dataclass(frozen=True)
class Sorting:
    column: str
    order: str

    @classmethod
    def from_query(cls, column: str | None, order: str | None) -> Sorting:
        """The sort asked for by ``sort``/``order``; unknown values fall back to the ranking (value,
        highest first)."""
        column = column if column in SORT_COLUMNS else "value"
        order = order if order in ORDERS else SORT_COLUMNS[column]
        return cls(column, order)

    def link_order(self, column: str) -> str:
        """The order a header link asks for: the other order on the sorted column, else its default."""
        if column == self.column:
            return "desc" if self.order == "asc" else "asc"
        return SORT_COLUMNS[column]

    def aria_sort(self, column: str) -> str:
        if column != self.column:
            return ""
        return "ascending" if self.order == "asc" else "descending"


def _sort_key(entry: RankEntry, column: str) -> Any:
    if column == "name":
        return CODE_ORDER.get(entry.region, 99)
    if column == "met":
        return MET_ORDER[entry.met]
    value = getattr(entry, column)
    return float(value) if value is not None else None


def sorted_entries(ranking: list[RankEntry], sorting: Sorting) -> list[RankEntry]:
    """`ranking` in the asked order; a unit without the figure always comes last, in code order."""
    known = [e for e in ranking if _sort_key(e, sorting.column) is not None]
    unknown = [e for e in ranking if _sort_key(e, sorting.column) is None]
    known.sort(
        key=lambda e: (_sort_key(e, sorting.column), CODE_ORDER.get(e.region, 99)),
        reverse=sorting.order == "desc",
    )
    unknown.sort(key=lambda e: CODE_ORDER.get(e.region, 99))
    return known + unknown


def _steps(values: list[float]) -> list[tuple[float, float]]:
    """STEPS equal ranges from the lowest to the highest value (one range when they are equal)."""
    low, high = min(values), max(values)
    if high == low:
        return [(low, high)]
    width = (high - low) / STEPS
    return [(low + width * i, high if i == STEPS - 1 else low + width * (i + 1)) for i in range(STEPS)]


def _step_of(value: float, steps: list[tuple[float, float]]) -> int:
    for index, (_low, high) in enumerate(steps):
        if value <= high:
            return index
    return len(steps) - 1


def tile_map(item: IndicatorSummary, *, highlight: str, own_only: bool = False) -> dict[str, Any]:
    """The squares (row, column, names, printed value, met, shade) and the legend of `item`'s
    county values; `highlight` is the unit whose page is shown (outlined and marked 当前).

    `own_only` (a county user, who sees no other county's figures): only the highlighted unit's
    square has a value and a link; the others show their names, to place it on the map.
    """
    unit = item.indicator.unit
    entries = [item.own_rank] if own_only and item.own_rank else item.ranking
    values = [float(e.value) for e in entries if e.value is not None]
    steps = _steps(values) if values and not own_only else []
    # With one range every square gets the middle shade.
    offset = STEPS // 2 if len(steps) == 1 else 0
    by_region = {entry.region: entry for entry in entries}
    cells = []
    for code, (row, column, short) in TILE_GRID.items():
        entry = by_region.get(code)
        name = COUNTY_NAMES[code]
        value = entry.value if entry else None
        hidden = own_only and code != highlight
        if hidden:
            shade = "tm-hidden"
        elif own_only or value is None:
            shade = "tm-none" if value is None else "tm-own"
        else:
            shade = f"tm-s{_step_of(float(value), steps) + offset}"
        cells.append(
            {
                "region": code,
                "short": short,
                "rest": name[len(short) :] if name.startswith(short) else "",
                "name": name,
                "hidden": hidden,
                "value_text": "" if hidden else format_value(value, unit),
                "met": entry.met if entry else None,
                "rank": entry.rank if entry else None,
                "css": f"tile-map__cell tm-r{row} tm-c{column} {shade}"
                + (" tm-current" if code == highlight else ""),
                "current": code == highlight,
            }
        )
    if own_only:
        return {"cells": cells, "legend": []}
    legend = [
        {
            "css": f"tm-s{index + offset}",
            "text": format_value(low, unit)
            if low == high
            else _("{low} 至 {high}").format(low=format_value(low, unit), high=format_value(high, unit)),
        }
        for index, (low, high) in enumerate(steps)
    ]
    legend.append({"css": "tm-none", "text": _("无数据")})
    return {"cells": cells, "legend": legend}


def table_rows(item: IndicatorSummary, sorting: Sorting) -> list[dict[str, Any]]:
    """The county table of `item` in the asked order, figures printed."""
    unit = item.indicator.unit
    money = item.indicator.comparison == "gdp"  # numerator/denominator are mean incomes in yuan
    side_unit = "元" if money else ""
    return [
        {
            "rank": entry.rank,
            "region": entry.region,
            "name": entry.name,
            "value": format_value(entry.value, unit),
            "numerator": format_value(entry.numerator, side_unit),
            "denominator": format_value(entry.denominator, side_unit),
            "met": entry.met,
        }
        for entry in sorted_entries(item.ranking, sorting)
    ]
