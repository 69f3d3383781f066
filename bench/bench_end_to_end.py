"""End to end on a database: import a whole synthetic Xinzhou, then compute from the database.

Generates N persons with `huican synth`'s generator, imports every kind through the real pipeline
(timing each against reading the same file with polars), then times, reading everything back from
the database: all eligibility decisions on one date, all findings on one date, all indicators for
the city and every county for one year.

The findings run (load the facts, decide, find) runs in a fresh process, so that its peak resident
memory (the RSS high-water mark, VmHWM) is its own and not the imports'.

Usage: .venv/bin/python bench/bench_end_to_end.py [--persons 1000000] [--seed 7] [--keep]
       [--profile-import FILE]  (cProfile of the imports, e.g. at --persons 200000) [--imports-only]
Uses a fresh SQLite database in a temporary folder, or DATABASE_URL when set (an empty database of
your own: the imports are timed as first imports).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
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
    parser.add_argument("--profile-import", metavar="FILE", help="write a cProfile of the imports to FILE")
    parser.add_argument("--imports-only", action="store_true", help="stop after the imports")
    parser.add_argument("--phases", action="store_true", help="time each import's phases (prepare, write, …)")
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
    from django.db import connection

    from huican.exchange.kinds import IMPORT_ORDER
    from huican.exchange.pipeline import run_import

    print(f"database: {connection.vendor}", flush=True)
    phases = _PhaseTimer() if args.phases else None
    profiler = None
    if args.profile_import:
        import cProfile

        profiler = cProfile.Profile()
    total_import = total_read = 0.0
    for kind in IMPORT_ORDER:
        started = time.perf_counter()
        rows = pl.read_csv(files[kind], infer_schema=False).height
        read = time.perf_counter() - started
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        batch = run_import(kind=kind, path=files[kind], actor="bench")
        if profiler is not None:
            profiler.disable()
        took = time.perf_counter() - started
        total_import += took
        total_read += read
        print(
            f"import {kind:<20} {rows:>10,} rows {took:7.1f} s  (polars read {read:.2f} s, {took / read:5.1f}x)"
            f"  accepted {batch.accepted:,} rejected {batch.rejected:,}",
            flush=True,
        )
        if phases is not None:
            print("    " + phases.report(took), flush=True)
    print(
        f"all imports: {total_import:.1f} s (polars reads {total_read:.1f} s, {total_import / total_read:.1f}x)",
        flush=True,
    )
    if profiler is not None:
        profiler.dump_stats(args.profile_import)
        print(f"import profile written to {args.profile_import}", flush=True)
    connection.close()
    if args.imports_only:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return

    # The findings run in a fresh process (spawned, so it shares none of the imports' memory).
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        pool.apply(_findings_run)

    from huican.monitoring.indicators import compute_indicators
    from huican.policy.facts import load_facts

    on = dt.date(2025, 12, 31)

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


def _findings_run() -> None:
    """A findings run as the work list's runs compute it (``matching.services.compute_run``: load
    the facts, the decisions the findings read, the findings); prints the time of each step and
    this process's peak resident memory."""
    from huican.cli import setup_django

    setup_django()
    from huican.matching.services import compute_run

    on = dt.date(2025, 12, 31)
    baseline = _peak_rss_kib()
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    computed = compute_run(on=on, step=lambda percent, message: marks.append((message, time.perf_counter())))
    ended = time.perf_counter()
    peak = _peak_rss_kib()
    times = [t for _, t in marks] + [ended]
    names = ("load_facts from the database", "decisions the findings read, with reasons", "findings")
    for name, begin, finish in zip(names, times, times[1:], strict=False):
        print(f"{name}: {finish - begin:.1f} s", flush=True)
    print(
        f"all findings ({computed.found.height:,}) — findings run from the database {ended - started:.1f} s",
        flush=True,
    )
    print(
        f"findings run peak RSS: {peak / 1024**2:.2f} GiB (process after start-up: {baseline / 1024**2:.2f} GiB)",
        flush=True,
    )


class _PhaseTimer:
    """Times the phases of each import by wrapping the functions the pipeline calls (the rest of an
    import's time: the commit, the batch's own rows, the audit entry)."""

    WRAPPED = (
        ("huican.exchange.pipeline", "prepare", "prepare"),
        ("huican.exchange.writers", "insert_rows", "insert"),
        ("huican.exchange.writers", "update_rows", "update"),
        ("huican.exchange.columnar", "encode", "list copy encoded (overlaps the insert)"),
        ("huican.exchange.columnar", "save", "list copy saved"),
        ("huican.policy.facts", "refresh_registry_copies", "registry copies"),
        ("huican.exchange.pipeline", "write_rejects", "rejects file"),
        ("huican.exchange.pipeline", "refresh_statistics", "analyze"),
        ("huican.exchange.writers", "persist", "persist"),
    )

    def __init__(self) -> None:
        import importlib

        self.spent: dict[str, float] = {}
        for module_name, attribute, label in self.WRAPPED:
            module = importlib.import_module(module_name)
            setattr(module, attribute, self._timed(getattr(module, attribute), label))
        from django.db import connections

        wrapper = connections["default"]
        wrapper.commit = self._timed(wrapper.commit, "commit")

    def _timed(self, function, label):  # type: ignore[no-untyped-def]
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - started

        return timed

    def report(self, took: float) -> str:
        spent, self.spent = self.spent, {}
        parts = [f"{label} {seconds:.1f}" for label, seconds in spent.items()]
        return "phases (s): " + ", ".join(parts) + f" of {took:.1f}"


def _peak_rss_kib() -> int:
    """This process's resident-memory high-water mark in KiB: VmHWM of its own address space.

    Not ``getrusage``'s ru_maxrss, which a spawned child inherits from the parent it was forked from
    (the RSS of the importing parent, several GB at a million persons).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
