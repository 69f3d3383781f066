"""Benchmark the monitoring dashboard (aim: under 300 ms) and the report on an imported synthetic city.

Generates a dataset (``huican.synth.generator.generate``), imports every kind through the real
pipeline into a fresh SQLite database under a temporary HUICAN_VAR_DIR (or DATABASE_URL if set),
then times with the Django test client:

- the city dashboard, cold (computes 2021–2025 and keeps the rows) and warm (median of N requests);
- a county dashboard (warm: its rows come from the same kept runs) and the current year as of today;
- one person list (numerator of an indicator, computed on demand);
- ``huican report`` in each format.

Usage: ``.venv/bin/python bench/bench_monitoring.py [--persons 20000] [--seed 3] [--repeat 20]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(client, path: str) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - started) * 1000, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="huican-bench-monitoring-"))
    os.environ["HUICAN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")

    from huican.synth.generator import generate

    files = generate(persons=args.persons, seed=args.seed, out=work / "data")

    from huican.cli import setup_django

    setup_django()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from huican.accounts.models import Role, User
    from huican.exchange.pipeline import run_import
    from huican.regions.models import Region

    started = time.perf_counter()
    from huican.exchange.kinds import IMPORT_ORDER

    for kind in IMPORT_ORDER:
        run_import(kind=kind, path=files[kind], actor="bench")
    print(
        f"synthetic city: {args.persons:,} persons, every kind imported in {time.perf_counter() - started:.1f} s"
    )

    setup_test_environment()
    user = User.objects.create(
        username="bench_city", role=Role.CITY_STAFF, region=Region.objects.get(code="140900")
    )
    client = Client()
    client.force_login(user)

    cold, status = timed(client, "/monitoring/")
    assert status == 200, status
    print(f"city dashboard, cold (computes and keeps 2021–2025): {cold:.0f} ms")
    warm = [timed(client, "/monitoring/")[0] for _ in range(args.repeat)]
    print(f"city dashboard, warm: median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms "
          f"over {args.repeat} requests (aim < 300 ms)")  # fmt: skip
    county = [timed(client, "/monitoring/140902/")[0] for _ in range(args.repeat)]
    print(f"county dashboard (忻府区), warm: median {statistics.median(county):.0f} ms")
    today = time.strftime("%Y")
    first, _ = timed(client, f"/monitoring/?year={today}")
    again = [timed(client, f"/monitoring/?year={today}")[0] for _ in range(5)]
    print(f"current year as of today: first {first:.0f} ms (computes today's rows), then median "
          f"{statistics.median(again):.0f} ms")  # fmt: skip
    persons, status = timed(client, "/monitoring/140902/persons/medical_enrolment/numerator/?year=2025")
    assert status == 200, status
    print(f"person list (忻府区 medical_enrolment numerator, computed on demand): {persons:.0f} ms")

    from huican.monitoring.reports.build import write_report

    for suffix in (".xlsx", ".docx", ".pdf"):
        started = time.perf_counter()
        out = write_report(year=2025, out=work / f"report{suffix}")
        print(f"report {suffix}: {time.perf_counter() - started:.1f} s ({out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
