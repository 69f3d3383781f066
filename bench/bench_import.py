"""Benchmark: import a registry CSV of N rows, as a ratio to reading the same file with polars.

Usage: .venv/bin/python bench/bench_import.py [--persons 1000000] [--seed 7]
Writes a fresh SQLite database under a temporary HUICAN_VAR_DIR (or DATABASE_URL if set).
Also measures search by ID number and the person page on the imported registry.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="huican-bench-"))
    os.environ["HUICAN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")

    import polars as pl

    from huican.synth.generator import generate

    started = time.perf_counter()
    files = generate(persons=args.persons, seed=args.seed, out=work / "data")
    print(f"synth {args.persons} persons: {time.perf_counter() - started:.1f} s")
    registry = files["registry"]

    started = time.perf_counter()
    frame = pl.read_csv(registry, infer_schema=False)
    baseline = time.perf_counter() - started
    print(f"baseline polars.read_csv ({frame.height} rows): {baseline:.2f} s")

    from huican.cli import setup_django

    setup_django()
    from huican.exchange.pipeline import run_import

    started = time.perf_counter()
    batch = run_import(kind="registry", path=registry, actor="bench")
    elapsed = time.perf_counter() - started
    print(f"huican import registry: {elapsed:.2f} s (accepted {batch.accepted}, rejected {batch.rejected})")
    print(f"ratio import / polars read: {elapsed / baseline:.1f}x")

    started = time.perf_counter()
    batch = run_import(kind="registry", path=registry, actor="bench")
    print(f"re-import of the same file (no changes): {time.perf_counter() - started:.2f} s")

    _lookups(frame, args.lookups)


def _lookups(frame, count: int) -> None:  # type: ignore[no-untyped-def]
    import random

    from django.test import Client

    from huican.accounts.models import Role, User
    from huican.core.crypto import blind_index
    from huican.registry.models import Person

    ids = [v for v in frame["公民身份号码"].to_list() if v and len(v) == 18]
    sample = random.Random(1).sample(ids, min(count, len(ids)))
    timings = []
    for value in sample:
        started = time.perf_counter()
        Person.objects.filter(id_hash=blind_index(value.upper())).first()
        timings.append(time.perf_counter() - started)
    print(f"lookup by ID number (keyed hash, ORM): median {statistics.median(timings) * 1000:.2f} ms")

    user, _ = User.objects.get_or_create(
        username="bench-city", defaults={"role": Role.CITY_STAFF, "region_id": "140900"}
    )
    client = Client()
    client.force_login(user)
    try:
        from django.urls import reverse

        search_url = reverse("registry:search")
    except Exception as exc:  # the web app is not there yet
        print(f"search page not measured: {exc}")
        return
    timings = []
    for value in sample[:50]:
        started = time.perf_counter()
        # An ID number is searched by POST (never in a URL); the answer is a redirect to the result.
        response = client.post(search_url, {"q": value}, follow=True)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    print(f"search page by ID number: median {statistics.median(timings) * 1000:.1f} ms")
    persons = list(Person.objects.order_by("?").values_list("pk", flat=True)[:50])
    timings = []
    for pk in persons:
        started = time.perf_counter()
        response = client.get(reverse("registry:person", args=[pk]))
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    print(f"person page: median {statistics.median(timings) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
