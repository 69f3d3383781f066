"""The 专栏1 indicators written as expressions in the plan file give exactly the built-in figures.

A synthetic city (``huican synth``) is imported; for every year of the plan and every unit (the city and
its 15 county-level units) the rows computed from the plan file's ``definition:`` expressions equal
the rows of the Python definitions in huican.monitoring.indicators, number for number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from huican.exchange.kinds import IMPORT_ORDER
from huican.exchange.pipeline import run_import
from huican.monitoring.indicators import indicators_from_facts
from huican.monitoring.plan import load_plan
from huican.policy.facts import load_facts
from huican.policy.rules import evaluate
from huican.policy.vocabulary import prepare
from huican.regions.divisions import CITY_CODE, COUNTY_CODES
from huican.synth.generator import generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_expression_and_built_in_definitions_agree_on_the_synthetic_city(tmp_path: Path) -> None:
    files = generate(persons=1500, seed=11, out=tmp_path / "data")
    for kind in IMPORT_ORDER:
        run_import(kind=kind, path=files[kind], actor="test", confirm_shrink=True)
    plan = load_plan()
    expressed = {item.code for item in plan.indicators if item.definition is not None}
    assert expressed == set(plan.indicator_codes) - {"income_growth"}
    built_in = dataclasses.replace(
        plan, indicators=tuple(dataclasses.replace(item, definition=None) for item in plan.indicators)
    )
    seen_values: dict[str, set[object]] = {code: set() for code in expressed}
    for year in range(plan.start_year, plan.end_year + 1):
        facts = load_facts(on=dt.date(year, 12, 31))
        prepared = prepare(facts, with_texts=False)
        decisions = evaluate(prepared, with_reasons=False)
        rows = {}
        for name, which in (("expressed", plan), ("built_in", built_in)):
            rows[name] = indicators_from_facts(
                facts,
                year=year,
                plan=which,
                gdp_growth=None,
                region=CITY_CODE,
                units=sorted(COUNTY_CODES),
                prepared=prepared,
                decisions=decisions,
            )
        assert len(rows["expressed"]) == 11 * 16
        for mine, theirs in zip(rows["expressed"], rows["built_in"], strict=True):
            # byte for byte as `huican indicators` prints them (1 and 1.0 would compare equal)
            assert json.dumps(mine) == json.dumps(theirs), (year, mine, theirs)
            if mine["code"] in expressed and mine["region"] == CITY_CODE:
                seen_values[mine["code"]].add(mine["value"])
    # The comparison means something: every indicator has a non-zero value in some year.
    for code, values in seen_values.items():
        assert values - {0, None}, code
