"""`huican users create USER --role ROLE [--region CODE]` (password from an environment variable)."""

from __future__ import annotations

import argparse
import os

from huican.cli import UsageError


def run_users(args: argparse.Namespace) -> int:
    from huican.accounts import services

    if args.users_command != "create":  # pragma: no cover - argparse allows only "create"
        raise UsageError(f"未知的子命令：{args.users_command}")
    password = os.environ.get(args.password_env, "")
    if not password:
        raise UsageError(f"请在环境变量 {args.password_env} 中提供新用户的密码（不要写在命令行上）")
    try:
        user = services.user_create(
            actor="cli",
            username=args.username,
            password=password,
            role=args.role,
            region_code=args.region or None,
        )
    except services.AccountError as exc:
        raise UsageError(str(exc)) from None
    region = f"{user.region.name}（{user.region_id}）" if user.region else "—"
    print(f"已创建用户 {user.username}：{user.get_role_display()}，区划 {region}")
    return 0
