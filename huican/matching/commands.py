"""`huican findings --on DATE [--region CODE] [--format json|csv]` (FORMATS.md "The command line").

Prints every cross-matching finding on DATE with full ID numbers (an operator's tool on the server),
most urgent code first (huican.matching.urgency) then by ID number: a JSON list of {"id_number",
"code", "county", "detail"}, or CSV with those columns. A yearly list not sent yet for the period
read (huican.matching.missing_lists) gets one line on stderr, e.g. 「缺少数据：2026 年医疗保险参保名单
（medical），未产生 medical_not_enrolled」; stdout keeps the contract.

It never writes: no run is recorded and the work list is not touched (``services.compute_run``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import polars as pl

from huican.cli import UsageError
from huican.core.audit import audit_cli_output
from huican.core.frames import neutralize_formulas
from huican.matching.missing_lists import MissingList
from huican.matching.services import compute_run
from huican.matching.urgency import urgency_expr
from huican.policy.facts import person_id_numbers
from huican.regions.divisions import CITY_CODE, COUNTY_CODES

OUTPUT_COLUMNS = ("id_number", "code", "county", "detail")


def check_region(region: str | None) -> str | None:
    """The region code, if it is the city or lies in one of its county-level units."""
    if region is None or region == CITY_CODE:
        return region
    if region[:6] not in COUNTY_CODES:
        raise UsageError(f"区划代码 {region} 不是本市的县级单位或其下级区划")
    return region


def findings_with_missing(on: dt.date, region: str | None = None) -> tuple[pl.DataFrame, list[MissingList]]:
    """id_number, code, county, detail for every finding on `on` under `region`, most urgent first;
    and the yearly lists that were missing."""
    computed = compute_run(on=on, region=None if region in (None, CITY_CODE) else region)
    found = computed.found
    numbers = person_id_numbers(found.get_column("person_id"))
    table = (
        found.join(numbers, on="person_id", how="left")
        .sort(urgency_expr(), "id_number")
        .select(OUTPUT_COLUMNS)
    )
    return table, computed.missing


def run_findings(args: argparse.Namespace) -> int:
    region = check_region(args.region)
    table, missing = findings_with_missing(args.on, region)
    for gap in missing:
        sys.stderr.write(gap.finding_message + "\n")
    sys.stderr.flush()
    if args.format == "csv":
        # Safe to open in a spreadsheet (a list's free text may start with "="); numbers unchanged.
        sys.stdout.write(neutralize_formulas(table, keep_numbers=True).write_csv())
    else:
        sys.stdout.write(table.write_json() + "\n")
    sys.stdout.flush()
    audit_cli_output(
        "findings", rows=table.height, on=args.on, region=region or CITY_CODE, format=args.format
    )
    return 0
