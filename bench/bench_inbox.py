"""Benchmark 我的待办 with many findings assigned to one caseworker (issue 13: aim < 300 ms to the
first page with 10,000 assigned findings).

Creates N registry persons and one finding per person (codes spread over every code) in a fresh
SQLite database under a temporary HUICAN_VAR_DIR (or DATABASE_URL if set), all assigned to one
county caseworker, then times with the Django test client the first page of /inbox/ (median of R
requests) against the baseline of the same user's home page in the same run.

Usage: ``.venv/bin/python bench/bench_inbox.py [--findings 10000] [--repeat 10]``
"""

from __future__ import annotations

import argparse
import datetime as dt
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
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one /inbox/ request")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="huican-bench-inbox-"))
    os.environ["HUICAN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    from huican.cli import setup_django

    setup_django()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from huican.accounts.models import Role, User
    from huican.core.crypto import blind_index, encrypt, mask_id_number
    from huican.core.idnumbers import check_character
    from huican.matching.models import Finding, FindingCode, FindingRun
    from huican.regions.models import Region
    from huican.registry.models import Person

    setup_test_environment()
    Region.objects.get_or_create(
        code="140902001",
        defaults={
            "name": "测试镇",
            "level": Region.Level.TOWNSHIP,
            "county_code": "140902",
            "parent_id": "140902",
        },
    )
    Region.objects.get_or_create(
        code="140902001001",
        defaults={
            "name": "测试村",
            "level": Region.Level.VILLAGE,
            "county_code": "140902",
            "parent_id": "140902001",
        },
    )
    people = []
    for i in range(args.findings):
        first17 = f"140902{dt.date(1950, 1, 1) + dt.timedelta(days=i // 900):%Y%m%d}{i % 900:03d}"
        number = first17 + check_character(first17)
        people.append(
            Person(
                id_hash=blind_index(number),
                id_number_encrypted=encrypt(number),
                id_masked=mask_id_number(number),
                sex="男",
                birth_date=dt.date(1950, 1, 1),
                name=f"测试{i}",
                category=4,
                grade=2,
                issue_date=dt.date(2020, 1, 1),
                region_id="140902001001",
                county_code="140902",
                township_code="140902001",
                urban_rural="农村",
                household_number=f"H{i}",
                phone_encrypted=encrypt("13800000000"),
                phone_masked="138****0000",
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    user = User(username="bench", role=Role.COUNTY_STAFF, region_id="140902")
    user.set_password("Bench#Passw0rd-2025")
    user.save()
    run = FindingRun.objects.create(on_date=dt.date(2026, 11, 1))
    codes = list(FindingCode.values)
    Finding.objects.bulk_create(
        [
            Finding(
                person=p,
                code=codes[i % len(codes)],
                county_code="140902",
                township_code="140902001",
                detail="基准测试",
                first_seen_run=run,
                last_seen_run=run,
                assigned_to=user,
            )
            for i, p in enumerate(Person.objects.order_by("id"))
        ],
        batch_size=2000,
    )
    client = Client()
    client.force_login(user)

    def median(path: str) -> float:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        return statistics.median(times)

    if args.profile:
        import cProfile
        import pstats

        client.get("/inbox/")
        profile = cProfile.Profile()
        profile.enable()
        client.get("/inbox/")
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    home = median("/")
    inbox = median("/inbox/")
    print(f"findings assigned: {args.findings:,}")
    print(f"home page (baseline): median {home:.0f} ms")
    print(f"/inbox/ first page:   median {inbox:.0f} ms  (ratio {inbox / home:.1f}×; aim < 300 ms)")


if __name__ == "__main__":
    main()
