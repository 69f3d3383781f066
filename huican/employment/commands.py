"""`huican levy --year Y [--region CODE] [--format json|csv]` (EMPLOYMENT.md "Command line").

JSON: the contract's list, one element per employer with persons. CSV: one row per employer with
the employer fields and the counts of declared and counted persons (docs/decisions.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

from huican.cli import UsageError
from huican.core.frames import neutralize_cell
from huican.employment.models import LevyStandard
from huican.employment.verification import levy, public

CSV_COLUMNS = (
    "credit_code",
    "name",
    "county",
    "year",
    "staff",
    "required",
    "arranged",
    "ratio",
    "base_wage",
    "status",
    "due",
    "declared",
    "counted",
)


def run_levy(args: argparse.Namespace) -> int:
    if not 2000 <= args.year <= 2100:
        raise UsageError(f"年度不正确：{args.year}")
    if not LevyStandard.objects.filter(year=args.year).exists():
        sys.stderr.write(
            f"注意：没有 {args.year} 年度的残保金参数（levy_standards），按默认参数计算，工资基数不设上限\n"
        )
    rows = [public(element) for element in levy(year=args.year, region=args.region)]
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            persons = row["persons"]
            values = {**row, "declared": len(persons), "counted": sum(1 for p in persons if p["counted"])}
            writer.writerow([neutralize_cell(values[key]) for key in CSV_COLUMNS])
    else:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
    return 0
