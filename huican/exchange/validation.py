"""Row validation for every import kind, as polars expressions over the whole file at once.

`validate(kind, frame, today)` returns the frame with typed columns (`p_*`) and two list columns:
`__columns` and `__reasons` — one entry per problem found, joined by `；` (null when none) (FORMATS.md: every problem of a row is
listed). A row is accepted when `__reasons` is empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from huican.core.idnumbers import birth_date_expr, id_number_problems, sex_expr
from huican.exchange import kinds as k
from huican.exchange.parsing import (
    money_decimals_problem,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    parse_month,
    parse_yes_no,
)
from huican.regions.divisions import CITY_CODE, COUNTY_CODES

NULL_STR = pl.lit(None, dtype=pl.String)
SEPARATOR = "；"


@dataclass(frozen=True)
class Repeat:
    """A check between rows: column `name` holds, for each row, the number of the first row whose
    `keys` are equal to its own (its own number when no earlier row has them). `validate` computes
    it over the frame; the pipeline computes it once over the whole file from compact row hashes
    (huican.exchange.preparing) and judges the rows a chunk at a time."""

    name: str
    keys: tuple[pl.Expr, ...]


@dataclass(frozen=True)
class Check:
    column: str
    reason: pl.Expr  # a reason string, or null when the check passes
    repeat: Repeat | None = None  # the first-row column the reason reads, for a check between rows


def _given(col: str) -> pl.Expr:
    return pl.col(col).is_not_null()


def _when(condition: pl.Expr, reason: str | pl.Expr) -> pl.Expr:
    value = pl.lit(reason) if isinstance(reason, str) else reason
    return pl.when(condition).then(value).otherwise(NULL_STR)


def _required(spec: k.KindSpec, skip: Iterable[str] = ()) -> list[Check]:
    return [
        Check(c, _when(pl.col(c).is_null(), "必填项为空"))
        for c in spec.required
        if c not in skip and c != "公民身份号码"
    ]


def _vocabulary(col: str, allowed: Iterable[str]) -> Check:
    allowed = tuple(allowed)
    listed = "、".join(allowed)
    return Check(
        col, _when(_given(col) & ~pl.col(col).is_in(allowed), f"取值不在规定范围内（应为：{listed}）")
    )


def _date(col: str) -> Check:
    return Check(
        col, _when(_given(col) & parse_date(col).is_null(), "日期无法识别（应为 YYYY-MM-DD 等格式）")
    )


def _month(col: str) -> Check:
    return Check(col, _when(_given(col) & parse_month(col).is_null(), "月份无法识别（应为 YYYY-MM）"))


def _money(col: str) -> list[Check]:
    return [
        Check(col, _when(_given(col) & money_decimals_problem(col), "金额最多保留两位小数")),
        Check(
            col,
            _when(
                _given(col) & parse_money(col).is_null() & ~money_decimals_problem(col),
                "金额无法识别（应为不小于 0 的元数）",
            ),
        ),
    ]


def _yes_no(col: str) -> Check:
    return Check(col, _when(_given(col) & parse_yes_no(col).is_null(), "应为 是/否（或 Y/N、1/0）"))


def _year(col: str, today: dt.date) -> Check:
    year = parse_int(col)
    bad = _given(col) & (year.is_null() | (year < 1990) | (year > today.year + 1))
    return Check(col, _when(bad, "年度无法识别（应为四位年份）"))


def _id_checks(today: dt.date) -> list[Check]:
    return [Check("公民身份号码", pl.col("__id_problem"))]


def _derived(spec: k.KindSpec, today: dt.date) -> list[pl.Expr]:
    """Values several checks read, computed once per file (the ID checks are the costly part)."""
    exprs: list[pl.Expr] = []
    if "公民身份号码" in [c.name for c in spec.columns]:
        exprs.append(id_number_problems("公民身份号码", today=today).alias("__id_problem"))
    if spec.kind == "registry":
        exprs += [
            birth_date_expr("公民身份号码").alias("__birth"),
            parse_date("发证日期").alias("__issue"),
            pl.coalesce(
                pl.col("残疾类别").replace_strict(k.CATEGORY_CODES, default=None, return_dtype=pl.Int64),
                pl.when(pl.col("残疾类别").str.contains(r"^[1-7]$")).then(
                    pl.col("残疾类别").cast(pl.Int64, strict=False)
                ),
            ).alias("__category"),
            pl.coalesce(
                pl.col("残疾等级").replace_strict(k.GRADE_CODES, default=None, return_dtype=pl.Int64),
                pl.when(pl.col("残疾等级").str.contains(r"^[1-4]$")).then(
                    pl.col("残疾等级").cast(pl.Int64, strict=False)
                ),
            ).alias("__grade"),
        ]
    return exprs


def _duplicate_of_earlier(
    name: str, keys: list[pl.Expr], message: str, column: str, only_when: pl.Expr | None = None
) -> Check:
    """A row whose keys equal an earlier row's: `message` names the first such row."""
    first = pl.col(name)
    condition = first < pl.col("__row")
    if only_when is not None:
        condition = condition & only_when
    return Check(column, _when(condition, pl.format(message, first)), Repeat(name, tuple(keys)))


