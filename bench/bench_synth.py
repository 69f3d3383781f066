"""Benchmark: time the synthetic-data generator (huican.synth.generator.generate).

Usage: .venv/bin/python bench/bench_synth.py [--persons 1000000] [--seed 7] [--keep]
Writes into a temporary directory (removed afterwards unless --keep) and prints the seconds taken,
the rows written per file and the total size. No Django needed.
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--keep", action="store_true", help="keep the generated files and print where")
    args = parser.parse_args()

    from huican.synth.generator import generate

    work = Path(tempfile.mkdtemp(prefix="huican-synth-"))
    try:
        started = time.perf_counter()
        files = generate(persons=args.persons, seed=args.seed, out=work)
        elapsed = time.perf_counter() - started
        total_rows = 0
        total_bytes = 0
        for kind, path in files.items():
            with path.open("rb") as fh:
                rows = sum(1 for _ in fh) - 1
            total_rows += rows
            total_bytes += path.stat().st_size
            print(f"  {kind:20s} {rows:>11,} rows")
        print(
            f"synth {args.persons:,} persons: {elapsed:.1f} s "
            f"({total_rows:,} rows, {total_bytes / 1e6:,.0f} MB)"
        )
        if args.keep:
            print(f"files kept in {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
