"""The synthetic ``standards`` rows: a city-wide row per year plus a few county overrides.

A county that has rows of its own no longer follows the city-wide rows (RULES.md, "standards in
force"), so every override county carries a row for each later city-wide date as well.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from huican.exchange.kinds import KINDS

from .common import CITY_CODE, COUNTIES, WUTAISHAN, day

STANDARD_COLUMNS = tuple(column.name for column in KINDS["standards"].columns)

# city-wide monthly amounts (yuan) by year, effective 1 January
CITY = {
    2020: (620, 470, 80, 100, 80),
    2021: (640, 488, 84, 104, 84),
    2022: (660, 506, 88, 108, 88),
    2023: (680, 524, 92, 112, 92),
    2024: (700, 542, 96, 116, 96),
    2025: (720, 560, 100, 120, 100),
}
AMOUNT_COLUMNS = STANDARD_COLUMNS[2:7]

# county overrides: code -> (first effective date, extra amounts, optional columns)
OVERRIDES: dict[int, tuple[str, tuple[int, int, int, int, int], dict[str, str]]] = {
    140902: ("2023-01-01", (20, 10, 0, 0, 0), {"生活补贴含低保边缘": "是"}),
    140981: ("2022-07-01", (0, 0, 0, 0, 0), {"护理补贴含三四级智力精神": "是"}),
    140922: ("2024-01-01", (0, 0, 0, 0, 0), {"儿童康复救助年龄上限": "17"}),
    140930: ("2025-01-01", (0, 0, 0, 10, 10), {"重度低保增发比例": "0.10", "低保边缘倍数": "1.5"}),
}


def standards_rows() -> list[dict[str, str | None]]:
    """All rows of standards.csv (values as text, blank optional columns as None)."""
    rows: list[dict[str, str | None]] = []
    for year, amounts in CITY.items():
        rows.append(_row(CITY_CODE, f"{year}-01-01", amounts, {}))
    for code, (first, extra, options) in OVERRIDES.items():
        first_year = int(first[:4])
        dates = [first] + [f"{y}-01-01" for y in CITY if y > first_year]
        for d in dates:
            base = CITY[int(d[:4])]
            rows.append(_row(code, d, tuple(a + e for a, e in zip(base, extra, strict=True)), options))
    return rows


def _row(code: int, eff: str, amounts: tuple[int, ...], options: dict[str, str]) -> dict[str, str | None]:
    row: dict[str, str | None] = dict.fromkeys(STANDARD_COLUMNS)
    row["区划代码"] = str(code)
    row["生效日期"] = eff
    for col, amount in zip(AMOUNT_COLUMNS, amounts, strict=True):
        row[col] = str(amount)
    row.update(options)
    return row


def standards_frame() -> pl.DataFrame:
    """standards.csv as a frame, with one malformed row (an unreadable effective date)."""
    rows = standards_rows()
    bad = dict(rows[-1])
    bad["区划代码"] = "140927"
    bad["生效日期"] = "2025-13-01"
    rows.append(bad)
    return pl.DataFrame(rows, schema=dict.fromkeys(STANDARD_COLUMNS, pl.String), orient="row")


def county_codes() -> list[int]:
    return [c for c, _, _ in COUNTIES] + [WUTAISHAN[0]]


def in_force(on: str) -> dict[str, np.ndarray]:
    """Per county index (order of ``county_codes()``): the amounts and switches in force on ``on``."""
    d = day(on)
    rows = [r for r in standards_rows() if day(str(r["生效日期"])) <= d]
    out: dict[str, list[float]] = {
        c: [] for c in (*AMOUNT_COLUMNS, "生活补贴含低保边缘", "护理补贴含三四级智力精神")
    }
    for code in county_codes():
        own = [r for r in rows if r["区划代码"] == str(code)] or [
            r for r in rows if r["区划代码"] == str(CITY_CODE)
        ]
        latest = max(own, key=lambda r: day(str(r["生效日期"])))
        for c in AMOUNT_COLUMNS:
            out[c].append(float(str(latest[c])))
        for c in ("生活补贴含低保边缘", "护理补贴含三四级智力精神"):
            out[c].append(1.0 if latest[c] == "是" else 0.0)
    return {k: np.array(v) for k, v in out.items()}


def city_line(year: int, urban: np.ndarray) -> np.ndarray:
    """Annual city-wide 低保 line (12 × monthly standard) for urban / rural persons."""
    u, r = CITY[year][0], CITY[year][1]
    return np.where(urban, 12.0 * u, 12.0 * r)
