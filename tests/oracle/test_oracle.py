"""The product's command line against an independent reading of RULES.md (tests/oracle/reference.py).

A synthetic data set (``huican synth``, with its ~1% malformed rows) is imported into a fresh SQLite
database through ``huican import``; ``huican eligibility``, ``findings`` and ``indicators`` are then compared
with the oracle, which reads the same CSV files (minus the rows named in the ``*.rejected.csv`` files).
A mismatch prints a readable diff with a few examples and the person's relevant facts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.oracle import edge_data
from tests.oracle import reference as ref

# About 90 s in all (two fresh databases filled through `huican import`, the CLI run for every date).
# The huican command runs on a SQLite file of its own (DATABASE_URL removed): the same on any run.
pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]

PERSONS = 1500
SEED = 11
IMPORT_ORDER = [
    "standards",
    "registry",
    "survey",
    "dibao",
    "tekun",
    "orphan",
    "elderly_care",
    "injury_care",
    "pension",
    "medical",
    "enrolment",
    "deaths",
    "services",
    "subsidy_recipients",
    "applications",
]
DATES = ["2023-06-30", "2025-12-31", "2024-02-29"]
YEARS = [2023, 2025]
EXAMPLES = 6


def huican_command() -> list[str]:
    script = Path(sys.executable).with_name("huican")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from huican.cli import main; sys.exit(main(sys.argv[1:]))"]


class Cli:
    def __init__(self, var_dir: Path):
        var_dir.mkdir(exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["HUICAN_VAR_DIR"] = str(var_dir)

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*huican_command(), *args], env=self.env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, (
            f"huican {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}"
        )
        return done.stdout

    def json(self, *args: str):
        return json.loads(self.run(*args, "--format", "json"))


def imported(root: Path, data: Path) -> tuple[Cli, ref.Dataset]:
    cli = Cli(root / "var")
    for kind in IMPORT_ORDER:
        cli.run("import", kind, str(data / f"{kind}.csv"))
    return cli, ref.load(data)


@pytest.fixture(scope="module")
def synth_world(tmp_path_factory):
    """``huican synth`` data (volume, ~1% malformed rows)."""
    root = tmp_path_factory.mktemp("oracle-synth")
    cli = Cli(root / "var")
    cli.run("synth", "--persons", str(PERSONS), "--seed", str(SEED), "--out", str(root / "data"))
    return imported(root, root / "data")


@pytest.fixture(scope="module")
def edge_world(tmp_path_factory):
    """The hand-made boundary cases of edge_data.py."""
    root = tmp_path_factory.mktemp("oracle-edge")
    edge_data.build(root / "data")
    return imported(root, root / "data")


DATE_CASES = [("synth_world", on) for on in DATES] + [("edge_world", on) for on in edge_data.EDGE_DATES]
YEAR_CASES = [("synth_world", year) for year in YEARS] + [
    ("edge_world", year) for year in edge_data.EDGE_YEARS
]


# --------------------------------------------------------------------------------------------------------
# Explaining a person
# --------------------------------------------------------------------------------------------------------


def person_facts(ds: ref.Dataset, id_number: str, day: dt.date) -> str:
    person = next((p for p in ds.persons if p.id_number == id_number), None)
    if person is None:
        return f"{id_number}: not in the oracle's registry"
    f = ref.Facts(ds, person, day)
    s = f.standard
    return (
        f"{id_number} 户{person.household} 区划{person.region} {'城镇' if person.urban else '农村'} "
        f"类别{person.category} 等级{person.grade} 发证{person.issue_date} 状态{person.status}@{person.status_date} "
        f"| on {day}: valid={f.valid_certificate} expiry={f.expiry} dead={f.dead} status={f.status} age={f.age} "
        f"dibao={f.in_dibao} tekun={f.in_tekun} orphan={f.in_orphan} elderly={f.in_elderly_care} "
        f"injury={f.in_injury_care} survey={f.survey} income={f.income} line={f.dibao_line} "
        f"low={f.low_income} near={f.near_poor} receiving={sorted(f.receiving)} "
        f"school_year={f.school_year} in_school={f.in_school} school_age={f.school_age} "
        f"standard={s.region if s else None}@{s.effective if s else None} "
        f"lists={ds.names.get(id_number)} name={person.name!r} "
        f"pension={dict(ds.pension.get(id_number, {}))} medical={sorted(ds.medical.get(id_number, set()))}"
    )


def report(title: str, problems: list[str]) -> str:
    return f"{title}: {len(problems)} differences\n" + "\n".join(problems[: EXAMPLES * 4])


def money(value) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.01")))


# --------------------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("world", "on"), DATE_CASES)
def test_decisions_match_the_oracle(request, world, on):
    cli, ds = request.getfixturevalue(world)
    day = dt.date.fromisoformat(on)
    product = {
        (row["id_number"], row["benefit"]): (
            row["decision"],
            money(row["amount"]),
            tuple(sorted(row["flags"])),
            {r["clause"]: r["passed"] for r in row["reasons"]},
        )
        for row in cli.json("eligibility", "--on", on)
    }
    _, decisions = ref.compute(ds, day)
    oracle = {
        key: (d.decision, money(d.amount), tuple(sorted(d.flags)), dict(d.clauses))
        for key, d in decisions.items()
    }

    problems: list[str] = []
    by_kind: dict[str, list[str]] = {}
    for key in sorted(set(product) | set(oracle)):
        mine, theirs = oracle.get(key), product.get(key)
        if mine is None or theirs is None or mine[:3] != theirs[:3]:
            kind = (
                "missing in product"
                if theirs is None
                else "extra in product"
                if mine is None
                else f"{key[1]}: oracle {mine[:3]} vs product {theirs[:3]}"
            )
            by_kind.setdefault(kind, []).append(
                f"  {key}\n    oracle clauses : {mine[3] if mine else None}\n"
                f"    product clauses: {theirs[3] if theirs else None}\n"
                f"    facts: {person_facts(ds, key[0], day)}"
            )
    for kind, examples in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        problems.append(f"* {kind} — {len(examples)} case(s), e.g.:")
        problems.extend(examples[:2])
    assert not problems, report(f"decisions on {on}", problems)


# --------------------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("world", "on"), DATE_CASES)
def test_findings_match_the_oracle(request, world, on):
    cli, ds = request.getfixturevalue(world)
    day = dt.date.fromisoformat(on)
    rows = cli.json("findings", "--on", on)
    product = {(row["code"], row["id_number"], row["county"]) for row in rows}
    details = {(row["code"], row["id_number"]): row["detail"] for row in rows}
    oracle = ref.findings(ds, day)

    problems: list[str] = []
    for label, rows in (
        ("only the oracle finds", oracle - product),
        ("only the product finds", product - oracle),
    ):
        by_code: dict[str, list[tuple[str, str, str]]] = {}
        for row in sorted(rows):
            by_code.setdefault(row[0], []).append(row)
        for code, items in sorted(by_code.items()):
            problems.append(f"* {label} {code}: {len(items)} case(s), e.g.:")
            for item in items[:EXAMPLES]:
                problems.append(
                    f"  {item} detail={details.get(item[:2])!r}\n    facts: {person_facts(ds, item[1], day)}"
                )
    assert not problems, report(f"findings on {on}", problems)


NEEDS_CODES = {
    "rehab_need_unserved",
    "device_need_unserved",
    "care_need_unserved",
    "renovation_pending",
    "employment_aid",
    "poverty_risk",
    "severe_living_alone",
}


def test_the_data_sets_exercise_every_needs_finding(synth_world, edge_world):
    """The comparisons above mean something only if each needs code occurs in both data sets."""
    for (_, ds), dates in ((synth_world, DATES), (edge_world, edge_data.EDGE_DATES)):
        found = {code for on in dates for code, _, _ in ref.findings(ds, dt.date.fromisoformat(on))}
        assert NEEDS_CODES <= found, NEEDS_CODES - found


# --------------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------------


def close(a, b, tolerance: str) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(str(a)) - Decimal(str(b))) <= Decimal(tolerance)


@pytest.mark.parametrize(("world", "year"), YEAR_CASES)
def test_indicators_match_the_oracle(request, world, year):
    cli, ds = request.getfixturevalue(world)
    day = dt.date(year, 12, 31)
    rows = cli.json("indicators", "--year", str(year), "--as-of", day.isoformat())
    product = {(row["code"], row["region"]): row for row in rows}
    oracle = ref.indicators(ds, year, day)

    problems: list[str] = []
    for key in sorted(set(product) | set(oracle)):
        mine, theirs = oracle.get(key), product.get(key)
        if mine is None or theirs is None:
            problems.append(f"  {key}: oracle {mine} product {theirs}")
            continue
        # income_growth's value goes through a float power: allow one unit in the last place.
        tolerance = "0.01" if key[0] == "income_growth" else "0"
        same = (
            close(mine.numerator, theirs["numerator"], "0")
            and close(mine.denominator, theirs["denominator"], "0")
            and close(mine.value, theirs["value"], tolerance)
            and mine.met == theirs["met"]
        )
        if not same:
            problems.append(
                f"  {key}: oracle (num, den, value, met) = "
                f"({mine.numerator}, {mine.denominator}, {mine.value}, {mine.met}) "
                f"product = ({theirs['numerator']}, {theirs['denominator']}, {theirs['value']}, {theirs['met']})"
            )
    assert not problems, report(f"indicators for {year}", problems)
