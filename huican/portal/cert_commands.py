"""`huican cert verify CODE [--offline] [--public-key FILE] [--format text|json]` and `huican cert key`.

verify exits 0 when the certificate is valid, 1 when it is not (expired, cancelled, forged, signed by
an unknown key, unreadable — the output says which), 2 for a usage error (huican.cli).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from django.utils import timezone

from huican.cli import UsageError
from huican.portal import cert_keys, certificates


def run_cert(args: argparse.Namespace) -> int:
    if args.cert_command == "key":
        return _print_key()
    return _verify(args)


def _verify(args: argparse.Namespace) -> int:
    extra = {}
    if args.public_key:
        try:
            extra = cert_keys.extra_keys(cert_keys.public_key_from_text(Path(args.public_key).read_text()))
        except (OSError, ValueError) as exc:
            raise UsageError(f"无法读取公钥文件 {args.public_key}：{exc}") from None
        if not extra:
            raise UsageError(f"公钥文件 {args.public_key} 中没有公钥")
    result = certificates.verify(
        args.code, today=timezone.localdate(), registry=not args.offline, extra_keys=extra
    )
    if args.format == "json":
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        lines = [f"核验结果：{result.label}", result.message]
        if result.fields:
            f = result.fields
            lines += [
                f"持证人：{f.name_masked}",
                f"残疾类别：{f.category_name}",
                f"残疾等级：{f.grade_name}",
                f"有效期至：{f.expiry_date.isoformat()}",
                f"签名密钥：{f.key_id}",
            ]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0 if result.ok else 1


def _print_key() -> int:
    current = cert_keys.current_public_key()
    out = [
        f"密钥编号：{current.key_id}",
        f"指纹（SHA-256）：{current.fingerprint_grouped}",
        current.pem.rstrip(),
    ]
    for old in cert_keys.previous_public_keys():
        out.append(f"仍接受的旧密钥：{old.key_id}  指纹：{old.fingerprint_grouped}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0
