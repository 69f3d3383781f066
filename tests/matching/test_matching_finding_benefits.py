"""A findings run evaluates only the benefits the findings read, and finds the same as with all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from huican.exchange.kinds import IMPORT_ORDER
from huican.exchange.pipeline import run_import
from huican.matching.findings import FINDING_BENEFITS, compute_findings
from huican.matching.services import compute_run
from huican.policy.facts import load_facts
from huican.policy.rules import BENEFITS, evaluate
from huican.policy.vocabulary import prepare
from huican.synth.generator import generate

pytestmark = pytest.mark.django_db


def test_a_run_finds_what_the_decisions_of_every_benefit_find(tmp_path: Path) -> None:
    assert set(FINDING_BENEFITS) < set(BENEFITS)
    files = generate(persons=400, seed=11, out=tmp_path / "data")
    for kind in IMPORT_ORDER:
        run_import(kind=kind, path=files[kind], actor="test")
    on = dt.date(2025, 12, 31)
    facts = load_facts(on=on)
    prepared = prepare(facts)
    every = compute_findings(facts, evaluate(prepared), prepared=prepared)
    assert every.height > 0
    assert set(every["code"]) >= {"living_subsidy_not_covered", "paid_while_ineligible"}
    assert compute_run(on=on).found.equals(every)
