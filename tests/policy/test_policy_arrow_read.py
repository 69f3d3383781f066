"""Outside a transaction, SQLite facts are read through ADBC; both readers give the same frames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection

import huican.policy.facts as facts_module
from huican.cli import main
from huican.policy.arrow_read import arrow_reader_available
from huican.synth.generator import generate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the ADBC reader is for SQLite only"),
]


def test_both_readers_load_the_same_facts(tmp_path: Path, monkeypatch, capsys) -> None:
    files = generate(persons=400, seed=9, out=tmp_path)
    for kind in ("standards", "registry", "survey", "dibao", "pension", "services", "subsidy_recipients"):
        assert main(["import", kind, str(files[kind])]) == 0
    capsys.readouterr()
    assert arrow_reader_available()
    on = dt.date(2025, 12, 31)
    fast = facts_module.load_facts(on=on)
    monkeypatch.setattr(facts_module, "arrow_reader_available", lambda: False)
    slow = facts_module.load_facts(on=on)
    assert fast.persons.height > 300
    for name in ("persons", "surveys", "standards", "receiving", "renovations"):
        assert getattr(fast, name).equals(getattr(slow, name)), name
    for kind, frame in fast.lists.items():
        assert frame.sort("batch_id", "row_number").equals(slow.lists[kind].sort("batch_id", "row_number")), (
            kind
        )