def _registry_checks(today: dt.date) -> list[Check]:
    """The registry's checks between its columns (certificate, category and grade, dates against
    the ID number, region code, status): declared as `Custom("registry")` in its KindSpec."""
    id_ok = pl.col("__id_problem").is_null()
    birth = pl.col("__birth")
    category = pl.col("__category")
    grade = pl.col("__grade")
    cert = pl.col("残疾人证号")
    expected_cert = pl.concat_str([pl.col("公民身份号码"), category.cast(pl.String), grade.cast(pl.String)])
    issue = pl.col("__issue")
    status = pl.col("证件状态").fill_null("正常")
    code = pl.col("户籍地区划代码")
    county_ok = code.str.slice(0, 6).is_in(sorted(COUNTY_CODES))
    return [
        Check(
            "残疾人证号",
            _when(
                _given("残疾人证号")
                & id_ok
                & category.is_not_null()
                & grade.is_not_null()
                & (cert != expected_cert),
                # The reason names the two digits, never the whole number: reasons are kept in the
                # database and shown to whoever may see the import, full-ID right or not.
                pl.format(
                    "残疾人证号应为身份证号加残疾类别代码和残疾等级代码（本行应为身份证号后加“{}{}”）",
                    category.cast(pl.String),
                    grade.cast(pl.String),
                ),
            ),
        ),
        Check(
            "残疾人证号",
            _when(
                _given("残疾人证号")
                & id_ok
                & (category.is_null() | grade.is_null())
                & ((cert.str.len_chars() != 20) | (cert.str.slice(0, 18) != pl.col("公民身份号码"))),
                "残疾人证号应为 20 位：身份证号加残疾类别代码和残疾等级代码",
            ),
        ),
        Check(
            "残疾类别",
            _when(
                _given("残疾类别") & category.is_null(),
                "残疾类别应为 视力、听力、言语、肢体、智力、精神、多重 或 1–7",
            ),
        ),
        Check("残疾等级", _when(_given("残疾等级") & grade.is_null(), "残疾等级应为 一级–四级 或 1–4")),
        _date("发证日期"),
        Check("发证日期", _when(issue.is_not_null() & (issue > pl.lit(today)), "发证日期在未来")),
        Check("发证日期", _when(issue.is_not_null() & id_ok & (issue < birth), "发证日期早于出生日期")),
        Check(
            "户籍地区划代码",
            _when(
                _given("户籍地区划代码") & ~code.str.contains(r"^(\d{6}|\d{9}|\d{12})$"),
                "区划代码应为 6、9 或 12 位数字",
            ),
        ),
        Check(
            "户籍地区划代码",
            _when(
                _given("户籍地区划代码") & code.str.contains(r"^(\d{6}|\d{9}|\d{12})$") & ~county_ok,
                pl.format("区划代码 {} 不属于本市的县级单位", code),
            ),
        ),
        _vocabulary("城乡类别", k.URBAN_RURAL),
        _vocabulary("证件状态", k.STATUSES),
        Check(
            "状态变更日期",
            _when(
                (status != "正常") & status.is_in(k.STATUSES) & pl.col("状态变更日期").is_null(),
                "证件状态不是“正常”时必须填写状态变更日期",
            ),
        ),
        _date("状态变更日期"),
        Check("性别", _when(_given("性别") & ~pl.col("性别").is_in(["男", "女"]), "性别应为 男 或 女")),
        Check(
            "性别",
            _when(
                _given("性别")
                & pl.col("性别").is_in(["男", "女"])
                & id_ok
                & (pl.col("性别") != sex_expr("公民身份号码")),
                "性别与身份证号不一致",
            ),
        ),
        _date("出生日期"),
        Check(
            "出生日期",
            _when(
                _given("出生日期")
                & parse_date("出生日期").is_not_null()
                & id_ok
                & (parse_date("出生日期") != birth),
                "出生日期与身份证号不一致",
            ),
        ),
        _duplicate_of_earlier(
            "__first_id",
            [pl.col("公民身份号码")],
            "身份证号与第 {} 行重复",
            "公民身份号码",
            only_when=_given("公民身份号码"),
        ),
    ]


