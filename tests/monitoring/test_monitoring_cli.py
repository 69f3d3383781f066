"""`huican indicators`: the JSON shape of FORMATS.md, CSV, region filter and usage errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from huican.cli import main
from tests.factories import make_list_record, make_person, make_standard

KEYS = ["code", "region", "year", "numerator", "denominator", "value", "target", "kind", "met"]


@pytest.fixture
def population(db):
    make_standard()
    insured = make_person()
    make_list_record("medical", insured, year=2025)
    make_person(region_code="140921001001")


def test_indicators_json_shape(population, capsys):
    assert main(["indicators", "--year", "2025"]) == 0

    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 11 * 16
    assert all(list(row) == KEYS for row in rows)
    medical = next(r for r in rows if r["code"] == "medical_enrolment" and r["region"] == "140900")
    assert medical == {
        "code": "medical_enrolment",
        "region": "140900",
        "year": 2025,
        "numerator": 1,
        "denominator": 2,
        "value": 50.0,
        "target": 95,
        "kind": "expected",
        "met": False,
    }
    assert {r["kind"] for r in rows} == {"binding", "expected"}


def test_indicators_region_and_csv(population, capsys):
    assert (
        main(
            ["indicators", "--year", "2025", "--region", "140921", "--as-of", "2025-06-30", "--format", "csv"]
        )
        == 0
    )

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 11
    assert list(rows[0]) == KEYS
    medical = next(r for r in rows if r["code"] == "medical_enrolment")
    assert (medical["region"], medical["numerator"], medical["denominator"], medical["value"]) == (
        "140921",
        "0",
        "1",
        "0",
    )
    training = next(r for r in rows if r["code"] == "training_persons")
    assert (training["denominator"], training["target"], training["met"]) == ("", "", "")


def test_indicators_region_outside_the_city_is_a_usage_error(population, capsys):
    assert main(["indicators", "--year", "2025", "--region", "110101"]) == 2
    assert "区划代码" in capsys.readouterr().err
