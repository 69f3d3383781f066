"""Benchmark the policy engine.

1. ``decide()`` on a synthetic Facts built directly in polars (default 1,000,000 persons, realistic
   list sizes) — building such a database by hand would take far longer than the decisions.
2. ``explain_person()`` on a small SQLite database (200 persons with lists).

Usage: ``.venv/bin/python bench/bench_policy.py [--persons N] [--seed S] [--skip-explain]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTIES = [
    "140902", "140981", "140921", "140922", "140923", "140924", "140925", "140926",
    "140927", "140928", "140929", "140930", "140931", "140932", "140971",
]  # fmt: skip
ON = dt.date(2025, 6, 30)


def _days(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> np.ndarray:
    base = (start - dt.date(1970, 1, 1)).days
    return rng.integers(base, base + (end - start).days, n)


def _as_date(values: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.Int32).cast(pl.Date)


def synthetic_facts(n: int, seed: int):  # -> Facts
    from huican.exchange.snapshots import LIST_KINDS
    from huican.policy.facts import LIST_SCHEMA, RENOVATION_SCHEMA, SURVEY_SCHEMA, Facts, expiry_expr

    rng = np.random.default_rng(seed)
    person_id = np.arange(1, n + 1, dtype=np.int64)
    county = rng.choice(COUNTIES, n)
    household = rng.integers(0, int(n * 0.9), n)
    status = rng.choice(["正常", "注销", "死亡", "迁出"], n, p=[0.95, 0.02, 0.02, 0.01])
    persons = pl.DataFrame(
        {
            "person_id": person_id,
            "id_hash": [f"{i:032x}" for i in person_id],
            "name": "测试",
            "sex": rng.choice(["男", "女"], n),
            "birth_date": _as_date(_days(rng, n, dt.date(1930, 1, 1), dt.date(2024, 1, 1))),
            "category": pl.Series(rng.integers(1, 8, n), dtype=pl.Int8),
            "grade": pl.Series(rng.choice([1, 2, 3, 4], n, p=[0.12, 0.18, 0.3, 0.4]), dtype=pl.Int8),
            "issue_date": _as_date(_days(rng, n, dt.date(2012, 1, 1), dt.date(2025, 6, 1))),
            "region_code": [f"{c}001001" for c in county],
            "county_code": county,
            "township_code": [f"{c}001" for c in county],
            "urban_rural": rng.choice(["城镇", "农村"], n, p=[0.25, 0.75]),
            "household_number": [f"H{h}" for h in household],
            "status": status,
            "status_date": _as_date(_days(rng, n, dt.date(2015, 1, 1), dt.date(2026, 1, 1))),
        }
    ).with_columns(
        status_date=pl.when(pl.col("status") != "正常").then(pl.col("status_date")),
        expiry_date=expiry_expr(pl.col("issue_date")),
    )

    def survey_year(year: int, share: float) -> pl.DataFrame:
        ids = person_id[rng.random(n) < share]
        m = len(ids)
        income = np.round(rng.lognormal(9.3, 0.6, m), 2)
        return pl.DataFrame(
            {
                "person_id": ids,
                "year": year,
                "household_size": rng.integers(1, 6, m),
                "income": np.where(rng.random(m) < 0.03, np.nan, income),
                "long_term_care": rng.random(m) < 0.3,
                "rehab_need": rng.random(m) < 0.4,
                "device_need": rng.random(m) < 0.2,
                "renovation_need": rng.random(m) < 0.1,
                "care_service_need": rng.random(m) < 0.05,
                "employment": "未就业",
            }
        ).with_columns(pl.col("income").fill_nan(None))

    surveys = pl.concat([survey_year(y, s) for y, s in ((2023, 0.8), (2024, 0.85), (2025, 0.5))]).cast(
        SURVEY_SCHEMA  # type: ignore[arg-type]
    )

    def make_list(
        share: float, *, outsiders: float = 0.0, end_share: float = 0.2, **extra: object
    ) -> pl.DataFrame:
        ids = person_id[rng.random(n) < share]
        m = len(ids)
        k = int(m * outsiders)
        pid = np.concatenate([ids, np.full(k, -1)])
        total = m + k
        end = np.where(
            rng.random(total) < end_share, _days(rng, total, dt.date(2023, 1, 1), dt.date(2026, 12, 31)), -1
        )
        frame = pl.DataFrame(
            {
                "id_hash": [f"{i:032x}" if i > 0 else f"x{j:031x}" for j, i in enumerate(pid)],
                "person_id": pl.Series(pid).replace(-1, None),
                "name": "测试",
                "start_date": _as_date(_days(rng, total, dt.date(2018, 1, 1), dt.date(2025, 12, 31))),
                "end_date": _as_date(end).replace(dt.date(1969, 12, 31), None),
                "row_number": np.arange(2, total + 2),
                "batch_id": 1,
            }
        )
        for key, value in extra.items():
            frame = frame.with_columns(
                pl.Series(key, value(total)) if callable(value) else pl.lit(value).alias(key)
            )
        return frame.with_columns(
            [pl.lit(None).alias(c) for c in LIST_SCHEMA if c not in frame.columns]
        ).select([pl.col(c).cast(t) for c, t in LIST_SCHEMA.items()])

    lists = {
        "dibao": make_list(0.12, outsiders=0.05),
        "tekun": make_list(0.03),
        "orphan": make_list(0.003),
        "elderly_care": make_list(0.06),
        "injury_care": make_list(0.005),
        "pension": make_list(0.7, year=2025, status="参保缴费"),
        "medical": make_list(0.9, year=2025),
        "enrolment": make_list(0.03, school_year="2024-2025"),
        "deaths": make_list(0.01, outsiders=0.1),
        "services": make_list(
            0.25,
            outsiders=0.02,
            category=lambda m: rng.choice(["康复服务", "辅具适配", "职业技能培训", "无障碍改造"], m),
            status="完成",
        ),
        "subsidy_recipients": make_list(0.25, category=lambda m: rng.choice(["生活补贴", "护理补贴"], m)),
    }
    assert set(lists) == set(LIST_KINDS)
    rows = []
    for region in ["140900", *COUNTIES[:10]]:
        for year in (2021, 2023, 2025):
            rows.append(
                {
                    "region_code": region,
                    "effective_date": dt.date(year, 1, 1),
                    "urban_dibao": 700.0 + year - 2021,
                    "rural_dibao": 515.3 + year - 2021,
                    "living_subsidy": 80.0,
                    "nursing_grade1": 100.0,
                    "nursing_grade2": 80.0,
                    "near_poor_multiple": 1.5,
                    "topup_rate": 0.05,
                    "living_includes_near_poor": region.endswith("2"),
                    "nursing_includes_grade34_intellectual_mental": region.endswith("1"),
                    "child_rehab_max_age": 6,
                }
            )
    from huican.policy.facts import STANDARD_SCHEMA

    standards = pl.DataFrame(rows, schema=STANDARD_SCHEMA)
    receiving = lists["subsidy_recipients"].select(
        "person_id",
        "id_hash",
        benefit=pl.col("category").replace_strict(
            {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}
        ),
        start_month=pl.col("start_date").dt.month_start(),
        end_month=pl.col("end_date").dt.month_start(),
        monthly_amount=pl.col("amount"),
        effective_from=pl.lit(None, dtype=pl.Date),  # the imported roll: receiving from its months
    )
    return Facts(
        on=ON,
        persons=persons,
        surveys=surveys,
        lists=lists,
        standards=standards,
        receiving=receiving,
        renovations=pl.DataFrame(schema=RENOVATION_SCHEMA),
    )


def bench_decide(n: int, seed: int) -> None:
    from huican.policy.rules import decide

    t0 = time.perf_counter()
    facts = synthetic_facts(n, seed)
    t1 = time.perf_counter()
    result = decide(facts)
    t2 = time.perf_counter()
    print(f"synthetic facts: {n:,} persons, {sum(f.height for f in facts.lists.values()):,} list rows, "
          f"{facts.surveys.height:,} surveys — built in {t1 - t0:.1f} s")  # fmt: skip
    print(f"decide(): {result.height:,} decisions (8 benefits) with reasons in {t2 - t1:.1f} s")
    del result
    t3 = time.perf_counter()
    result = decide(facts, with_reasons=False)
    print(f"decide(with_reasons=False): {time.perf_counter() - t3:.1f} s")
    print(result.group_by("benefit", "decision").len().sort("benefit", "decision"))


def bench_explain(persons: int = 200) -> None:
    from huican.cli import setup_django

    setup_django()
    from huican.policy.rules import explain_person
    from tests.factories import make_list_record, make_person, make_standard, make_survey

    make_standard()
    people = []
    for i in range(persons):
        p = make_person(grade=1 + i % 4, household_number=f"H{i // 2}")
        make_survey(p, year=2024, income=str(3000 + 50 * i), long_term_care=i % 2 == 0, renovation_need=True)
        if i % 3 == 0:
            make_list_record("dibao", p, start=dt.date(2024, 1, 1))
        people.append(p)
    t0 = time.perf_counter()
    for p in people[:50]:
        explain_person(p.pk, ON)
    elapsed = (time.perf_counter() - t0) / 50
    print(f"explain_person(): {elapsed * 1000:.0f} ms per person (DB of {persons} persons)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-explain", action="store_true")
    args = parser.parse_args()
    # a throw-away SQLite database for the explain benchmark (never the project's own)
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='huican-bench-')}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    import django

    django.setup()
    bench_decide(args.persons, args.seed)
    if not args.skip_explain:
        bench_explain()