def _school_year_ok(col: str) -> pl.Expr:
    c = pl.col(col)
    first = c.str.extract(r"^(\d{4})-(\d{4})$", 1).cast(pl.Int64, strict=False)
    second = c.str.extract(r"^(\d{4})-(\d{4})$", 2).cast(pl.Int64, strict=False)
    return first.is_not_null() & (second == first + 1)


def _in_bounds(column: k.Column, value: pl.Expr) -> Check:
    low, high = column.bounds or (None, None)
    bad = value.is_null()
    if low is not None:
        bad = bad | (value < pl.lit(float(low) if column.type == "decimal" else int(low)))
    if high is not None:
        bad = bad | (value > pl.lit(float(high) if column.type == "decimal" else int(high)))
    return Check(column.name, _when(_given(column.name) & bad, column.reason))


def _region_code(col: str) -> Check:
    allowed = sorted(COUNTY_CODES | {CITY_CODE})
    return Check(
        col,
        _when(_given(col) & ~pl.col(col).is_in(allowed), "区划代码应为本市的县级单位代码（6 位）或市级代码"),
    )


# GB 32100-2015: 18 characters of this alphabet (no I, O, S, V, Z).
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"


def credit_code_check_ok(code: str | None) -> bool:
    """The check character (position 18) of a 统一社会信用代码 holds (weights 3^i mod 31).

    python-stdnum's `calc_check_digit` computes it; its `validate` is not used, because it also
    demands digits in characters 3–8 and so refuses the valid codes of authorities registered
    with letters there (EMPLOYMENT.md)."""
    from stdnum.cn.uscc import calc_check_digit

    if code is None or re.fullmatch(CREDIT_CODE_PATTERN, code) is None:
        return False
    return bool(calc_check_digit(code[:17]) == code[17])


def _credit_code(col: str) -> list[Check]:
    c = pl.col(col).str.to_uppercase()
    shaped = c.str.contains(CREDIT_CODE_PATTERN)
    check_ok = c.map_elements(credit_code_check_ok, return_dtype=pl.Boolean, skip_nulls=True)
    return [
        Check(
            col,
            _when(
                _given(col) & ~shaped,
                "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）",
            ),
        ),
        Check(col, _when(_given(col) & shaped & ~check_ok.fill_null(False), "统一社会信用代码校验位不正确")),
    ]


def _decimal_places(column: k.Column) -> Check:
    """More decimals than `column.places` (trailing zeros do not count)."""
    c = pl.col(column.name).str.replace(r"(\.\d*?)0+$", "${1}")
    pattern = rf"^\d+\.\d{{{(column.places or 0) + 1},}}$"
    return Check(column.name, _when(_given(column.name) & c.str.contains(pattern), column.places_reason))


