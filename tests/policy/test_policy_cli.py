"""`huican eligibility` prints the FORMATS.md JSON (or CSV) for every person × benefit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from huican.cli import main
from huican.policy.rules import BENEFITS
from tests.factories import id_number_of, make_list_record, make_person, make_standard, make_survey

pytestmark = pytest.mark.django_db


def _population():
    make_standard(topup_rate="0.05", urban_dibao="615.30")
    a = make_person(grade=1, urban_rural="城镇", region_code="140981002003", birth=dt.date(1990, 1, 1))
    b = make_person(grade=3, category=5, region_code="140902001001", birth=dt.date(1970, 1, 1))
    make_survey(a, year=2025, income="1000.00", long_term_care=True)
    make_list_record("dibao", a, start=dt.date(2024, 1, 1))
    make_list_record("elderly_care", a, start=dt.date(2024, 1, 1))
    return a, b


def test_eligibility_json_shape_and_order(capsys):
    a, b = _population()
    assert main(["eligibility", "--on", "2025-06-30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 2 * len(BENEFITS)
    numbers = sorted([id_number_of(a), id_number_of(b)])
    assert [row["id_number"] for row in out] == [n for n in numbers for _ in BENEFITS]
    assert [row["benefit"] for row in out] == list(BENEFITS) * 2
    for row in out:
        assert {"id_number", "benefit", "decision", "amount", "flags", "reasons"} <= set(row)
        assert row["decision"] in {"eligible", "ineligible", "unknown"}
        assert isinstance(row["flags"], list)
        for reason in row["reasons"]:
            assert {"clause", "passed", "detail"} <= set(reason)
            assert reason["passed"] in (True, False, None)
    mine = {r["benefit"]: r for r in out if r["id_number"] == id_number_of(a)}
    assert mine["dibao_topup"]["amount"] == 30.77
    assert mine["nursing_subsidy"]["flags"] == ["choose_higher"]
    assert mine["medical_premium_aid"]["amount"] is None
    theirs = {r["benefit"]: r for r in out if r["id_number"] == id_number_of(b)}
    assert theirs["dibao_alone"]["decision"] == "unknown"
    assert any(r["passed"] is None for r in theirs["dibao_alone"]["reasons"])


def test_eligibility_region_filter_and_csv(capsys):
    a, _ = _population()
    assert main(["eligibility", "--on", "2025-06-30", "--region", "140981", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["id_number", "benefit", "decision", "amount", "flags", "reasons"]
    assert {r["id_number"] for r in rows} == {id_number_of(a)}
    topup = next(r for r in rows if r["benefit"] == "dibao_topup")
    assert (topup["decision"], topup["amount"]) == ("eligible", "30.77")
    nursing = next(r for r in rows if r["benefit"] == "nursing_subsidy")
    assert nursing["flags"] == "choose_higher"
    assert "持有效残疾人证" in nursing["reasons"]


def test_eligibility_with_nobody_prints_an_empty_list(capsys):
    assert main(["eligibility", "--on", "2025-06-30"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_eligibility_rejects_a_region_outside_the_city(capsys):
    assert main(["eligibility", "--on", "2025-06-30", "--region", "110101"]) == 2
    assert "110101" in capsys.readouterr().err


def test_eligibility_output_stays_one_json_list_across_chunks(capsys, monkeypatch):
    monkeypatch.setattr("huican.policy.commands.CHUNK_PERSONS", 1)
    people = [make_person(grade=g) for g in (1, 2, 3)]
    assert main(["eligibility", "--on", "2025-06-30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [row["id_number"] for row in out[:: len(BENEFITS)]] == sorted(id_number_of(p) for p in people)
