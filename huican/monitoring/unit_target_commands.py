"""`huican targets load FILE.csv [--plan CODE] [--user NAME]`: county-level targets in bulk.

The file is UTF-8 CSV (a BOM is allowed) with the header ``indicator,region,target,source``; each row
is one county-level unit's target for one indicator of the plan (default: the current plan). Every
row is checked and entered through ``unit_targets.unit_target_set`` (the same permission, validation
and audit entry as the targets page) and printed as accepted or rejected with its reason; one row's
rejection does not stop the others; a second row for the same indicator and unit is rejected as a
duplicate. Besides each accepted row's own audit entry, the load is audited with its counts and the
rejected rows' reasons. Exit 0 like ``huican import``: rejected rows are reported, not an error.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied

from huican.cli import UsageError
from huican.core.audit import audit_record
from huican.monitoring.plan import Plan, PlanNotFound, current_plan, plan_by_code
from huican.monitoring.unit_targets import UnitTargetError, unit_target_set
from huican.regions.divisions import COUNTY_NAMES

COLUMNS = ("indicator", "region", "target", "source")
OPERATOR = "命令行"


def run_targets(args: argparse.Namespace) -> int:
    if args.targets_command == "load":
        return run_targets_load(args)
    raise UsageError(f"未知的子命令 {args.targets_command}")  # pragma: no cover - argparse refuses it


def _actor(username: str) -> Any:
    if not username:
        return OPERATOR
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UsageError(f"没有用户 {username!r}")
    return user


def _plan(code: str | None) -> Plan:
    if not code:
        return current_plan()
    try:
        return plan_by_code(code)
    except PlanNotFound as exc:
        raise UsageError(str(exc)) from None


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"找不到文件 {path}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} 不是 UTF-8 编码的 CSV 文件") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS[:3] if name not in header]
    if missing:
        raise UsageError(f"缺少列：{'、'.join(missing)}（应为 {','.join(COLUMNS)}）")
    reader.fieldnames = header
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


def load_targets(path: Path, *, plan: Plan, actor: Any) -> list[tuple[int, dict[str, str], str | None]]:
    """Enter every row of the file: (row number, row, None when accepted or the reason it was not)."""
    results: list[tuple[int, dict[str, str], str | None]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(_rows(path), start=2):  # row 1 is the header
        key = (row.get("indicator", ""), row.get("region", ""))
        if key in seen:
            results.append((number, row, f"与第 {seen[key]} 行的指标和县级单位相同"))
            continue
        try:
            unit_target_set(
                plan_code=plan.code,
                indicator=row.get("indicator", ""),
                region=row.get("region", ""),
                target=row.get("target", ""),
                source=row.get("source", ""),
                actor=actor,
            )
        except UnitTargetError as exc:
            results.append((number, row, str(exc)))
        except PermissionDenied as exc:
            raise UsageError(str(exc) or "无权录入县级目标") from None
        else:
            seen[key] = number
            results.append((number, row, None))
    rejected = [{"row": number, "reason": reason} for number, _, reason in results if reason is not None]
    audit_record(
        actor=actor,
        action="monitoring.unit_targets_load",
        object_type="UnitTarget",
        detail={
            "plan_code": plan.code,
            "file_name": path.name,
            "accepted": len(results) - len(rejected),
            "rejected": rejected,
        },
    )
    return results


def run_targets_load(args: argparse.Namespace) -> int:
    actor = _actor(args.user)
    plan = _plan(args.plan)
    results = load_targets(Path(args.file), plan=plan, actor=actor)
    out = sys.stdout
    out.write(f"规划：{plan.title}（{plan.code}）\n")
    for number, row, reason in results:
        region = row.get("region", "")
        what = f"{row.get('indicator', '')} {region}{COUNTY_NAMES.get(region, '')}"
        if reason is None:
            out.write(f"第 {number} 行 接受：{what} 目标 {row.get('target', '')}\n")
        else:
            out.write(f"第 {number} 行 拒绝：{what}：{reason}\n")
    rejected = sum(1 for *_, reason in results if reason is not None)
    out.write(f"共 {len(results)} 行：接受 {len(results) - rejected} 行，拒绝 {rejected} 行\n")
    out.flush()
    return 0
