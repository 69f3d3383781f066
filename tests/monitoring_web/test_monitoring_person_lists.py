"""The persons behind a figure: exactly the persons counted, masked, scoped, audited; no lists for
evaluators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huican.core.crypto import decrypt
from huican.core.models import AuditEntry
from huican.monitoring.indicators import compute_indicators
from huican.monitoring.selectors import indicator_member_ids
from tests.factories import make_list_record

D = dt.date(2025, 12, 31)


def url(region: str, code: str, side: str, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": "2025", **params}.items())
    return reverse("monitoring:persons", args=[region, code, side]) + "?" + query


def listed(response) -> set[int]:
    return {person.pk for person in response.context["rows"]}


def test_numerator_and_denominator_lists_are_the_persons_counted(as_user, world):
    client = as_user("city")

    numerator = client.get(url("140900", "medical_enrolment", "numerator"))
    denominator = client.get(url("140900", "medical_enrolment", "denominator"))

    assert numerator.status_code == denominator.status_code == 200
    assert listed(numerator) == {world.alice.pk, world.carol.pk, world.dave.pk}
    assert listed(denominator) == {world.alice.pk, world.bob.pk, world.carol.pk, world.dave.pk}
    [row] = [r for r in compute_indicators(year=2025, region="140900") if r["code"] == "medical_enrolment"]
    assert (row["numerator"], row["denominator"]) == (len(listed(numerator)), len(listed(denominator)))


@pytest.mark.parametrize("code", ["dibao_coverage", "medical_enrolment", "pension_enrolment"])
@pytest.mark.parametrize("region", ["140900", "140902", "140981"])
def test_member_counts_equal_every_rate_indicator(world, code, region):
    numerator, denominator = indicator_member_ids(code=code, year=2025, on=D, region=region)

    [row] = [r for r in compute_indicators(year=2025) if r["code"] == code and r["region"] == region]
    assert (len(numerator), len(denominator)) == (row["numerator"], row["denominator"])


def test_training_list_has_no_denominator(as_user, world):
    make_list_record(
        "services", world.carol, start=dt.date(2023, 5, 1), category="职业技能培训", status="完成"
    )
    make_list_record(
        "services", world.bob, start=dt.date(2023, 5, 1), category="职业技能培训", status="进行中"
    )
    client = as_user("city")

    response = client.get(url("140900", "training_persons", "numerator"))
    assert listed(response) == {world.carol.pk}
    assert client.get(url("140900", "training_persons", "denominator")).status_code == 404


def test_ids_are_masked_and_the_listing_is_audited(as_user, world):
    response = as_user("county").get(url("140902", "medical_enrolment", "denominator"))

    html = response.content.decode()
    assert decrypt(world.alice.id_number_encrypted) not in html
    assert world.alice.id_masked in html
    entry = AuditEntry.objects.filter(action="monitoring.indicator_persons").latest("sequence")
    assert entry.detail["indicator"] == "medical_enrolment" and entry.detail["side"] == "denominator"
    assert entry.region_code == "140902"


def test_lists_are_scoped_to_the_user(as_user, world):
    county = as_user("county")
    assert listed(county.get(url("140902", "medical_enrolment", "denominator"))) == {
        world.alice.pk,
        world.bob.pk,
        world.carol.pk,
    }
    assert county.get(url("140981", "medical_enrolment", "denominator")).status_code == 404
    assert county.get(url("140900", "medical_enrolment", "denominator")).status_code == 404
    township = as_user("township")
    assert listed(township.get(url("140902001", "medical_enrolment", "denominator"))) == {
        world.alice.pk,
        world.bob.pk,
    }


def test_evaluators_get_counts_only(as_user):
    assert as_user("evaluator").get(url("140900", "medical_enrolment", "numerator")).status_code == 403


def test_unknown_indicator_is_404(as_user):
    response = as_user("city").get(reverse("monitoring:persons", args=["140900", "no_such", "numerator"]))
    assert response.status_code == 404
