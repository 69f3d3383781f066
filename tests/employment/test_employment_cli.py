"""`huican levy`: the JSON shape of EMPLOYMENT.md, CSV (one row per employer), region filter."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from huican.cli import main
from tests.factories import (
    declare,
    id_number,
    id_number_of,
    make_declaration,
    make_levy_standard,
    make_list_record,
    make_person,
)

KEYS = [
    "credit_code",
    "name",
    "county",
    "year",
    "staff",
    "required",
    "arranged",
    "ratio",
    "base_wage",
    "status",
    "due",
    "persons",
]


@pytest.fixture
def employers(db):
    make_levy_standard(social_average_wage="60000.00")
    worker = make_person(grade=2)
    make_list_record("pension", worker, year=2025, category="职工")
    big = make_declaration(name="大公司", staff="500", average_wage="150000.00", region_code="140902")
    declare(big, worker, start=dt.date(2025, 7, 1))
    declare(big, id_number("140902", dt.date(1990, 2, 2), 41), start=dt.date(2024, 1, 1))
    make_declaration(name="小公司", staff="30", region_code="140981")
    return big, worker


def test_levy_json_shape(employers, capsys):
    big, worker = employers
    assert main(["levy", "--year", "2025"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [list(r) for r in rows] == [KEYS, KEYS]
    first = rows[0]
    assert first == {
        "credit_code": big.credit_code,
        "name": "大公司",
        "county": "140902",
        "year": 2025,
        "staff": 500,
        "required": 7.5,
        "arranged": 1.0,  # weight 2 × 6 months / 12
        "ratio": 0.2,
        "base_wage": 120000.0,  # capped at 2 × 60000
        "status": "reduced_90",
        "due": 702000.0,  # (7.5 − 1) × 120000 × 90%
        "persons": [
            {"id_number": id_number_of(worker), "counted": True, "weight": 2, "months": 6, "reasons": []},
            {
                "id_number": id_number("140902", dt.date(1990, 2, 2), 41),
                "counted": False,
                "weight": 1,
                "months": 12,
                "reasons": ["not_in_registry"],
            },
        ],
    }
    assert rows[1]["status"] == "exempt" and rows[1]["due"] == 0 and rows[1]["persons"] == []


def test_levy_csv_one_row_per_employer(employers, capsys):
    assert main(["levy", "--year", "2025", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2
    assert rows[0]["name"] == "大公司" and rows[0]["due"] == "702000.0"
    assert rows[0]["declared"] == "2" and rows[0]["counted"] == "1"


def test_levy_region_filter_and_usage_errors(employers, capsys):
    assert main(["levy", "--year", "2025", "--region", "140981"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["小公司"]
    for args in (["levy", "--year", "2025", "--region", "14"], ["levy"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 2
    assert main(["levy", "--year", "2024"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_levy_warns_without_parameters_for_the_year(db, capsys):
    make_declaration(year=2024, staff="100", average_wage="500000")
    assert main(["levy", "--year", "2024"]) == 0
    captured = capsys.readouterr()
    assert "没有 2024 年度的残保金参数" in captured.err
    (element,) = json.loads(captured.out)
    assert element["base_wage"] == 500000.0  # no cap without a social average wage
    assert element["status"] == "reduced_90"  # tiering on by default in 2024
