"""Employment findings from a year's verification: declared twice (one finding naming every
employer), the 挂靠 pattern (a certified person declared without a 职工 pension record) and the
专栏4 public employers."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.employment.findings import employment_findings
from huican.employment.models import DeclaredPerson
from huican.employment.verification import levy
from tests.factories import (
    declare,
    id_number,
    make_declaration,
    make_levy_standard,
    make_list_record,
    make_person,
)

pytestmark = pytest.mark.django_db


def _findings():
    elements = levy(year=2025)
    names = {
        p.pk: {"name": p.name, "id_masked": p.id_masked, "id_hash": p.id_hash}
        for p in DeclaredPerson.objects.all()
    }
    return [
        (f.code, [e["name"] for e in f.employers], f.person["name"] if f.person else None)
        for f in employment_findings(elements, names)
    ]


def test_employment_findings():
    make_levy_standard()
    insured = make_person(name="真职工")
    make_list_record("pension", insured, year=2025, category="职工")
    lent = make_person(name="挂靠人")
    expired = make_person(name="过期人", issue_date=dt.date(2010, 1, 1))
    shared = make_person(name="两家人")
    make_list_record("pension", shared, year=2025, category="职工")
    first = make_declaration(name="甲", staff="10")
    second = make_declaration(name="乙", staff="10")
    third = make_declaration(name="丙", staff="10")
    declare(first, insured)
    declare(first, lent)
    declare(first, expired)  # no pension either, but no valid certificate: not the 挂靠 pattern
    declare(first, id_number("140902", dt.date(1980, 1, 1), 9), name="名册外")
    declare(second, shared)
    declare(third, shared)
    make_declaration(name="局", unit_type="机关", staff="80", established_posts=50)
    make_declaration(name="学校", unit_type="事业单位", staff="100", established_posts=90, is_school=True)
    assert _findings() == [
        ("declared_twice", ["乙", "丙"], "两家人"),
        ("employee_without_pension", ["甲"], "挂靠人"),
        ("public_employer_below_quota", ["局"], None),
    ]
