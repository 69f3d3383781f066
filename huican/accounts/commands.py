"""`huican users create USER --role ROLE [--region CODE] [--organisation NAME]` (password from an
environment variable; the organisation is a service organisation's account's, 服务机构人员).

The operator's bootstrap: the first administrator of each role is created at once (audited as
``accounts.bootstrap``); every other account with rights that need a second person — another
administrator, a city-wide region, full-ID rights — is created switched off, with a grant that a
security administrator approves on the web (docs/decisions.md).
"""

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
            organisation=getattr(args, "organisation", "") or "",  # absent from older callers' namespaces
        )
    except services.AccountError as exc:
        raise UsageError(str(exc)) from None
    region = f"{user.region.name}（{user.region_id}）" if user.region else "—"
    print(f"已创建用户 {user.username}：{user.get_role_display()}，区划 {region}")
    grant = getattr(user, "pending_grant", None)
    if grant is not None:
        from huican.accounts.grants import reason_labels

        print(f"该账户含须经批准的权限（{reason_labels(grant)}）：安全管理员在“授权审批”页批准后方可登录")
    return 0
