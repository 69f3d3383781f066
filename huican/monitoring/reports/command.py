"""`huican report --year Y --out PATH [--final] [--current]`: the annual monitoring report (or the
final evaluation) as .xlsx, .docx or .pdf, chosen by PATH's suffix (FORMATS.md "The command line").
A report published on the web is produced again from its published figures; `--current` computes
it from current data instead.

Exit 0 when written; 2 (one line) for an unknown suffix or a year outside 2000–2100.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from django.utils import timezone

from huican.cli import UsageError
from huican.monitoring.reports.build import ReportFormatError, check_suffix, write_report


def run_report(args: argparse.Namespace) -> int:
    if not 2000 <= args.year <= 2100:
        raise UsageError(f"年度不正确：{args.year}")
    if args.year > timezone.localdate().year:
        raise UsageError(f"年度 {args.year} 尚未开始")
    try:
        check_suffix(args.out)
    except ReportFormatError as exc:
        raise UsageError(str(exc)) from None
    target = write_report(
        year=args.year,
        out=Path(args.out),
        final=bool(getattr(args, "final", False)),
        current=bool(getattr(args, "current", False)),  # a published report is reproduced unless asked
    )
    sys.stderr.write(f"已写入 {target}\n")
    return 0
