"""Benchmark: memory of reading an upload, and what an .xlsx zip bomb costs before it is refused.

Usage: .venv/bin/python bench/bench_upload_memory.py [--mb 100] [--defects] [--bomb-rows 40000000] [--small-bomb-rows 1000000]

Each measurement runs in a fresh process (so one does not inherit another's heap) and reports the
growth of its peak resident memory (ru_maxrss) over the same process just before the step, as a
multiple of the file's size:

- `read_table` of a CSV list of about --mb MB (the reader alone: the file becomes text columns);
- `prepare` of the same file (reader + validation + registry matching, without writing), with
  --defects one whose rows are 5% rejected and 2% whole-row duplicates;
- `locate_header` (what the upload request itself does before the preview) of each .xlsx;
- an .xlsx zip bomb of --bomb-rows rows (a few MB packed, about 1 GB unpacked): refused by
  `check_xlsx` before it is read; and one of --small-bomb-rows rows, under the limits, read in full
  to show what such a file costs the reader (a bomb above the limits would cost that many times more).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = "公民身份号码,姓名,保障类别,起始日期,终止日期,月保障金额\n"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_csv(path: Path, megabytes: int, *, defects: bool = False) -> int:
    """About `megabytes` of dibao rows; with `defects`, every 20th row's amount is unreadable (5%
    rejected) and every 50th row is written twice (2% whole-row duplicates)."""
    from huican.core.idnumbers import check_character

    rows = []
    i = written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        while out.tell() < megabytes * 1024 * 1024:
            rows.clear()
            for _ in range(10_000):
                body = f"140902{1950 + i % 60:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
                amount = "abc" if defects and i % 20 == 7 else str(500 + i % 300)
                row = f"{body}{check_character(body)},测试{i % 997},城市,2024-01-01,,{amount}\n"
                rows.append(row)
                if defects and i % 50 == 3:
                    rows.append(row)
                i += 1
            written += len(rows)
            out.write("".join(rows))
    return written


def write_bomb(path: Path, rows: int) -> int:
    """A real workbook (header row) whose sheet then repeats one small row `rows` times: a few MB
    packed, 25 bytes per row unpacked. Returns the unpacked size."""
    import xlsxwriter

    base = path.with_suffix(".base.xlsx")
    book = xlsxwriter.Workbook(str(base))
    book.add_worksheet("名单").write_row(0, 0, HEADER.strip().split(","))
    book.close()
    row = b"<row><c><v>1</v></c></row>"
    unpacked = 0
    with zipfile.ZipFile(base) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, original.read(item))
                continue
            text = original.read(item)
            head, _, rest = text.partition(b"</row>")
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"</row>")
                block = row * 100_000
                for _ in range(rows // 100_000):
                    sheet.write(block)
                    unpacked += len(block)
                sheet.write(rest)
    base.unlink()
    return unpacked


def child(step: str, path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from huican.exchange.kinds import KINDS
    from huican.exchange.pipeline import ImportRefused, prepare
    from huican.exchange.reading import locate_header, read_table

    before = peak_mb()
    started = time.perf_counter()
    outcome = "read"
    try:
        if step == "read":
            read_table(Path(path), KINDS["dibao"].missing_from)
        elif step == "header":
            locate_header(Path(path), KINDS["dibao"].missing_from)
        else:
            prepare("dibao", Path(path))
    except ImportRefused as exc:
        outcome = "refused: " + str(exc)[:60]
    print(
        json.dumps(
            {"grew_mb": peak_mb() - before, "seconds": time.perf_counter() - started, "outcome": outcome}
        )
    )


def measure(step: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--bomb-rows", type=int, default=40_000_000, help="rows of the zip bomb (refused)")
    parser.add_argument(
        "--small-bomb-rows",
        type=int,
        default=1_000_000,
        help="rows of a bomb under the limits (read, to see its cost)",
    )
    parser.add_argument(
        "--defects", action="store_true", help="5%% of the CSV's rows rejected, 2%% duplicate rows"
    )
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="huican-bench-"))
    os.environ["HUICAN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    source = work / "dibao.csv"
    rows = write_csv(source, args.mb, defects=args.defects)
    size = source.stat().st_size / (1024 * 1024)
    print(f"CSV: {rows:,} rows, {size:.0f} MB")
    for step in ("read", "prepare"):
        figures = measure(step, source)
        grew = float(figures["grew_mb"])  # type: ignore[arg-type]
        print(f"  {step:8} peak +{grew:,.0f} MB = {grew / size:.1f}× the file, {figures['seconds']:.1f} s")
    for rows in (args.bomb_rows, args.small_bomb_rows):
        bomb = work / f"bomb-{rows}.xlsx"
        unpacked = write_bomb(bomb, rows)
        print(
            f"xlsx of {rows:,} rows: {bomb.stat().st_size / (1024 * 1024):.1f} MB packed, "
            f"{unpacked / (1024 * 1024):,.0f} MB unpacked"
        )
        for step in ("header", "prepare"):
            figures = measure(step, bomb)
            grew = float(figures["grew_mb"])  # type: ignore[arg-type]
            print(
                f"  {step:8} peak +{grew:,.0f} MB, {figures['seconds']:.1f} s, {str(figures['outcome'])[:50]}"
            )


if __name__ == "__main__":
    main()
