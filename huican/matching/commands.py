"""`huican findings --on DATE [--region CODE] [--format json|csv]` (FORMATS.md "The command line").

Prints every cross-matching finding on DATE with full ID numbers (an operator's tool on the server),
ordered by code then ID number: a JSON list of {"id_number", "code", "county", "detail"}, or CSV
with those columns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import polars as pl

from huican.cli import UsageError
from huican.matching.findings import compute_findings
from huican.policy.facts import CITY_CODE, load_facts, person_id_numbers
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from huican.regions.divisions import COUNTY_CODES

OUTPUT_COLUMNS = ("id_number", "code", "county", "detail")


def check_region(region: str | None) -> str | None:
    """The region code, if it is the city or lies in one of its county-level units."""
    if region is None or region == CITY_CODE:
        return region
    if region[:6] not in COUNTY_CODES:
        raise UsageError(f"区划代码 {region} 不是本市的县级单位或其下级区划")
    return region


def findings_for_output(on: dt.date, region: str | None = None) -> pl.DataFrame:
    """id_number, code, county, detail for every finding on `on` under `region`."""
    facts = load_facts(on=on, region=None if region in (None, CITY_CODE) else region)
    prepared = prepare(facts)
    found = compute_findings(facts, evaluate(prepared), prepared=prepared)
    numbers = person_id_numbers(found.get_column("person_id"))
    return found.join(numbers, on="person_id", how="left").select(OUTPUT_COLUMNS).sort("code", "id_number")


def run_findings(args: argparse.Namespace) -> int:
    region = check_region(args.region)
    table = findings_for_output(args.on, region)
    if args.format == "csv":
        sys.stdout.write(table.write_csv())
    else:
        sys.stdout.write(table.write_json() + "\n")
    sys.stdout.flush()
    return 0