def column_checks(column: k.Column, today: dt.date) -> list[Check]:
    """The checks of one column by its declared type and allowed values."""
    name = column.name
    if column.allowed:
        return [_vocabulary(name, column.allowed)]
    if column.type == "date":
        return [_date(name)]
    if column.type == "month":
        return [_month(name)]
    if column.type == "money":
        return _money(name)
    if column.type == "yes_no":
        return [_yes_no(name)]
    if column.type == "year":
        return [_year(name, today)]
    if column.type == "int":
        return [_in_bounds(column, parse_int(name))]
    if column.type == "decimal":
        places = [_decimal_places(column)] if column.places is not None else []
        return [*places, _in_bounds(column, parse_decimal(name))]
    if column.type == "credit_code":
        return _credit_code(name)
    if column.type == "school_year":
        return [Check(name, _when(_given(name) & ~_school_year_ok(name), "学年应写成 2024-2025 的形式"))]
    if column.type == "region":
        return [_region_code(name)]
    return []


def parsed(column: k.Column) -> pl.Expr:
    """A column's value as its type reads it (text as it is)."""
    parser = {
        "date": parse_date,
        "month": parse_month,
        "money": parse_money,
        "year": parse_int,
        "int": parse_int,
        "decimal": parse_decimal,
        "yes_no": parse_yes_no,
    }.get(column.type)
    return parser(column.name) if parser else pl.col(column.name)


def _step_checks(spec: k.KindSpec, step: k.CheckStep, today: dt.date) -> list[Check]:
    if isinstance(step, str):
        return column_checks(spec.column(step), today)
    if isinstance(step, k.Order):
        start, end = parsed(spec.column(step.start)), parsed(spec.column(step.end))
        bad = start.is_not_null() & end.is_not_null() & (end < start)
        return [Check(step.end, _when(bad, f"{step.end}早于{step.start}"))]
    if isinstance(step, k.NotFuture):
        day = parsed(spec.column(step.column))
        return [Check(step.column, _when(day.is_not_null() & (day > pl.lit(today)), step.reason))]
    if isinstance(step, k.Unique):
        keys = [parsed(spec.column(c)) for c in step.keys]
        present = [
            _given(c) if spec.column(c).type == "text" else key.is_not_null()
            for c, key in zip(step.keys, keys, strict=True)
        ]
        only_when = present[0]
        for condition in present[1:]:
            only_when = only_when & condition
        name = "__first_" + "_".join(step.keys)
        return [_duplicate_of_earlier(name, keys, step.reason, step.column, only_when=only_when)]
    if isinstance(step, k.Conditional):
        holds = pl.col(step.when).is_in(step.values)
        blank = pl.col(step.column).is_null()
        return [Check(step.column, _when(holds & (blank if step.given else ~blank), step.reason))]
    return CUSTOM[step.name](today)


CUSTOM = {"registry": _registry_checks}


def checks_for(spec: k.KindSpec, today: dt.date) -> list[Check]:
    """The required columns, the ID number, then the kind's declared checks in their order."""
    checks = _required(spec)
    if "公民身份号码" in [c.name for c in spec.columns]:
        checks += _id_checks(today)
    for step in spec.checks:
        checks += _step_checks(spec, step, today)
    return checks


RAGGED = "字段数与表头不符：表头有 {} 个字段，本行有 {} 个。请检查该行是否多了或少了逗号（分隔符）"
WHOLE_ROW = "__first_row"
NUL_FLAG = "__nul"


def repeats_for(spec: k.KindSpec, today: dt.date, original_columns: list[str]) -> list[Repeat]:
    """The checks between rows, in order: the kind's own (same ID number, `Unique`), then the
    exact-duplicate row (equal to an earlier row in every one of the file's own columns)."""
    own = [check.repeat for check in checks_for(spec, today) if check.repeat is not None]
    return [*own, Repeat(WHOLE_ROW, tuple(pl.col(c) for c in original_columns))]


def nul_flag(original_columns: list[str]) -> pl.Expr:
    """True where one of the row's own cells holds a NUL character."""
    if not original_columns:
        return pl.lit(False).alias(NUL_FLAG)
    control = pl.any_horizontal([pl.col(c).str.contains("\x00", literal=True) for c in original_columns])
    return control.fill_null(False).alias(NUL_FLAG)


