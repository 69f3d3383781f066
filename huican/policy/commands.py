"""`huican eligibility --on DATE [--region CODE] [--format json|csv]` (FORMATS.md).

Prints every registry person × benefit decision, ordered by ID number then by BENEFITS. The output
is written in chunks of persons so that a million persons (8 million decisions with their reasons)
never sit in memory as one string.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator

import polars as pl

from huican.cli import UsageError
from huican.core.audit import audit_cli_output
from huican.core.frames import neutralize_formulas
from huican.policy.facts import load_facts, person_id_numbers
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from huican.regions.divisions import CITY_CODE, region_code_problem

CHUNK_PERSONS = 20_000


def _write(text: str) -> None:
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
    else:
        buffer.write(text.encode("utf-8"))


def decision_chunks(
    *, on: dt.date, region: str | None, chunk_persons: int = CHUNK_PERSONS
) -> Iterator[pl.DataFrame]:
    """Decisions with id_number, name and county, ordered by ID number then BENEFITS, in chunks."""
    prepared = prepare(load_facts(on=on, region=region))
    numbers = person_id_numbers(prepared["person_id"])
    prepared = prepared.join(numbers, on="person_id", how="left").sort("id_number").rechunk()
    for offset in range(0, prepared.height, chunk_persons):
        yield evaluate(
            prepared.slice(offset, chunk_persons), keep=("id_number", "name", "county_code")
        ).rename({"county_code": "county"})


def _json_chunk(frame: pl.DataFrame) -> str:
    body = frame.select(
        "id_number", "benefit", "decision", "amount", "flags", "reasons", "name", "county"
    ).write_ndjson()
    # one JSON object per line, and a raw newline never occurs inside a JSON value
    return body.rstrip("\n").replace("\n", ",\n")


def _csv_chunk(frame: pl.DataFrame, *, header: bool) -> str:
    reason = pl.element().struct
    passed = reason.field("passed")
    text = pl.format(
        "{}：{}（{}）",
        reason.field("label").cast(pl.String),
        pl.when(passed).then(pl.lit("是")).when(passed.not_()).then(pl.lit("否")).otherwise(pl.lit("未知")),
        reason.field("detail"),
    )
    table = frame.select(
        "id_number",
        "benefit",
        "decision",
        "amount",
        flags=pl.col("flags").list.join(";"),
        reasons=pl.col("reasons").list.eval(text).list.join("；"),
    )
    # Safe to open in a spreadsheet; numbers (and number-like text) are written exactly as before.
    return neutralize_formulas(table, keep_numbers=True).write_csv(include_header=header, float_precision=2)


def run_eligibility(args: argparse.Namespace) -> int:
    region = args.region
    if region and region != CITY_CODE:
        problem = region_code_problem(region)
        if problem:
            raise UsageError(problem)
    fmt = getattr(args, "format", None) or "json"
    first = True
    rows = 0
    if fmt == "json":
        _write("[")
    for chunk in decision_chunks(on=args.on, region=region, chunk_persons=CHUNK_PERSONS):
        if chunk.height == 0:
            continue
        rows += chunk.height
        if fmt == "json":
            _write(("\n" if first else ",\n") + _json_chunk(chunk))
        else:
            _write(_csv_chunk(chunk, header=first))
        first = False
    if fmt == "json":
        _write("\n]\n" if not first else "]\n")
    elif first:  # nobody: still print the header
        _write("id_number,benefit,decision,amount,flags,reasons\n")
    sys.stdout.flush()
    audit_cli_output("eligibility", rows=rows, on=args.on, region=region or CITY_CODE, format=fmt)
    return 0
