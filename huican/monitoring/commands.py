"""`huican indicators --year Y [--region CODE] [--as-of DATE] [--format json|csv]`.

A JSON list of {"code", "region", "year", "numerator", "denominator", "value", "target", "kind",
"met"} (FORMATS.md "JSON output"), or CSV with those columns (empty cells for null).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

from django.utils import timezone

from huican.cli import UsageError
from huican.core.frames import neutralize_cell
from huican.monitoring.indicators import OUTPUT_KEYS, compute_indicators


def run_indicators(args: argparse.Namespace) -> int:
    if not 2000 <= args.year <= 2100:
        raise UsageError(f"年度不正确：{args.year}")
    as_of = args.as_of
    today = timezone.localdate()
    if as_of is None and args.year == today.year:
        as_of = today  # the current year is measured as of today unless a date is given (RULES.md)
    try:
        rows = compute_indicators(year=args.year, as_of=as_of, region=args.region)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(OUTPUT_KEYS)
        for row in rows:
            writer.writerow(["" if row[key] is None else _csv_value(row[key]) for key in OUTPUT_KEYS])
    else:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
    return 0


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralize_cell(value)  # text that would run as a formula; numbers unchanged