def validate(
    spec: k.KindSpec,
    frame: pl.DataFrame,
    original_columns: list[str],
    today: dt.date,
    *,
    header_fields: int | None = None,
) -> pl.DataFrame:
    """Add `__columns`/`__reasons` to a frame of normalised canonical columns plus `__row`.

    `original_columns` are the frame's columns that held the file's own values (for the
    exact-duplicate check, which compares whole rows). Optional columns the reader adds:
    `__cell_<column>` (what the file says about that cell: an Excel number cell, a formula error,
    a merged cell — it replaces every other reason about the column) and `__fields` (a CSV row's
    field count: a row whose count differs from the header's `header_fields` has only that reason).
    The whole frame at once; the pipeline does the same a chunk at a time (`judge`).
    """
    repeats = repeats_for(spec, today, original_columns)
    frame = frame.with_columns(
        nul_flag(original_columns),
        *[pl.col("__row").min().over(list(r.keys)).alias(r.name) for r in repeats],
    )
    return judge(spec, frame, today, header_fields=header_fields)


def judge(
    spec: k.KindSpec, frame: pl.DataFrame, today: dt.date, *, header_fields: int | None = None
) -> pl.DataFrame:
    """`validate` of rows whose checks between rows are already answered: the frame holds, besides
    the canonical columns and `__row`, a column per `repeats_for` (the first row with the same keys)
    and `NUL_FLAG`. Row by row, so it can run on a chunk of the file."""
    derived = _derived(spec, today)
    frame = frame.with_columns(derived)
    cell_columns = [c.removeprefix("__cell_") for c in frame.columns if c.startswith("__cell_")]
    if "公民身份号码" in cell_columns and "__id_problem" in frame.columns:
        frame = frame.with_columns(
            pl.coalesce(pl.col("__cell_公民身份号码"), pl.col("__id_problem")).alias("__id_problem")
        )
    checks = checks_for(spec, today)
    checks.append(_duplicate_of_earlier(WHOLE_ROW, [], "与第 {} 行完全相同（重复行）", "（整行）"))
    checks.append(Check("（整行）", _when(pl.col(NUL_FLAG), "含有不可见的控制字符（NUL），请检查原始文件")))
    repeats = [check.repeat.name for check in checks if check.repeat is not None]
    checks = [
        Check(check.column, _when(pl.col(f"__cell_{check.column}").is_null(), check.reason))
        if check.column in cell_columns and check.column != "公民身份号码"
        else check
        for check in checks
    ]
    checks = [Check(c, pl.col(f"__cell_{c}")) for c in cell_columns if c != "公民身份号码"] + checks
    if "__fields" in frame.columns and header_fields is not None:
        ragged = pl.col("__fields") != header_fields
        checks = [Check(check.column, _when(~ragged, check.reason)) for check in checks]
        checks.insert(
            0, Check("（整行）", _when(ragged, pl.format(RAGGED, pl.lit(header_fields), pl.col("__fields"))))
        )
    reason_columns = [check.reason.alias(f"__r{i}") for i, check in enumerate(checks)]
    frame = frame.with_columns(reason_columns)
    names = [f"__r{i}" for i in range(len(checks))]
    id_ok = [pl.col("__id_problem").is_null().alias("__id_ok")] if "__id_problem" in frame.columns else []
    # Joined strings (null when the row has no problem): much faster than list columns.
    return frame.with_columns(
        *id_ok,
        pl.concat_str([pl.col(n) for n in names], separator=SEPARATOR, ignore_nulls=True)
        .replace("", None)
        .alias("__reasons"),
        pl.concat_str(
            [
                pl.when(pl.col(n).is_not_null()).then(pl.lit(check.column))
                for n, check in zip(names, checks, strict=True)
            ],
            separator=SEPARATOR,
            ignore_nulls=True,
        )
        .replace("", None)
        .alias("__columns"),
    ).drop([*names, *(e.meta.output_name() for e in derived), *repeats, NUL_FLAG, "__fields"], strict=False)
