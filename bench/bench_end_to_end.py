"""End to end on a database: import a whole synthetic Xinzhou, then compute from the database.

Generates N persons with `huican synth`'s generator, imports every kind through the real pipeline
(timing each against reading the same file with polars), then times, reading everything back from
the database: all eligibility decisions on one date, all findings on one date, all indicators for
the city and every county for one year.

Usage: .venv/bin/python bench/bench_end_to_end.py [--persons 1000000] [--seed 7] [--keep]
Uses a fresh SQLite database in a temporary folder (or DATABASE_URL when set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="huican-e2e-"))
    os.environ["HUICAN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    import polars as pl

    from huican.cli import setup_django
    from huican.synth.generator import generate

    started = time.perf_counter()
    files = generate(persons=args.persons, seed=args.seed, out=work / "data")
    print(f"synth {args.persons:,} persons: {time.perf_counter() - started:.1f} s", flush=True)

    setup_django()
    from huican.exchange.kinds import IMPORT_ORDER
    from huican.exchange.pipeline import run_import

    total_import = total_read = 0.0
    for kind in IMPORT_ORDER:
        started = time.perf_counter()
        rows = pl.read_csv(files[kind], infer_schema=False).height
        read = time.perf_counter() - started
        started = time.perf_counter()
        batch = run_import(kind=kind, path=files[kind], actor="bench")
        took = time.perf_counter() - started
        total_import += took
        total_read += read
        print(
            f"import {kind:<20} {rows:>10,} rows {took:7.1f} s  (polars read {read:.2f} s, {took / read:5.1f}x)"
            f"  accepted {batch.accepted:,} rejected {batch.rejected:,}",
            flush=True,
        )
    print(
        f"all imports: {total_import:.1f} s (polars reads {total_read:.1f} s, {total_import / total_read:.1f}x)"
    )

    on = dt.date(2025, 12, 31)
    from huican.matching.findings import compute_findings
    from huican.monitoring.indicators import compute_indicators
    from huican.policy.facts import load_facts
    from huican.policy.rules import evaluate
    from huican.policy.vocabulary import prepare

    started = time.perf_counter()
    facts = load_facts(on=on)
    loaded = time.perf_counter() - started
    print(f"load_facts from the database: {loaded:.1f} s", flush=True)
    started = time.perf_counter()
    prepared = prepare(facts)
    decisions = evaluate(prepared)
    decided = time.perf_counter() - started
    print(f"all decisions ({decisions.height:,}) with reasons: {decided:.1f} s", flush=True)
    started = time.perf_counter()
    findings = compute_findings(facts, decisions, prepared=prepared)
    found = time.perf_counter() - started
    print(
        f"all findings ({findings.height:,}): {found:.1f} s — total from the database {loaded + decided + found:.1f} s"
    )
    del facts, prepared, decisions, findings

    started = time.perf_counter()
    county = load_facts(on=on, region="140902")
    print(
        f"load_facts for one county (忻府区, {county.persons.height:,} persons): {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    del county

    started = time.perf_counter()
    rows = compute_indicators(year=2025)
    print(
        f"all indicators, city + 15 units, 2025 ({len(rows)} rows), from the database: {time.perf_counter() - started:.1f} s"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}")


if __name__ == "__main__":
    main()
