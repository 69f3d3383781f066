"""Resident ID numbers (公民身份号码, GB 11643-1999) and disability certificate numbers.

One definition, two forms: `check_id_number` explains one value, `id_number_problems` does the
same checks over a whole polars column (used by every import).
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
CATEGORY_NAMES = {1: "视力", 2: "听力", 3: "言语", 4: "肢体", 5: "智力", 6: "精神", 7: "多重"}
GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

_SCIENTIFIC = re.compile(r"^[0-9.]+[eE][+-]?[0-9]+$")

LOST_DIGITS = "身份证号已被 Excel 转成数字、丢失了位数，请在原始名单中核对后以文本格式重新填写"
SHAPE = "应为 18 位（17 位数字加 1 位数字或 X）"
BAD_CHARACTER = "身份证号含有不能接受的字符“{}”，" + SHAPE


def _character_name(char: str) -> str:
    return "空格" if char.isspace() else char


def check_character(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return value.strip().replace("x", "X")


def check_id_number(value: str, *, today: dt.date | None = None) -> str | None:
    """Return the reason an ID number is invalid, or None when it is valid."""
    today = today or dt.date.today()
    value = normalize_id_number(value)
    if not value:
        return "身份证号为空"
    if _SCIENTIFIC.match(value) or "." in value:
        return LOST_DIGITS
    if len(value) == 15 and value.isdigit():
        return "15 位第一代身份证号，请换成 18 位号码"
    bad = re.search(r"[^0-9X]", value)
    if bad:
        return BAD_CHARACTER.format(_character_name(bad.group()))
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号" + SHAPE
    if check_character(value[:17]) != value[17]:
        if value.endswith("000"):
            return LOST_DIGITS
        return "身份证号校验码错误"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期不存在"
    if birth > today:
        return "身份证号中的出生日期在未来"
    if birth.year < 1890:
        return "身份证号中的出生日期不存在"
    return None


def birth_date_of(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def sex_of(value: str) -> str:
    """'男' for an odd sequence digit, '女' for even."""
    return "男" if int(value[16]) % 2 == 1 else "女"


def id_number_problems(col: str, *, today: dt.date) -> pl.Expr:
    """Vectorised `check_id_number`: a string expression, null when the value is valid.

    The column must already be trimmed and upper-cased.
    """
    c = pl.col(col)
    shape_ok = c.str.contains(r"^[0-9]{17}[0-9X]$")
    digits = [c.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(17)]
    total = pl.sum_horizontal([d * w for d, w in zip(digits, WEIGHTS, strict=True)])
    expected = pl.lit(list(CHECK_CHARS), dtype=pl.List(pl.String)).list.get(total % 11, null_on_oob=True)
    birth = pl.concat_str(
        [c.str.slice(6, 4), pl.lit("-"), c.str.slice(10, 2), pl.lit("-"), c.str.slice(12, 2)]
    )
    birth_date = birth.str.to_date("%Y-%m-%d", strict=False)
    return (
        pl.when(c.is_null() | (c == ""))
        .then(pl.lit("身份证号为空"))
        .when(c.str.contains(r"^[0-9.]+[eE][+-]?[0-9]+$") | c.str.contains(r"\.", literal=False))
        .then(pl.lit(LOST_DIGITS))
        .when(c.str.contains(r"^[0-9]{15}$"))
        .then(pl.lit("15 位第一代身份证号，请换成 18 位号码"))
        .when(c.str.contains(r"[^0-9X]"))
        .then(
            pl.format(
                BAD_CHARACTER,
                c.str.extract(r"([^0-9X])", 1).str.replace(r"^\s$", "空格"),
            )
        )
        .when(~shape_ok)
        .then(pl.lit("身份证号" + SHAPE))
        .when((expected != c.str.slice(17, 1)) & c.str.ends_with("000"))
        .then(pl.lit(LOST_DIGITS))
        .when(expected != c.str.slice(17, 1))
        .then(pl.lit("身份证号校验码错误"))
        .when(birth_date.is_null() | (birth_date < pl.lit(dt.date(1890, 1, 1))))
        .then(pl.lit("身份证号中的出生日期不存在"))
        .when(birth_date > pl.lit(today))
        .then(pl.lit("身份证号中的出生日期在未来"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def birth_date_expr(col: str) -> pl.Expr:
    c = pl.col(col)
    return pl.concat_str(
        [c.str.slice(6, 4), pl.lit("-"), c.str.slice(10, 2), pl.lit("-"), c.str.slice(12, 2)]
    ).str.to_date("%Y-%m-%d", strict=False)


def sex_expr(col: str) -> pl.Expr:
    return (
        pl.when(pl.col(col).str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1)
        .then(pl.lit("男"))
        .otherwise(pl.lit("女"))
    )


def parse_certificate_number(value: str) -> tuple[str, int, int] | None:
    """Split a 20-character certificate number into (ID, category, grade), or None."""
    value = normalize_id_number(value)
    if len(value) != 20 or not value[18:].isdigit():
        return None
    category, grade = int(value[18]), int(value[19])
    if category not in CATEGORY_NAMES or grade not in GRADE_NAMES:
        return None
    return value[:18], category, grade
