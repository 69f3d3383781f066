"""`huican synth --persons N --seed S --out DIR`."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from huican.cli import UsageError
from huican.synth.generator import generate


def run_synth(args: argparse.Namespace) -> int:
    if args.persons < 1:
        raise UsageError("--persons 应为正整数")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out 应为目录：{out}")
    started = time.perf_counter()
    files = generate(persons=args.persons, seed=args.seed, out=out)
    for kind, path in files.items():
        print(f"{kind}\t{path}")
    print(f"虚拟数据：{args.persons} 人，种子 {args.seed}，用时 {time.perf_counter() - started:.1f} 秒")
    return 0
