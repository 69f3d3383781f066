"""`huican plan load FILE [--replace] [--user NAME]` and `huican plan list [--format text|json]`.

``load`` parses and checks the whole file (every indicator definition included) and stores it
(huican.monitoring.plans_store): a plan of a code already stored with another text is replaced only
with ``--replace`` (the operator's confirmation; without it exit 2), the same text changes nothing,
years overlapping a plan of another code are refused (exit 2). Any error in the file is one line on
stderr naming the file's line, and exit 2: nothing is stored. Every load and replacement is audited.

``list`` prints every plan (the stored ones and the bundled 2021–2025 file while no stored plan has its
code): code, title, years, whether it is an illustrative draft, when and by whom it was loaded, and
its number of indicators.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from huican.cli import UsageError
from huican.monitoring.plan import PlanError
from huican.monitoring.plans_store import (
    CREATED,
    OPERATOR,
    REPLACED,
    load_plan_text,
    plan_listing,
    years_text,
)


def run_plan(args: argparse.Namespace) -> int:
    if args.plan_command == "load":
        return run_plan_load(args)
    if args.plan_command == "list":
        return run_plan_list(args)
    raise UsageError(f"未知的子命令 {args.plan_command}")  # pragma: no cover - argparse refuses it


def _actor(username: str) -> Any:
    if not username:
        return OPERATOR
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UsageError(f"没有用户 {username!r}")
    return user


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"找不到文件 {path}") from None
    except OSError as exc:
        raise UsageError(f"无法读取 {path}：{exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} 不是 UTF-8 编码的规划文件") from None


def run_plan_load(args: argparse.Namespace) -> int:
    path = Path(args.file)
    text = _read(path)
    actor = _actor(args.user)
    try:
        result = load_plan_text(text, file_name=path.name, replace=args.replace, actor=actor)
    except PlanError as exc:
        raise UsageError(f"{path.name}：{exc}；未作任何改动") from None
    plan = result.plan
    what = f"{plan.code}《{plan.title}》（{years_text(plan.start_year, plan.end_year)}"
    what += "，示例草案" if plan.illustrative else ""
    what += f"，{len(plan.indicators)} 项指标）"
    if result.outcome == CREATED:
        sys.stdout.write(f"已载入规划 {what}\n")
    elif result.outcome == REPLACED:
        sys.stdout.write(f"已替换规划 {what}（原文本记入审计日志）\n")
    else:
        sys.stdout.write(f"规划 {what} 与已载入的文本相同，未作改动\n")
    sys.stdout.flush()
    return 0


def run_plan_list(args: argparse.Namespace) -> int:
    listing = plan_listing()
    if args.format == "json":
        json.dump([item.as_dict() for item in listing], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return 0
    for item in listing:
        plan = item.plan
        loaded = (
            f"{item.as_dict()['loaded_at'][:16].replace('T', ' ')} 由 {item.loaded_by or '—'} 载入"
            if item.stored
            else "内置文件（默认）"
        )
        flags = "  示例草案" if plan.illustrative else ""
        sys.stdout.write(
            f"{plan.code}  {years_text(plan.start_year, plan.end_year)}  {plan.title}{flags}  "
            f"{len(plan.indicators)} 项指标  {loaded}\n"
        )
    sys.stdout.flush()
    return 0
