"""The synthetic proportional-employment declarations (EMPLOYMENT.md): `levy_standards`,
`employers` and `employer_staff` for 2024 and 2025.

About one employer per 60 registry persons (enterprises mostly, some 机关 and 事业单位 with their
编制数, a few associations coded by letters, N… and Y…), each declaring a few working-age persons;
with deliberate imperfections: ~3% of declared persons outside the registry, a few declared by two
employers, contracts under a year, and ~1% malformed rows (a wrong check character, a contract
ending before it starts, more than one decimal of staff).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from stdnum.cn.uscc import calc_check_digit

from huican.exchange.kinds import EMPLOYER_TYPES, KINDS

from .common import CITY_CODE, COUNTIES, age_on, day, ymd
from .lists import Table
from .population import Population

YEARS = (2024, 2025)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# 登记管理部门 + 机构类别 of each 单位类型 (GB 32100-2015): 工商 9 1, 机构编制 1 1 / 1 2, 民政 5 1 / 5 2.
PREFIX = {"企业": "91", "机关": "11", "事业单位": "12", "社会团体": "51", "民办非企业单位": "52"}
TYPE_P = (0.82, 0.05, 0.08, 0.03, 0.02)


def columns(kind: str) -> tuple[str, ...]:
    return tuple(column.name for column in KINDS[kind].columns)


def _code(rng: np.random.Generator, unit_type: str, county: int, letters: bool) -> str:
    body = "".join(rng.choice(list(ALPHABET), 9))
    prefix = ("N2" if rng.random() < 0.5 else "Y1") if letters else PREFIX[unit_type]
    first17 = f"{prefix}{county}{body}"
    return first17 + calc_check_digit(first17)


def _date(days: int) -> str:
    y, m, d = ymd(np.array([days]))
    return f"{int(y[0]):04d}-{int(m[0]):02d}-{int(d[0]):02d}"


def levy_standards() -> pl.DataFrame:
    rows = []
    for year in YEARS:
        rows.append(
            {
                "统计年度": str(year),
                "区划代码": str(CITY_CODE),
                "社会平均工资": str(80000 + 4000 * (year - 2024)),
            }
        )
        rows.append(
            {
                "统计年度": str(year),
                "区划代码": "140902",
                "社会平均工资": str(86000 + 4000 * (year - 2024)),
                "安排比例": "0.015",
            }
        )
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns("levy_standards"), pl.String))
    return frame


def employers_and_staff(
    pop: Population, rng: np.random.Generator, pension: Table
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Employers and their declared persons: about 85 % of the persons declared pay into the 职工
    pension in 2025 (real jobs), the rest do not (the 挂靠 pattern a finding looks for)."""
    counties = [code for code, _, _ in COUNTIES]
    n = max(3, pop.n_reg // 60)
    employers: list[dict[str, str | None]] = []
    codes: list[str] = []
    for i in range(n):
        unit_type = EMPLOYER_TYPES[int(rng.choice(5, p=TYPE_P))]
        county = counties[int(rng.integers(0, len(counties)))]
        letters = unit_type == "社会团体" and rng.random() < 0.5
        code = _code(rng, unit_type, county, letters)
        staff = (
            float(np.round(np.exp(rng.normal(3.8, 1.2)), 1))
            if unit_type == "企业"
            else float(rng.integers(20, 400))
        )
        posts = str(int(staff * rng.uniform(0.7, 1.0))) if unit_type in ("机关", "事业单位") else None
        row = {
            "统一社会信用代码": code,
            "单位名称": f"虚拟{'单位' if unit_type != '企业' else '公司'}{i + 1:05d}",
            "统计年度": "2025",
            "单位类型": unit_type,
            "在职职工人数": f"{staff:.1f}".removesuffix(".0"),
            "在职职工年平均工资": f"{int(rng.integers(38_000, 190_000))}",
            "区划代码": str(county),
            "编制数": posts,
            "是否学校幼儿园": ("是" if rng.random() < 0.3 else "否") if unit_type == "事业单位" else None,
        }
        defect = rng.random()
        if defect < 0.005:
            row["统一社会信用代码"] = code[:17] + ALPHABET[(ALPHABET.index(code[17]) + 1) % 31]
        elif defect < 0.01:
            row["在职职工人数"] = f"{staff:.1f}5"
        employers.append(row)
        codes.append(code)
    working = np.nonzero(
        (np.arange(pop.size) < pop.n_reg)
        & (age_on(pop.by, pop.bmd, 2025, 12, 31) >= 16)
        & (age_on(pop.by, pop.bmd, 2025, 12, 31) <= 62)
    )[0]
    outsiders = np.arange(pop.n_reg, pop.n_reg + pop.n_out)
    staff_rows: list[dict[str, str | None]] = []
    paying = (pension["year"] == 2025) & (pension["scheme"] == 1) & np.isin(pension["status"], (0, -1))
    employees = np.intersect1d(working, pension["pid"][paying])
    others = np.setdiff1d(working, employees)
    size = int(n * 1.5)
    real = rng.choice(employees, size=min(len(employees), int(size * 0.85)), replace=False)
    lent = rng.choice(others, size=min(len(others), size - len(real)), replace=False)
    declared = rng.permutation(np.concatenate([real, lent]))
    for k, pid in enumerate(declared):
        if rng.random() < 0.03 and len(outsiders):
            pid = outsiders[int(rng.integers(0, len(outsiders)))]
        employer = int(rng.integers(0, n))
        start = int(rng.integers(day("2019-01-01"), day("2025-12-01")))
        end: int | None = None if rng.random() < 0.5 else start + int(rng.integers(300, 1500))
        targets = [employer]
        if rng.random() < 0.01:
            targets.append(int(rng.integers(0, n)))  # declared by a second employer too
        for target in dict.fromkeys(targets):
            row = {
                "统一社会信用代码": codes[target],
                "统计年度": "2025",
                "公民身份号码": "".join(str(int(d)) for d in pop.id_digits[pid])
                + chr(int(pop.id_check[pid])),
                "姓名": f"员工{k:05d}",
                "劳动合同起始日期": _date(start),
                "劳动合同终止日期": _date(end) if end is not None else None,
            }
            if rng.random() < 0.005 and end is not None:
                row["劳动合同终止日期"] = _date(start - 30)
            staff_rows.append(row)
    return (
        pl.DataFrame(employers, schema=dict.fromkeys(columns("employers"), pl.String)),
        pl.DataFrame(staff_rows, schema=dict.fromkeys(columns("employer_staff"), pl.String)),
    )
