"""The `huican` command line (FORMATS.md "The command line").

Exit status: 0 when the command did its work, 2 for a usage error or a file it cannot read at all
(one line on stderr, no traceback), 1 for anything else. Every command first creates and migrates
the database. Each subcommand lives next to the app it belongs to; this module only dispatches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from django.core.exceptions import ImproperlyConfigured


class UsageError(Exception):
    """Bad arguments or an unreadable input file: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"huican: {message}\n")
        raise SystemExit(2)


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{value!r}") from None


def parse_month(value: str) -> dt.date:
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份应为 YYYY-MM：{value!r}") from None


def region_code(value: str) -> str:
    if not value.isdigit() or len(value) not in (6, 9, 12):
        raise argparse.ArgumentTypeError(f"区划代码应为 6、9 或 12 位数字：{value!r}")
    return value


# subcommand -> "module:function"; each function takes the parsed namespace and returns an exit code.
HANDLERS: dict[str, str] = {
    "demo": "huican.server.demo:run_demo",
    "serve": "huican.server.serve:run_serve",
    "worker": "huican.server.worker:run_worker",
    "synth": "huican.synth.commands:run_synth",
    "import": "huican.exchange.commands:run_import_command",
    "eligibility": "huican.policy.commands:run_eligibility",
    "findings": "huican.matching.commands:run_findings",
    "indicators": "huican.monitoring.commands:run_indicators",
    "roll": "huican.benefits.commands:run_roll",
    "levy": "huican.employment.commands:run_levy",
    "report": "huican.monitoring.reports.command:run_report",
    "targets": "huican.monitoring.unit_target_commands:run_targets",
    "plan": "huican.monitoring.plan_commands:run_plan",
    "audit": "huican.core.commands:run_audit",
    "keys": "huican.core.commands:run_keys",
    "users": "huican.accounts.commands:run_users",
    "uploads": "huican.exchange.commands:run_uploads",
    "cert": "huican.portal.cert_commands:run_cert",
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="huican", description="惠残 — 忻州市残疾人信息系统")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("demo", help="创建本地数据库、载入虚拟忻州数据并启动网页")
    p.add_argument("--persons", type=int, default=60_000)
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="只准备数据库，不启动网页")
    p.add_argument("--no-worker", action="store_true", help="不在网页旁启动后台任务进程")

    p = sub.add_parser("serve", help="以生产配置启动网页服务（及后台任务进程）")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-worker", action="store_true", help="不启动后台任务进程（另行运行 huican worker 时）")

    p = sub.add_parser("worker", help="后台任务进程：运行排队的任务和每日定时任务")
    p.add_argument("--batch", action="store_true", help="运行完当前排队的任务后退出")
    p.add_argument("--no-schedule", action="store_true", help="不运行每日定时任务")
    p.add_argument("--interval", type=float, default=1.0, help="空闲时查看队列的间隔秒数（默认 1）")
    p.add_argument("--parent", type=int, default=0, help=argparse.SUPPRESS)

    p = sub.add_parser("synth", help="生成虚拟数据集")
    p.add_argument("--persons", type=int, required=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)

    p = sub.add_parser("import", help="导入一个文件")
    p.add_argument("kind")
    p.add_argument("file")
    p.add_argument("--rejects")
    p.add_argument("--user", default="", help="记录为导入人的用户名（默认：命令行操作员）")
    p.add_argument(
        "--data-date",
        dest="data_date",
        type=parse_date,
        help="部门提取该名单的日期（默认：今天）；计算某日的数据时使用当日或之前提取的最新名单",
    )
    p.add_argument(
        "--confirm-shrink",
        dest="confirm_shrink",
        action="store_true",
        help="确认用行数不到现行名单一半（或没有可接受行）的文件替换名单",
    )

    p = sub.add_parser("eligibility", help="每人每项待遇的资格判定")
    p.add_argument("--on", type=parse_date, required=True)
    p.add_argument("--region", type=region_code)
    p.add_argument("--format", choices=["json", "csv"], default="json")

    p = sub.add_parser("findings", help="比对发现（政策找人）")
    p.add_argument("--on", type=parse_date, required=True)
    p.add_argument("--region", type=region_code)
    p.add_argument("--format", choices=["json", "csv"], default="json")

    p = sub.add_parser("indicators", help="规划指标")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--region", type=region_code)
    p.add_argument("--as-of", dest="as_of", type=parse_date)
    p.add_argument("--format", choices=["json", "csv"], default="json")

    p = sub.add_parser("levy", help="按比例就业审核与残疾人就业保障金")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--region", type=region_code)
    p.add_argument("--format", choices=["json", "csv"], default="json")

    p = sub.add_parser("roll", help="两项补贴月度发放名册（草稿；--approve 审批）")
    p.add_argument("--month", type=parse_month, required=True)
    p.add_argument("--region", type=region_code)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--approve", action="store_true", help="以操作员身份审批该月的发放名册")

    p = sub.add_parser("report", help="年度监测报告（.xlsx、.docx 或 .pdf）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--final", action="store_true", help="终期评估（规划期对照上一规划期基线）")
    p.add_argument("--current", action="store_true", help="按当前数据重新计算（不用已发布报告的数字）")

    p = sub.add_parser("targets", help="县级目标（县级实施方案）")
    targets_sub = p.add_subparsers(dest="targets_command", required=True, parser_class=_Parser)
    load = targets_sub.add_parser(
        "load", help="从 CSV 文件批量录入县级目标（列：indicator,region,target,source）"
    )
    load.add_argument("file")
    load.add_argument("--plan", help="规划代码（默认：当年的规划）")
    load.add_argument("--user", default="", help="记录为录入人的用户名（默认：命令行操作员）")

    p = sub.add_parser("plan", help="规划（载入规划文件、列出规划）")
    plan_sub = p.add_subparsers(dest="plan_command", required=True, parser_class=_Parser)
    plan_load = plan_sub.add_parser("load", help="检查并载入一个规划文件（YAML）")
    plan_load.add_argument("file")
    plan_load.add_argument("--replace", action="store_true", help="确认替换已载入的同一代码、内容不同的规划")
    plan_load.add_argument("--user", default="", help="记录为载入人的用户名（默认：命令行操作员）")
    plan_list = plan_sub.add_parser("list", help="列出全部规划")
    plan_list.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("audit", help="审计日志")
    audit_sub = p.add_subparsers(dest="audit_command", required=True, parser_class=_Parser)
    audit_sub.add_parser("verify", help="校验审计日志的 MAC 链和检查点")
    checkpoint = audit_sub.add_parser("checkpoint", help="校验后把审计日志的最新一条记入检查点文件")
    checkpoint.add_argument("--reset", action="store_true", help="从备份恢复后：另存旧检查点，重新开始")
    audit_sub.add_parser("privileges", help="检查数据库角色能否改删审计日志（PostgreSQL）")

    p = sub.add_parser("keys", help="密钥管理")
    keys_sub = p.add_subparsers(dest="keys_command", required=True, parser_class=_Parser)
    keys_sub.add_parser("rotate", help="用当前密钥重新加密全部个人信息字段")
    keys_sub.add_parser("rehash", help="用 HUICAN_HMAC_KEY_NEW 重算全部身份证号哈希（更换 HMAC 密钥）")

    p = sub.add_parser("users", help="用户管理")
    users_sub = p.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    create = users_sub.add_parser("create", help="创建用户")
    create.add_argument("username")
    create.add_argument("--role", required=True)
    create.add_argument("--region")
    create.add_argument("--organisation", default="", help="服务机构名称（服务机构人员）")
    create.add_argument("--password-env", default="HUICAN_NEW_PASSWORD")
    p = sub.add_parser("uploads", help="上传的导入文件")
    uploads_sub = p.add_subparsers(dest="uploads_command", required=True, parser_class=_Parser)
    purge = uploads_sub.add_parser(
        "purge", help="删除超过保存期限的上传文件（默认 HUICAN_UPLOAD_RETENTION_DAYS 天）"
    )
    purge.add_argument("--older-than", dest="older_than", type=non_negative_int, metavar="DAYS")

    p = sub.add_parser("cert", help="残疾人证电子证照")
    cert_sub = p.add_subparsers(dest="cert_command", required=True, parser_class=_Parser)
    verify = cert_sub.add_parser("verify", help="核验电子证照码或核验网址（0 有效，1 无效并说明原因）")
    verify.add_argument("code", help="证照码（HC1.…）或扫码得到的核验网址")
    verify.add_argument("--offline", action="store_true", help="只核对签名和有效期，不查登记库是否注销")
    verify.add_argument("--public-key", dest="public_key", metavar="FILE", help="另外接受的公钥文件（PEM）")
    verify.add_argument("--format", choices=["text", "json"], default="text")
    cert_sub.add_parser("key", help="显示签名公钥的指纹和 PEM")
    return parser


