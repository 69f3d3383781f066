"""Benchmark proportional-employment verification and the fund due (EMPLOYMENT.md).

20,000 employers declaring 60,000 persons (about 3 % outside the registry, about 1 % declared by two
employers) against a 1,000,000-person registry with a 1,000,000-row pension list and 20,000 deaths,
all built in memory with polars. Times ``verification.assemble`` — every declared person verified
(one polars pass) and every employer's figures computed with exact fractions — and, apart, the
decryption of the 60,000 declared ID numbers that `huican levy` prints.

Reading the facts from the database is not timed here (it is the same ``load_facts`` the rules,
findings and indicators read: `bench_policy.py`, `bench_matching.py`).

Usage: ``.venv/bin/python bench/bench_levy.py [--persons N] [--employers N] [--declared N] [--seed S]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTIES = [
    "140902", "140981", "140921", "140922", "140923", "140924", "140925", "140926",
    "140927", "140928", "140929", "140930", "140931", "140932", "140971",
]  # fmt: skip
EPOCH = dt.date(1970, 1, 1)
YEAR = 2025


def _dates(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> pl.Series:
    base = (start - EPOCH).days
    return pl.Series(rng.integers(base, base + (end - start).days, n), dtype=pl.Int32).cast(pl.Date)


def build(persons: int, employers: int, declared: int, seed: int):  # type: ignore[no-untyped-def]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    import django

    django.setup()
    from huican.employment.verification import DECLARATION_SCHEMA, DECLARED_SCHEMA, Parameters
    from huican.policy.facts import (
        LIST_SCHEMA,
        RECEIVING_SCHEMA,
        STANDARD_SCHEMA,
        SURVEY_SCHEMA,
        Facts,
        expiry_expr,
    )

    rng = np.random.default_rng(seed)
    n = persons
    person_id = np.arange(1, n + 1, dtype=np.int64)
    hashes = pl.Series(person_id).cast(pl.String).str.zfill(32)
    status = rng.choice(["正常", "注销", "死亡", "迁出"], n, p=[0.95, 0.02, 0.02, 0.01])
    frame = pl.DataFrame(
        {
            "person_id": person_id,
            "id_hash": hashes,
            "birth_date": _dates(rng, n, dt.date(1940, 1, 1), dt.date(2015, 1, 1)),
            "grade": pl.Series(rng.choice([1, 2, 3, 4], n, p=[0.12, 0.18, 0.3, 0.4]), dtype=pl.Int8),
            "issue_date": _dates(rng, n, dt.date(2012, 1, 1), dt.date(2025, 6, 1)),
            "status": status,
            "status_date": _dates(rng, n, dt.date(2015, 1, 1), dt.date(2026, 1, 1)),
        }
    ).with_columns(
        status_date=pl.when(pl.col("status") != "正常").then(pl.col("status_date")),
        expiry_date=expiry_expr(pl.col("issue_date")),
    )

    def list_rows(m: int, **columns: object) -> pl.DataFrame:
        pid = pl.Series(rng.integers(1, n + 1, m), dtype=pl.Int64)
        base = {name: pl.Series([None] * m, dtype=dtype) for name, dtype in LIST_SCHEMA.items()}
        base.update({"person_id": pid, "id_hash": pid.cast(pl.String).str.zfill(32)})
        base.update({k: pl.Series(v) for k, v in columns.items()})  # type: ignore[misc]
        return pl.DataFrame(base).cast(LIST_SCHEMA)  # type: ignore[arg-type]

    pension = list_rows(
        n,
        year=rng.choice([2024, 2025], n, p=[0.3, 0.7]),
        category=rng.choice(["城乡居民", "职工"], n),
        status=rng.choice(["参保缴费", "领取待遇", "暂停", ""], n, p=[0.6, 0.2, 0.1, 0.1]),
    )
    deaths = list_rows(20_000, start_date=_dates(rng, 20_000, dt.date(2020, 1, 1), dt.date(2026, 1, 1)))
    empty = {kind: pl.DataFrame(schema=LIST_SCHEMA) for kind in ("pension", "deaths")}
    facts = Facts(
        on=dt.date(YEAR, 12, 31),
        persons=frame,
        surveys=pl.DataFrame(schema=SURVEY_SCHEMA),
        lists={**empty, "pension": pension, "deaths": deaths},
        standards=pl.DataFrame(schema=STANDARD_SCHEMA),
        receiving=pl.DataFrame(schema=RECEIVING_SCHEMA),
    )

    e = employers
    types = rng.choice(
        ["企业", "机关", "事业单位", "社会团体", "民办非企业单位"], e, p=[0.8, 0.05, 0.1, 0.03, 0.02]
    )
    declarations = pl.DataFrame(
        {
            "declaration_id": np.arange(1, e + 1),
            "credit_code": pl.Series(np.arange(1, e + 1)).cast(pl.String).str.zfill(18),
            "name": pl.Series(np.arange(1, e + 1)).cast(pl.String),
            "region_code": rng.choice(COUNTIES, e),
            "unit_type": types,
            "staff": pl.Series(np.round(np.exp(rng.normal(4, 1.2, e)), 1)).cast(pl.String),
            "average_wage": pl.Series(rng.integers(38_000, 190_000, e)).cast(pl.String),
            "established_posts": pl.Series(rng.integers(10, 200, e)),
            "is_school": pl.Series(rng.random(e) < 0.2),
        }
    ).cast(DECLARATION_SCHEMA)  # type: ignore[arg-type]
    m = declared
    pid = rng.choice(n, m, replace=False) + 1
    outsider = rng.random(m) < 0.03
    ids = pl.Series(pid).cast(pl.String).str.zfill(32)
    ids = pl.select(
        pl.when(pl.Series(outsider)).then(pl.lit("x") + ids.str.slice(1)).otherwise(ids)
    ).to_series()
    twice = rng.choice(m, m // 100, replace=False)
    declaration_of = rng.integers(1, e + 1, m)
    start = _dates(rng, m, dt.date(2019, 1, 1), dt.date(2025, 12, 1))
    people = pl.DataFrame(
        {
            "declared_id": np.arange(1, m + 1),
            "declaration_id": declaration_of,
            "id_hash": ids,
            "id_number_encrypted": "",
            "contract_start": start,
            "contract_end": pl.select(
                pl.when(pl.Series(rng.random(m) < 0.5)).then(
                    start.dt.offset_by(f"{rng.integers(300, 1500)}d")
                )
            ).to_series(),
        }
    )
    extra = people[twice].with_columns(
        declared_id=pl.int_range(m + 1, m + 1 + len(twice), eager=True),
        declaration_id=pl.Series(rng.integers(1, e + 1, len(twice))),
    )
    declared_frame = pl.concat([people, extra]).cast(DECLARED_SCHEMA)  # type: ignore[arg-type]
    params = {code: Parameters(Decimal("80000"), Decimal("0.015"), 16, 59, True, 30) for code in COUNTIES}
    return facts, declarations, declared_frame, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--employers", type=int, default=20_000)
    parser.add_argument("--declared", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    facts, declarations, declared, params = build(args.persons, args.employers, args.declared, args.seed)
    print(
        f"built {args.persons:,} persons, {declarations.height:,} employers, {declared.height:,} declared rows"
        f" in {time.perf_counter() - started:.1f} s"
    )
    from huican.core.crypto import decrypt_many, encrypt_many
    from huican.employment.verification import assemble

    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        elements = assemble(
            year=YEAR,
            declarations=declarations,
            declared=declared,
            facts=facts,
            params=params,
            with_ids=False,
        )
        times.append(time.perf_counter() - t)
    statuses: dict[str, int] = {}
    for element in elements:
        statuses[element["status"]] = statuses.get(element["status"], 0) + 1
    counted = sum(p["counted"] for element in elements for p in element["persons"])
    print(
        f"verification and fund due: best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s"
    )
    print(f"  employers by status: {statuses}; persons counted: {counted:,} of {declared.height:,}")
    tokens = encrypt_many(f"{i:018d}" for i in range(declared.height))
    t = time.perf_counter()
    decrypt_many(tokens)
    print(
        f"decrypting {declared.height:,} declared ID numbers (the command's output): {time.perf_counter() - t:.2f} s"
    )


if __name__ == "__main__":
    main()
