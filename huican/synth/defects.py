"""Deliberate imperfections: malformed rows (~1% per file) and a few exact duplicate rows.

Malformed ID numbers come in the forms a real spreadsheet produces: a wrong check character,
Excel's scientific notation (``1.40902E+17``), the last three digits turned into ``000`` by Excel's
15-digit precision, and 15-digit first-generation numbers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from .common import CHECK_CHARS, ID_WEIGHTS, ascii_series, check_chars, take

BAD_DATES = ("2023-02-30", "2021-13-05", "不详", "2022.05", "20231345", "0000-00-00")
BAD_MONTHS = ("2023-13", "2023年", "不详")
BAD_YEARS = ("不详", "20二三", "2O23")
BAD_NUMBERS = ("约300", "三百元", "--", "300元/月")

ID_FORMS = ("check", "sci", "000", "15")

# kind -> (defect, column, payload); the ID forms are added to every kind with an ID column
SPECS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "registry": [
        ("date", "发证日期", BAD_DATES),
        ("vocab", "残疾类别", ("听障", "肢残", "视障", "智障")),
        ("vocab", "城乡类别", ("城市", "乡村")),
        ("missing", "姓名", ()),
        ("missing", "户编号", ()),
        ("cert", "残疾人证号", ()),
        ("sex", "性别", ()),
        ("region", "户籍地区划代码", ()),
        ("nodate", "证件状态", ()),
    ],
    "survey": [
        ("vocab", "调查年度", BAD_YEARS),
        ("vocab", "就业状况", ("退休", "务农")),
        ("vocab", "需要长期照护", ("不确定",)),
        ("missing", "家庭人均年收入", ()),
        ("vocab", "家庭人均年收入", BAD_NUMBERS),
    ],
    "dibao": [
        ("date", "起始日期", BAD_DATES),
        ("vocab", "保障类别", ("城镇", "乡村")),
        ("missing", "姓名", ()),
        ("vocab", "月保障金额", BAD_NUMBERS),
    ],
    "tekun": [
        ("date", "起始日期", BAD_DATES),
        ("vocab", "供养方式", ("集体", "居家")),
        ("missing", "姓名", ()),
    ],
    "orphan": [("date", "起始日期", BAD_DATES), ("date", "终止日期", BAD_DATES), ("missing", "姓名", ())],
    "elderly_care": [
        ("date", "起始日期", BAD_DATES),
        ("vocab", "月金额", BAD_NUMBERS),
        ("missing", "姓名", ()),
    ],
    "injury_care": [("date", "起始日期", BAD_DATES), ("missing", "起始日期", ())],
    "pension": [
        ("vocab", "参保年度", BAD_YEARS),
        ("vocab", "险种", ("新农保",)),
        ("vocab", "参保状态", ("停保", "中断")),
        ("missing", "姓名", ()),
    ],
    "medical": [
        ("vocab", "参保年度", BAD_YEARS),
        ("vocab", "险种", ("新农合", "城镇居民")),
        ("missing", "姓名", ()),
    ],
    "enrolment": [
        ("vocab", "就读方式", ("在家", "休学")),
        ("missing", "学年", ()),
        ("vocab", "学年", ("二〇二四学年",)),
    ],
    "deaths": [("date", "死亡日期", BAD_DATES), ("missing", "死亡日期", ())],
    "services": [
        ("date", "服务日期", BAD_DATES),
        ("vocab", "服务类型", ("康复训练", "慰问")),
        ("vocab", "结果", ("失败", "取消")),
        ("vocab", "金额", BAD_NUMBERS),
    ],
    "subsidy_recipients": [
        ("vocab", "起始月份", BAD_MONTHS),
        ("vocab", "补贴类型", ("残疾补贴", "护理费")),
        ("missing", "姓名", ()),
    ],
    "applications": [
        ("date", "申请日期", BAD_DATES),
        ("vocab", "审定结果", ("通过", "待审")),
        ("missing", "补贴类型", ()),
    ],
}


def mangle_ids(rng: np.random.Generator, digits: np.ndarray, form: str) -> pl.Series:
    """Broken ID numbers from (n, 17) digit arrays; every result fails the checks of DOMAIN.md §1."""
    n = len(digits)
    ascii_digits = digits.astype(np.uint8) + 48
    if form == "sci":
        chars = np.concatenate(
            [
                ascii_digits[:, :1],
                np.full((n, 1), ord(".")),
                ascii_digits[:, 1:6],
                np.tile(np.frombuffer(b"E+17", dtype=np.uint8), (n, 1)),
            ],
            axis=1,
        )
        return ascii_series(chars).str.replace(r"\.?0+E", "E")
    if form == "15":  # address code + 2-digit year + month + day + sequence
        return ascii_series(np.concatenate([ascii_digits[:, :6], ascii_digits[:, 8:17]], axis=1))
    s = (digits.astype(np.int64) @ ID_WEIGHTS) % 11
    wrong = CHECK_CHARS[(s + rng.integers(1, 11, n)) % 11]
    bad_check = np.concatenate([ascii_digits, wrong[:, None]], axis=1)
    if form == "check":
        return ascii_series(bad_check)
    # form "000": Excel kept 15 significant digits; where that happens to be valid use a bad check
    zeros = np.concatenate([ascii_digits[:, :15], np.full((n, 3), ord("0"))], axis=1)
    z_digits = np.concatenate([digits[:, :15], np.zeros((n, 2), dtype=digits.dtype)], axis=1)
    valid = check_chars(z_digits) == ord("0")
    return ascii_series(np.where(valid[:, None], bad_check, zeros))


def inject(
    df: pl.DataFrame,
    pid: np.ndarray,
    kind: str,
    rng: np.random.Generator,
    digits_of_pid: Callable[[np.ndarray], np.ndarray],
    male_of_pid: Callable[[np.ndarray], np.ndarray],
    share: float = 0.01,
    dup_share: float = 0.0005,
) -> pl.DataFrame:
    """Make ~``share`` of the rows malformed and add a few exact duplicate rows (~``dup_share``,
    at most 200)."""
    n = df.height
    if n == 0:
        return df
    specs = [("id", "公民身份号码", (f,)) for f in ID_FORMS] + SPECS[kind]
    k = max(1 if n >= 50 else 0, round(n * share))
    rows = np.sort(rng.choice(n, size=k, replace=False))
    which = rng.integers(0, len(specs), len(rows))
    cols = {c: df.get_column(c).clone() for c in df.columns}
    for j, (defect, col, payload) in enumerate(specs):
        r = rows[which == j]
        if len(r) == 0:
            continue
        k = len(r)
        if defect == "id":
            values = mangle_ids(rng, digits_of_pid(pid[r]), payload[0])
        elif defect in ("date", "vocab"):
            values = take(payload, rng.integers(0, len(payload), k))
        elif defect == "missing":
            values = pl.Series([None] * k, dtype=pl.String)
        elif defect == "cert":  # the grade digit no longer agrees with the 残疾等级 column
            g = cols[col].gather(r)
            last = g.str.slice(19, 1).cast(pl.Int64, strict=False).fill_null(1)
            values = g.str.slice(0, 19) + (last % 4 + 1).cast(pl.String)
        elif defect == "sex":  # disagrees with the ID number
            values = take(("女", "男"), male_of_pid(pid[r]).astype(np.int64))
        elif defect == "region":  # not a county of the city (太原市) or a truncated code
            values = take(("140105001001", "14090", "140100"), rng.integers(0, 3, k))
        elif defect == "nodate":  # a status other than 正常 without its date
            values = take(("死亡", "迁出", "注销"), rng.integers(0, 3, k))
            cols["状态变更日期"].scatter(r, pl.Series([None] * k, dtype=pl.String))
        else:  # pragma: no cover
            raise ValueError(defect)
        cols[col].scatter(r, values)
    out = pl.DataFrame(cols)
    # a few exact duplicates, each a little after its original
    n_dup = min(200, max(1, round(n * dup_share))) if n >= 20 else 0
    if n_dup == 0:
        return out
    src = np.sort(rng.choice(n, size=n_dup, replace=False))
    at = np.minimum(src + rng.integers(1, 200, n_dup), n - 1)
    order = np.argsort(at, kind="stable")
    pieces, prev = [], 0
    for a, s in zip(at[order], src[order], strict=True):
        pieces += [out.slice(prev, a + 1 - prev), out.slice(s, 1)]
        prev = a + 1
    pieces.append(out.slice(prev, n - prev))
    return pl.concat(pieces, rechunk=False)
