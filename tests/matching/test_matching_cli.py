"""`huican findings`: JSON and CSV output with full ID numbers, ordered by code then ID number."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from huican.cli import main
from tests.factories import id_number_of, make_list_record, make_person, make_standard


@pytest.fixture
def people(db):
    make_standard()
    a = make_person(name="甲", region_code="140921001001")
    b = make_person(name="乙", region_code="140902001001", issue_date=dt.date(2014, 1, 1))
    make_list_record("medical", a, year=2025, name="甲 乙")
    return a, b


def test_findings_json_shape_and_order(people, capsys):
    a, b = people

    assert main(["findings", "--on", "2025-06-30"]) == 0

    rows = json.loads(capsys.readouterr().out)
    assert all(set(row) == {"id_number", "code", "county", "detail"} for row in rows)
    keys = [(row["code"], row["id_number"]) for row in rows]
    assert keys == sorted(keys)
    assert {"code": "name_mismatch", "id_number": id_number_of(a), "county": "140921"}.items() <= next(
        row for row in rows if row["code"] == "name_mismatch"
    ).items()
    assert ("certificate_expired", id_number_of(b)) in keys
    assert ("medical_not_enrolled", id_number_of(a)) not in keys


def test_findings_region_filter_and_csv(people, capsys):
    _, b = people

    assert main(["findings", "--on", "2025-06-30", "--region", "140902", "--format", "csv"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and list(rows[0]) == ["id_number", "code", "county", "detail"]
    assert {row["id_number"] for row in rows} == {id_number_of(b)}


def test_findings_unknown_region_is_a_usage_error(people, capsys):
    assert main(["findings", "--on", "2025-06-30", "--region", "110101"]) == 2
    assert "区划代码" in capsys.readouterr().err
