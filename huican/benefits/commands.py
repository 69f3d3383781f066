"""`huican roll --month YYYY-MM [--region CODE] [--format json|csv] [--approve]` (BENEFITS.md)."""

from __future__ import annotations

import argparse
import json
import sys

from huican.benefits.roll import compute_roll
from huican.benefits.rolls import RollError, approve_roll, roll_csv, roll_json
from huican.cli import UsageError
from huican.core.audit import audit_cli_output
from huican.regions.divisions import CITY_CODE, region_code_problem


def run_roll(args: argparse.Namespace) -> int:
    region = args.region or CITY_CODE
    if region != CITY_CODE:
        problem = region_code_problem(region)
        if problem:
            raise UsageError(problem)
    if args.approve:
        try:
            roll = approve_roll(month=args.month, region=region, actor="命令行", actor_name="命令行")
        except RollError as error:
            raise UsageError(str(error)) from error
        sys.stdout.write(
            f"approved {roll.month:%Y-%m} {roll.region_code}: lines {roll.lines_count},"
            f" paid {roll.paid_total}, recoveries {roll.recovery_total}\n"
        )
        return 0
    draft = compute_roll(month=args.month, region=region)
    if args.format == "csv":
        sys.stdout.write(roll_csv(draft))
    else:
        sys.stdout.write(json.dumps(roll_json(draft), ensure_ascii=False) + "\n")
    sys.stdout.flush()
    audit_cli_output(
        "roll", rows=draft.lines.height, month=f"{draft.month:%Y-%m}", region=region, format=args.format
    )
    return 0
