"""Vectorised readers for the value formats of FORMATS.md (dates, months, yes/no, money, numbers).

Each `parse_*` returns an expression that is null where the text cannot be read; the validation
layer turns "given but null after parsing" into a reason.
"""

from __future__ import annotations

import polars as pl

# A time of day after a date (an Excel date-time cell, or text copied from one) is dropped: the
# value is read as its date.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$",
    r"^(\d{4})(\d{2})(\d{2})$",
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日$",
)
_MONTH_PATTERNS = (
    rf"^(\d{{4}})[-/.](\d{{1,2}})(?:[-/.]0?1{_TIME})?$",
    r"^(\d{4})(\d{2})$",
    r"^(\d{4})年(\d{1,2})月$",
)

YES = ("是", "Y", "y", "1")
NO = ("否", "N", "n", "0")


def _ymd(expr: pl.Expr, patterns: tuple[str, ...], with_day: bool) -> pl.Expr:
    years = [expr.str.extract(p, 1) for p in patterns]
    months = [expr.str.extract(p, 2) for p in patterns]
    y = pl.coalesce(years)
    m = pl.coalesce(months).str.zfill(2)
    if with_day:
        d = pl.coalesce([expr.str.extract(p, 3) for p in patterns]).str.zfill(2)
    else:
        d = pl.lit("01")
    return pl.concat_str([y, pl.lit("-"), m, pl.lit("-"), d]).str.to_date("%Y-%m-%d", strict=False)


def parse_date(col: str) -> pl.Expr:
    """`YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, `YYYY年M月D日`, or an Excel date cell."""
    return _ymd(pl.col(col), _DATE_PATTERNS, with_day=True)


def parse_month(col: str) -> pl.Expr:
    """`YYYY-MM` (also `YYYY/MM`, `YYYYMM`, `YYYY年M月`, or a date cell on the 1st): first day."""
    return _ymd(pl.col(col), _MONTH_PATTERNS, with_day=False)


def parse_yes_no(col: str) -> pl.Expr:
    c = pl.col(col)
    return pl.when(c.is_in(YES)).then(pl.lit(True)).when(c.is_in(NO)).then(pl.lit(False)).otherwise(None)


def _money_text(col: str) -> pl.Expr:
    """The number of a money value: `￥`/`¥` before and `元` after are allowed (values are NFKC
    normalised, so ￥ is already ¥), thousands separators are dropped."""
    return (
        pl.col(col)
        .str.replace(r"^[¥￥]\s*", "")
        .str.replace(r"\s*元$", "")
        .str.replace_all(",", "", literal=True)
        .str.replace_all("，", "", literal=True)
    )


def parse_money(col: str) -> pl.Expr:
    """Yuan with at most two decimals (thousands separators, ¥ and 元 tolerated); null when unreadable."""
    c = _money_text(col)
    ok = c.str.contains(r"^\d+(\.\d{1,2})?$") | c.str.contains(r"^\d+\.\d{3,}$") & c.str.contains(
        r"\.\d{2}0+$"
    )
    return pl.when(ok).then(c.cast(pl.Float64, strict=False)).otherwise(None)


def parse_decimal(col: str) -> pl.Expr:
    c = pl.col(col)
    return pl.when(c.str.contains(r"^\d+(\.\d+)?$")).then(c.cast(pl.Float64, strict=False)).otherwise(None)


def parse_int(col: str) -> pl.Expr:
    """A whole number; an Excel number cell such as `2024.0` is read too."""
    c = pl.col(col).str.replace(r"\.0+$", "")
    return pl.when(c.str.contains(r"^\d{1,9}$")).then(c.cast(pl.Int64, strict=False)).otherwise(None)


def money_decimals_problem(col: str) -> pl.Expr:
    """True where a readable amount has more than two decimals."""
    c = _money_text(col)
    return c.str.contains(r"^\d+\.\d{3,}$") & ~c.str.contains(r"\.\d{2}0+$")