def non_negative_int(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"应为 0 或正整数：{value!r}")
    return int(value)


def setup_django() -> None:
    """Configure Django and create/migrate the database (every command works on a fresh one)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        os.makedirs(os.path.dirname(str(db["NAME"])) or ".", exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    from huican.core.filecrypt import secure_var_tree

    secure_var_tree()  # var/, the SQLite file, keys, uploads, checkpoints: owner-only
    from huican.core.keycheck import KeyMismatch, check_keys

    try:
        check_keys()  # never run, let alone write, under keys other than the database's
    except KeyMismatch as exc:
        raise UsageError(str(exc)) from None


def _handler(name: str) -> Callable[[argparse.Namespace], int]:
    module_name, _, function = HANDLERS[name].partition(":")
    return getattr(importlib.import_module(module_name), function)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Everything a command creates (database, keys, uploads, rejected rows, reports) is owner-only;
    # the previous mask comes back when it returns (main is also called in-process by the tests).
    previous_umask = os.umask(0o077)
    try:
        if args.command != "synth":
            setup_django()
        return _handler(args.command)(args)
    except UsageError as exc:
        sys.stderr.write(f"huican: {exc}\n")
        return 2
    except ImproperlyConfigured as exc:  # a key or setting missing or malformed: nothing was done
        sys.stderr.write(f"huican: 配置有误：{exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the contract: exit 1, one readable line, no traceback
        if os.environ.get("HUICAN_TRACEBACK"):
            raise
        sys.stderr.write(f"huican: 出错：{type(exc).__name__}: {exc}\n")
        return 1
    finally:
        os.umask(previous_umask)


if __name__ == "__main__":
    sys.exit(main())
