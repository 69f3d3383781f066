"""Benchmark the plan indicators over the synthetic Facts of bench_matching (built in memory).

Times ``indicators_from_facts`` for the city and its 15 county-level units (which includes
``prepare`` + ``evaluate``) and compares it with a bare polars pass over the same frames (persons
⋈ every list, grouped by county), the floor any set-based computation has to pay.

Usage: ``.venv/bin/python bench/bench_indicators.py [--persons N] [--rows N] [--seed S]``
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matching import COUNTIES, synthetic_facts


def bare_pass(facts: Any) -> int:
    """Join every list with the persons and count rows per county: the floor."""
    import polars as pl

    people = facts.persons.select("person_id", "county_code")
    groups = 0
    for frame in facts.lists.values():
        groups += frame.join(people, on="person_id").group_by("county_code").agg(pl.len()).height
    return groups


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in every list kind")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    t0 = time.perf_counter()
    facts = synthetic_facts(args.persons, args.rows, args.seed)
    print(f"synthetic facts: {facts.persons.height:,} persons — built in {time.perf_counter() - t0:.1f} s")

    from huican.monitoring.indicators import indicators_from_facts
    from huican.monitoring.plan import load_plan
    from huican.policy.rules import evaluate
    from huican.policy.vocabulary import prepare

    plan = load_plan()
    bare = float("inf")
    for _ in range(2):  # the best of two: the first pass also pays for warming the allocator
        t0 = time.perf_counter()
        bare_pass(facts)
        bare = min(bare, time.perf_counter() - t0)

    t0 = time.perf_counter()
    prepared = prepare(facts)
    decisions = evaluate(prepared)
    decide_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = indicators_from_facts(
        facts,
        year=facts.on.year,
        plan=plan,
        gdp_growth=Decimal("5.0"),
        units=sorted(COUNTIES),
        prepared=prepared,
        decisions=decisions,
    )
    indicator_time = time.perf_counter() - t0

    print(f"bare polars pass (lists ⋈ persons, by county): {bare:.2f} s")
    print(f"decide (prepare + evaluate): {decide_time:.2f} s")
    print(f"indicators ({len(rows)} rows, city + {len(COUNTIES)} units): {indicator_time:.2f} s")
    print(f"ratio indicators / bare pass: {indicator_time / bare:.1f}×; "
          f"(decide + indicators) / bare pass: {(decide_time + indicator_time) / bare:.1f}×")  # fmt: skip
    for row in rows:
        if row["region"] == "140900":
            print(f"  {row['code']:<26} {row['numerator']!s:>12} / {row['denominator']!s:<12} = {row['value']!s:<8} "
                  f"target {row['target']!s:<6} met {row['met']}")  # fmt: skip


if __name__ == "__main__":
    main()
