"""Benchmark the monthly roll (issue 12): the draft roll of a whole city from the database.

Writes a synthetic city of N registry persons (default 1,000,000) as import files — about 40% of
them entitled: rows of the existing roll (`subsidy_recipients`, living and nursing subsidy) and
approved applications of the previous system (`applications`, with months nobody paid: arrears) —
with the lists the two subsidies read (低保, elderly care, deaths, surveys for the care need), and
imports them through the real pipeline into a fresh database. Then, from the database:

1. ``roll.compute_roll`` for the whole city (reads the facts itself: ``load_facts``, decisions on the
   roll date with reasons, arrears month by month, recoveries after death, totals);
2. the baseline: ``load_facts`` and a bare polars join of the same frames — the entitled rows (roll
   rows and granted entitlements covering the month, one per person and subsidy) joined to the
   persons and to 低保 membership, a naive "pay if in 低保" status and a sum per county — no rules,
   arrears or recoveries.

Prints both times and their ratio. Usage:
  .venv/bin/python bench/bench_roll.py [--persons 1000000] [--seed 12] [--month 2026-01] [--keep]
  .venv/bin/python bench/bench_roll.py --reuse DIR   (time again on a database kept with --keep)
Uses a fresh SQLite database in a temporary folder (HUICAN_VAR_DIR).
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

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTIES = [
    "140902", "140981", "140921", "140922", "140923", "140924", "140925", "140926",
    "140927", "140928", "140929", "140930", "140931", "140932", "140971",
]  # fmt: skip
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = np.array(list("10X98765432"))
GRADES = np.array(["一级", "二级", "三级", "四级"])
EPOCH = dt.date(1970, 1, 1)


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def id_numbers(n: int) -> np.ndarray:
    """n distinct valid ID numbers: county, a birth date, an odd serial, the check character."""
    i = np.arange(n)
    county = np.array(COUNTIES)[i % len(COUNTIES)]
    j = i // len(COUNTIES)
    birth = (dt.date(1950, 1, 1) - EPOCH).days + (j // 500) * 7
    serial = (j % 500) * 2 + 1
    born = pl.Series(birth.astype(np.int32)).cast(pl.Date).dt.strftime("%Y%m%d").to_numpy()
    first17 = np.char.add(np.char.add(county, born.astype(str)), np.char.zfill(serial.astype(str), 3))
    digits = np.frombuffer("".join(first17.tolist()).encode(), dtype=np.uint8).reshape(n, 17) - ord("0")
    check = CHECK[(digits * WEIGHTS).sum(axis=1) % 11]
    numbers = np.char.add(first17, check)
    if len(np.unique(numbers)) != n:
        raise SystemExit("ID numbers are not unique: change the layout")
    return numbers


def write_city(n: int, seed: int, folder: Path) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = id_numbers(n)
    county = np.array([x[:6] for x in ids])
    township = rng.integers(1, 11, n)
    grade = rng.choice(4, n, p=[0.12, 0.18, 0.3, 0.4])
    issue = rng.integers((dt.date(2016, 1, 1) - EPOCH).days, (dt.date(2025, 6, 1) - EPOCH).days, n)
    names = np.char.add("测试", (np.arange(n) % 1000).astype(str))
    region = np.char.add(np.char.add(county, np.char.zfill(township.astype(str), 3)), "001")
    registry = pl.DataFrame(
        {
            "姓名": names,
            "公民身份号码": ids,
            "残疾人证号": np.char.add(np.char.add(ids, "4"), (grade + 1).astype(str)),
            "残疾类别": "肢体",
            "残疾等级": GRADES[grade],
            "发证日期": _dates(issue).dt.strftime("%Y-%m-%d"),
            "户籍地区划代码": region,
            "城乡类别": rng.choice(["城镇", "农村"], n, p=[0.25, 0.75]),
            "户编号": np.char.add("H", np.arange(n).astype(str)),
            "证件状态": "正常",
            "状态变更日期": "",
        }
    )
    files = {}

    def write(kind: str, frame: pl.DataFrame) -> None:
        path = folder / f"{kind}.csv"
        frame.write_csv(path)
        files[kind] = path

    write(
        "standards",
        pl.DataFrame(
            {
                "区划代码": ["140900", "140900"],
                "生效日期": ["2020-01-01", "2025-01-01"],
                "城市低保标准": ["600", "620"],
                "农村低保标准": ["500", "520"],
                "生活补贴标准": ["100", "110"],
                "一级护理补贴标准": ["120", "130"],
                "二级护理补贴标准": ["100", "110"],
            }
        ),
    )
    write("registry", registry)
    person = pl.DataFrame({"公民身份号码": ids, "姓名": names})
    in_dibao = rng.random(n) < 0.36
    write(
        "dibao",
        person.filter(pl.Series(in_dibao)).with_columns(起始日期=pl.lit("2023-01-01"), 终止日期=pl.lit("")),
    )
    severe = grade <= 1
    surveyed = severe | (rng.random(n) < 0.2)
    write(
        "survey",
        person.filter(pl.Series(surveyed)).select(
            "公民身份号码",
            调查年度=pl.lit("2025"),
            家庭人均年收入=pl.lit("3000"),
            需要长期照护=pl.Series(np.where(rng.random(int(surveyed.sum())) < 0.6, "是", "否")),
        ),
    )
    elderly = severe & (rng.random(n) < 0.03)
    write(
        "elderly_care",
        person.filter(pl.Series(elderly)).with_columns(起始日期=pl.lit("2024-01-01"), 终止日期=pl.lit("")),
    )
    died = rng.random(n) < 0.01
    death_day = rng.integers((dt.date(2025, 1, 1) - EPOCH).days, (dt.date(2025, 12, 31) - EPOCH).days, n)
    write(
        "deaths",
        person.with_columns(死亡日期=_dates(death_day).dt.strftime("%Y-%m-%d"))
        .filter(pl.Series(died))
        .select("公民身份号码", "姓名", "死亡日期"),
    )
    # The existing roll: the living subsidy for most of 低保, the nursing subsidy for severe persons.
    living = in_dibao & (rng.random(n) < 0.85)
    nursing = severe & (rng.random(n) < 0.35)
    start = rng.integers((dt.date(2018, 1, 1) - EPOCH).days, (dt.date(2025, 6, 1) - EPOCH).days, n)
    months = _dates(start).dt.strftime("%Y-%m")
    roll = pl.concat(
        [
            person.with_columns(补贴类型=pl.lit("生活补贴"), 起始月份=months).filter(pl.Series(living)),
            person.with_columns(补贴类型=pl.lit("护理补贴"), 起始月份=months).filter(pl.Series(nursing)),
        ]
    ).with_columns(终止月份=pl.lit(""), 月标准=pl.lit(""))
    write("subsidy_recipients", roll)
    # Applications of the previous system, approved in 2025 for persons not on the roll: arrears.
    applying = ~living & ~nursing & (in_dibao | severe) & (rng.random(n) < 0.3)
    applied = rng.integers((dt.date(2025, 1, 1) - EPOCH).days, (dt.date(2025, 11, 1) - EPOCH).days, n)
    decided = applied + rng.integers(20, 60, n)
    write(
        "applications",
        person.with_columns(
            补贴类型=pl.Series(np.where(severe, "护理补贴", "生活补贴")),
            申请日期=_dates(applied).dt.strftime("%Y-%m-%d"),
            审定结果=pl.lit("批准"),
            审定日期=_dates(decided).dt.strftime("%Y-%m-%d"),
            不予批准原因=pl.lit(""),
        ).filter(pl.Series(applying)),
    )
    entitled = living | nursing | applying
    print(
        f"city: {n:,} persons, {int(entitled.sum()):,} entitled ({entitled.mean():.0%}):"
        f" {roll.height:,} roll rows, {int(applying.sum()):,} approved applications",
        flush=True,
    )
    return files


def baseline(facts, month: dt.date) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    """A bare polars join of the frames compute_roll reads: no rules, no arrears, no recoveries."""
    category = {"生活补贴": "living_subsidy", "护理补贴": "nursing_subsidy"}
    rows = facts.lists["subsidy_recipients"].filter(pl.col("person_id").is_not_null())
    imported = rows.select(
        "person_id",
        benefit=pl.col("category").replace_strict(category, default=None),
        start=pl.col("start_date").dt.month_start(),
        end=pl.col("end_date").dt.month_start(),
    )
    granted = facts.receiving.filter(pl.col("person_id").is_not_null()).select(
        "person_id", "benefit", start="start_month", end="end_month"
    )
    m = pl.lit(month)
    entitled = (
        pl.concat([imported, granted], how="vertical_relaxed")
        .filter((pl.col("start") <= m) & (pl.col("end").is_null() | (pl.col("end") >= m)))
        .select("person_id", "benefit")
        .unique()
    )
    dibao = facts.lists["dibao"].filter(pl.col("person_id").is_not_null()).select("person_id").unique()
    return (
        entitled.join(facts.persons.select("person_id", "county_code", "township_code"), on="person_id")
        .join(dibao.with_columns(in_dibao=pl.lit(True)), on="person_id", how="left")
        .with_columns(status=pl.when(pl.col("in_dibao")).then(pl.lit("pay")).otherwise(pl.lit("hold")))
        .filter(pl.col("status") == "pay")
        .group_by("county_code", "benefit")
        .agg(persons=pl.len(), amount=pl.lit(110.0).sum())
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--month", default="2026-01")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its database)")
    parser.add_argument("--reuse", metavar="DIR", help="time on the database kept in DIR (no new city)")
    args = parser.parse_args()

    work = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="huican-roll-"))
    os.environ["HUICAN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    from huican.cli import setup_django

    if not args.reuse:
        build(args.persons, args.seed, work)
    else:
        setup_django()
    time_roll(args.month)
    if args.keep or args.reuse:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def build(persons: int, seed: int, work: Path) -> None:
    from huican.cli import setup_django

    started = time.perf_counter()
    files = write_city(persons, seed, work / "data")
    print(f"files written: {time.perf_counter() - started:.1f} s", flush=True)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from huican.exchange.pipeline import run_import

    for kind in (
        "standards",
        "registry",
        "survey",
        "dibao",
        "elderly_care",
        "deaths",
        "subsidy_recipients",
        "applications",
    ):
        started = time.perf_counter()
        batch = run_import(kind=kind, path=files[kind], actor="bench", data_date=dt.date(2025, 12, 31))
        print(
            f"import {kind:<20} accepted {batch.accepted:>9,} rejected {batch.rejected:>6,}"
            f"  {time.perf_counter() - started:6.1f} s",
            flush=True,
        )


def time_roll(month_text: str) -> None:
    from huican.benefits.roll import compute_roll
    from huican.policy.facts import load_facts

    month = dt.datetime.strptime(month_text, "%Y-%m").date()
    load_facts(on=month)  # the first whole-city read refreshes the table copies: not timed

    started = time.perf_counter()
    facts = load_facts(on=month)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    totals = baseline(facts, month)
    joined = time.perf_counter() - started
    del facts
    base = loaded + joined
    print(
        f"baseline: load_facts {loaded:.2f} s + bare polars join {joined:.2f} s = {base:.2f} s ({totals.height} totals rows)"
    )

    phases: list[tuple[float, str]] = []
    started = time.perf_counter()
    draft = compute_roll(month=month, progress=lambda p, m="": phases.append((time.perf_counter(), m)))
    took = time.perf_counter() - started
    statuses = dict(draft.lines.group_by("status").len().iter_rows())
    arrears = int(draft.lines.get_column("arrears").list.len().sum())
    print(
        f"compute_roll {month_text}: {took:.2f} s — {draft.lines.height:,} lines {statuses},"
        f" {arrears:,} arrears months, {draft.recoveries.height:,} recoveries"
    )
    previous = started
    for at, message in phases:
        print(f"  {at - previous:6.2f} s before “{message}”")
        previous = at
    print(f"  {time.perf_counter() - previous:6.2f} s to the end")
    print(f"ratio compute_roll / baseline: {took / base:.1f}x (to the bare join alone: {took / joined:.0f}x)")


if __name__ == "__main__":
    main()
