"""Shared constants and vectorised helpers of the synthetic-data generator (no Django).

Dates are handled as ``int64`` day numbers since 1970-01-01; ``NEVER`` stands for "no date"
(an open end, a person who does not die in the period) and renders as a blank cell.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from huican.regions import divisions

NEVER = 1 << 30  # "no date": later than any real day, rendered blank

CITY_CODE = int(divisions.CITY_CODE)
# code, name, 2020 census population (DOMAIN.md §1, ``regions.divisions``); 五台山风景名胜区 has no
# census figure and gets a fixed small share
COUNTIES: tuple[tuple[int, str, int], ...] = tuple(
    (int(code), name, population) for code, name, population in divisions.COUNTIES if population is not None
)
WUTAISHAN = next((int(code), name) for code, name, population in divisions.COUNTIES if population is None)
WUTAISHAN_SHARE = 0.003

CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")  # digit = index + 1
CATEGORY_SHARES = (0.1486, 0.2416, 0.0153, 0.2907, 0.0668, 0.0740, 0.1630)
GRADES = ("一级", "二级", "三级", "四级")  # digit = index + 1

# clearly fake names: a common surname + a "test" character + a neutral character (e.g. 张测安)
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹")
NAME_MIDDLE = tuple("测试例样")
NAME_LAST = tuple("安宁平和顺明华文春秋云山林青远晨阳新民泰乐岚川峰")
N_NAMES = len(SURNAMES) * len(NAME_MIDDLE) * len(NAME_LAST)

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)

YEARS = (2020, 2021, 2022, 2023, 2024, 2025)
REF_DAY_STR = "2025-12-31"  # the data are "as of" this day


def day(s: str) -> int:
    """Day number of an ISO date string."""
    return int(np.datetime64(s, "D").astype(np.int64))


REF_DAY = day(REF_DAY_STR)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day arrays of day numbers (NEVER not allowed)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    y = months.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    dd = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, dd


def age_on(by: np.ndarray, bmd: np.ndarray, y: int, m: int, d: int) -> np.ndarray:
    """Whole years on y-m-d for birth year ``by`` and birth ``bmd`` = month*100+day."""
    return y - by - (m * 100 + d < bmd)


def uniform_days(rng: np.random.Generator, lo: np.ndarray | int, hi: np.ndarray | int, n: int) -> np.ndarray:
    """A uniform day in [lo, hi] (inclusive); where hi < lo the result is lo."""
    lo_a = np.broadcast_to(np.asarray(lo, dtype=np.int64), (n,))
    hi_a = np.maximum(np.broadcast_to(np.asarray(hi, dtype=np.int64), (n,)), lo_a)
    return lo_a + np.floor(rng.random(n) * (hi_a - lo_a + 1)).astype(np.int64)


def check_chars(digits17: np.ndarray) -> np.ndarray:
    """ASCII check characters (uint8) of an (n, 17) array of digit values 0-9."""
    s = digits17.astype(np.int64) @ ID_WEIGHTS
    return CHECK_CHARS[s % 11]


def digits_of(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) digit array of non-negative integers, most significant first."""
    v = np.asarray(values, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (v[:, None] // powers[None, :]) % 10


def ascii_series(chars: np.ndarray) -> pl.Series:
    """A polars String series from an (n, k) uint8 array of ASCII codes."""
    chars = np.ascontiguousarray(chars, dtype=np.uint8)
    n, k = chars.shape
    if n == 0:
        return pl.Series([], dtype=pl.String)
    return pl.Series(chars.view(f"S{k}").ravel()).cast(pl.String)


def take(vocab: list[str] | tuple[str, ...], idx: np.ndarray) -> pl.Series:
    """Strings of ``vocab`` at ``idx``; a negative index gives a blank (null)."""
    table = pl.Series([*vocab, None], dtype=pl.String)
    i = np.asarray(idx, dtype=np.int64)
    return table.gather(np.where(i < 0, len(vocab), i))


def int_strings(values: np.ndarray, blank: np.ndarray | None = None, width: int = 0) -> pl.Series:
    """Integers as strings (zero-padded to ``width``), blank where ``blank``."""
    s = pl.Series(np.asarray(values, dtype=np.int64)).cast(pl.String)
    if width:
        s = s.str.zfill(width)
    if blank is not None:
        s = blank_where(s, blank)
    return s


def money_strings(values: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
    """Yuan amounts with at most 2 decimals (whole amounts without decimals)."""
    v = np.round(np.asarray(values, dtype=np.float64), 2)
    whole = np.abs(v - np.round(v)) < 1e-9
    s = pl.select(
        pl.when(pl.lit(pl.Series(whole)))
        .then(pl.lit(pl.Series(np.round(v).astype(np.int64))).cast(pl.String))
        .otherwise(pl.lit(pl.Series(v)).cast(pl.String))
    ).to_series()
    if blank is not None:
        s = blank_where(s, blank)
    return s


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%-m月%-d日")


def date_strings(
    days: np.ndarray, rng: np.random.Generator | None = None, mix: float = 0.0, fmt: str = "%Y-%m-%d"
) -> pl.Series:
    """Dates as text; NEVER gives a blank. With ``mix`` > 0 that share of the rows uses one of the
    other accepted formats (YYYY/MM/DD, YYYYMMDD, YYYY年M月D日)."""
    d = np.asarray(days, dtype=np.int64)
    dt = pl.Series(np.where(d >= NEVER, np.iinfo(np.int64).min, d).astype("datetime64[D]"))
    out = dt.dt.to_string(fmt)
    if not mix or rng is None:
        return out
    rows = np.nonzero(rng.random(len(d)) < mix)[0]
    which = rng.integers(1, len(DATE_FORMATS), len(rows))
    for k in range(1, len(DATE_FORMATS)):
        r = rows[which == k]
        out = patch(out, r, dt.gather(r).dt.to_string(DATE_FORMATS[k]))
    return out


def patch(s: pl.Series, rows: np.ndarray, values: pl.Series) -> pl.Series:
    """A copy of ``s`` with ``values`` at ``rows``."""
    if len(rows) == 0:
        return s
    out = s.clone()
    out.scatter(rows, values)
    return out


def blank_where(s: pl.Series, blank: np.ndarray) -> pl.Series:
    rows = np.nonzero(blank)[0]
    return patch(s, rows, pl.repeat(None, len(rows), dtype=s.dtype, eager=True))


def month_strings(days: np.ndarray) -> pl.Series:
    """``YYYY-MM`` of day numbers; NEVER gives a blank."""
    return date_strings(days, fmt="%Y-%m")


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component, so that components do not shift each other."""
    tag = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed % (1 << 64), tag])
