"""Benchmark the findings export (issue 13: the whole city's work list, 100,000+ rows, in < 20 s).

Creates N registry persons and one finding per person (codes spread over every code, persons over
a few townships) in a fresh SQLite database under a temporary HUICAN_VAR_DIR (or DATABASE_URL if
set), then times end to end, for a city staff user, what a user waits for: the export page
submitting the job (queued, as in production), the worker running it (reading, writing the .xlsx,
storing it encrypted, the audit entry) and the download (decrypting the stored file). Once with
masked ID numbers, once with full ones (a reason given). Baseline in the same run: writing the
same number of rows with xlsxwriter from a plain Python list (nothing read, nothing decrypted).
``--before REV`` also times the workbook built by ``huican/matching/export.py`` as it was at git
revision REV (model instances, in-memory xlsxwriter), for the before/after.

Usage: ``.venv/bin/python bench/bench_export.py [--findings 100000] [--before 2337bdc]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOWNSHIPS = ("140902001", "140902002", "140921001", "140921002")


def _populate(count: int) -> None:
    from huican.core.crypto import blind_index, encrypt, mask_id_number
    from huican.core.idnumbers import check_character
    from huican.matching.models import Finding, FindingCode, FindingRun
    from huican.regions.models import Region
    from huican.registry.models import Person

    for township in TOWNSHIPS:
        Region.objects.get_or_create(
            code=township,
            defaults={
                "name": f"测试镇{township[-3:]}",
                "level": Region.Level.TOWNSHIP,
                "county_code": township[:6],
                "parent_id": township[:6],
            },
        )
        Region.objects.get_or_create(
            code=township + "001",
            defaults={
                "name": "测试村",
                "level": Region.Level.VILLAGE,
                "county_code": township[:6],
                "parent_id": township,
            },
        )
    people = []
    for i in range(count):
        township = TOWNSHIPS[i % len(TOWNSHIPS)]
        first17 = f"{township[:6]}{dt.date(1950, 1, 1) + dt.timedelta(days=i // 900):%Y%m%d}{i % 900:03d}"
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
                region_id=township + "001",
                county_code=township[:6],
                township_code=township,
                urban_rural="农村",
                household_number=f"H{i}",
                phone_encrypted=encrypt("13800000000"),
                phone_masked="138****0000",
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    run = FindingRun.objects.create(on_date=dt.date(2026, 11, 1))
    codes = list(FindingCode.values)
    Finding.objects.bulk_create(
        [
            Finding(
                person_id=pk,
                code=codes[i % len(codes)],
                county_code=county,
                township_code=township,
                detail="基准测试：持证人员未参加城乡居民基本医疗保险",
                first_seen_run=run,
                last_seen_run=run,
            )
            for i, (pk, county, township) in enumerate(
                Person.objects.order_by("id").values_list("id", "county_code", "township_code")
            )
        ],
        batch_size=2000,
    )


def _baseline(count: int) -> float:
    """xlsxwriter alone: the same number of rows of the same width from a plain list."""
    import xlsxwriter

    from huican.matching.export import HEADER

    rows = [
        [
            "医保未参保",
            f"测试{i}",
            "140902********0012",
            "140902",
            "忻府区",
            "140902001",
            "测试镇001",
            "基准测试：持证人员未参加城乡居民基本医疗保险",
            "待核实",
            "",
            "",
            "否",
            "2026-11-01",
            "2026-11-01",
        ]
        for i in range(count)
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        book = xlsxwriter.Workbook(str(Path(folder) / "b.xlsx"), {"constant_memory": True, "tmpdir": folder})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                sheet.write_string(index, column, value)
        book.close()
    return time.perf_counter() - started


def _before(revision: str, user: object) -> tuple[float, float]:
    """The workbook as huican/matching/export.py built it at `revision` (in the request then)."""
    from huican.matching.forms import filtered_findings

    source = subprocess.run(
        ["git", "show", f"{revision}:huican/matching/export.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("export_before")
    exec(compile(source, "export_before.py", "exec"), module.__dict__)
    _form, findings = filtered_findings(user, {})
    assert findings is not None
    started, cpu = time.perf_counter(), time.process_time()
    module.findings_workbook(findings, full_ids=False)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--before", default="", help="also time export.py at this git revision")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the masked export job")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="huican-bench-export-"))
    os.environ["HUICAN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    from huican.cli import setup_django

    setup_django()
    import polars as pl
    from django.test import Client
    from django.test.utils import setup_test_environment

    from huican.accounts.models import Role, User
    from huican.core.models import Job
    from huican.core.tasks import always_queue, run_job

    setup_test_environment()
    started = time.perf_counter()
    _populate(args.findings)
    print(f"findings created: {args.findings:,} in {time.perf_counter() - started:.0f} s")
    user = User(username="bench", role=Role.CITY_STAFF, region_id="140900", may_view_full=True)
    user.set_password("Bench#Passw0rd-2025")
    user.save()
    client = Client()
    client.force_login(user)

    assert client.get("/findings/").status_code == 200  # warm up: templates, URL resolver

    def export(full: bool) -> tuple[float, float, float, float, int]:
        began = time.perf_counter()
        with always_queue():  # queued as in production; the "worker" below is this process
            if full:
                response = client.post("/findings/export/full/", {"reason": "基准测试逐户核对"})
            else:
                response = client.get("/findings/export.xlsx")
        assert response.status_code == 302, response.status_code
        job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
        submitted = time.perf_counter()
        cpu = time.process_time()
        if args.profile and not full:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            outcome = run_job(job_id)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            outcome = run_job(job_id)
        assert outcome == Job.Status.DONE, Job.objects.get(pk=job_id).message
        ran = time.perf_counter()
        cpu = time.process_time() - cpu
        download = client.get(f"/findings/exports/{job_id}/download/")
        assert download.status_code == 200
        ended = time.perf_counter()
        rows = pl.read_excel(io.BytesIO(download.content)).height
        return submitted - began, ran - submitted, cpu, ended - ran, rows

    cpu = time.process_time()
    baseline = _baseline(args.findings)
    print(f"baseline, xlsxwriter from a plain list: {baseline:.1f} s (CPU {time.process_time() - cpu:.1f} s)")
    for full in (False, True):
        submit, job, job_cpu, download, rows = export(full)
        total = submit + job + download
        label = "full ID numbers" if full else "masked ID numbers"
        print(
            f"export, {label}: {total:.1f} s end to end (page {submit:.2f} s, job {job:.1f} s "
            f"[CPU {job_cpu:.1f} s], download {download:.2f} s; {rows:,} rows; "
            f"{total / baseline:.1f}× the baseline; aim < 20 s)"
        )
    if args.before:
        wall, cpu = _before(args.before, user)
        print(f"before ({args.before}), workbook only, masked: {wall:.1f} s (CPU {cpu:.1f} s)")


if __name__ == "__main__":
    main()
