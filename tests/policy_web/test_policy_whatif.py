"""资金测算: what_if on a tiny dataset, numbers checked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from huican.policy.facts import load_facts
from huican.policy.models import Standard
from huican.policy.services import StandardError
from huican.policy.whatif import what_if

ON = dt.date(2024, 6, 1)  # the date of the `small_county` surveys and 低保 membership


def by_benefit(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["benefit"]: row for row in result["benefits"]}


@pytest.mark.django_db
def test_the_baseline_is_the_same_before_and_after_for_an_unchanged_value(small_county: Any) -> None:
    result = what_if(facts=load_facts(on=ON, region="140902"), changes={"living_subsidy": "80"})
    rows = by_benefit(result)
    assert result["persons"] == 3
    assert rows["living_subsidy"]["eligible_before"] == rows["living_subsidy"]["eligible_after"] == 1
    assert rows["nursing_subsidy"]["eligible_before"] == 1
    assert rows["dibao_alone"]["eligible_before"] == 1
    assert rows["living_subsidy"]["cost_before"] == Decimal("80.00")
    assert rows["nursing_subsidy"]["cost_before"] == Decimal("120.00")
    assert rows["dibao_topup"]["cost_before"] == Decimal("25.00")  # 0.05 × 500
    assert result["total"]["cost_before"] == Decimal("225.00")
    assert result["total"]["cost_change"] == Decimal("0.00")
    assert result["total"]["gained"] == result["total"]["lost"] == 0


@pytest.mark.django_db
def test_switching_on_near_poor_adds_the_near_poor_to_the_living_subsidy(small_county: Any) -> None:
    result = what_if(facts=load_facts(on=ON, region="140902"), changes={"living_includes_near_poor": True})
    living = by_benefit(result)["living_subsidy"]
    assert (living["eligible_before"], living["eligible_after"]) == (1, 3)
    assert (living["gained"], living["lost"]) == (2, 0)
    assert (living["cost_before"], living["cost_after"], living["cost_change"]) == (
        Decimal("80.00"),
        Decimal("240.00"),
        Decimal("160.00"),
    )
    assert result["changes"][0]["current"] == [False] and result["changes"][0]["new"] is True


@pytest.mark.django_db
def test_a_higher_amount_changes_cost_not_eligibility(small_county: Any) -> None:
    result = what_if(facts=load_facts(on=ON, region="140902"), changes={"living_subsidy": "100.50"})
    living = by_benefit(result)["living_subsidy"]
    assert living["gained"] == living["lost"] == 0 and living["amount_changed"] == 1
    assert living["cost_after"] == Decimal("100.50")
    assert result["total"]["cost_change"] == Decimal("20.50")


@pytest.mark.django_db
def test_a_higher_dibao_line_raises_the_topup(small_county: Any) -> None:
    result = what_if(facts=load_facts(on=ON, region="140902"), changes={"rural_dibao": Decimal("700")})
    rows = by_benefit(result)
    assert rows["dibao_topup"]["cost_after"] == Decimal("35.00")
    assert rows["dibao_alone"]["eligible_after"] == 1  # A: now low income instead of near-poor


@pytest.mark.django_db
def test_a_lower_near_poor_multiple_loses_someone(small_county: Any) -> None:
    result = what_if(facts=load_facts(on=ON, region="140902"), changes={"near_poor_multiple": "1.1"})
    alone = by_benefit(result)["dibao_alone"]
    assert (alone["eligible_before"], alone["eligible_after"], alone["lost"]) == (1, 0, 1)


@pytest.mark.django_db
def test_nothing_is_saved(small_county: Any) -> None:
    before = list(Standard.objects.values())
    what_if(facts=load_facts(on=ON), changes={"living_subsidy": "999", "living_includes_near_poor": True})
    assert list(Standard.objects.values()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "至少"),
        ({"no_such_field": 1}, "不认识"),
        ({"living_subsidy": "-1"}, "不能小于"),
        ({"living_subsidy": "80.123"}, "2 位小数"),
        ({"living_subsidy": "abc"}, "数字"),
        ({"living_includes_near_poor": "也许"}, "是"),
        ({"child_rehab_max_age": "6.5"}, "整数"),
    ],
)
def test_invalid_changes_are_refused(small_county: Any, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(StandardError, match=message):
        what_if(facts=load_facts(on=ON), changes=changes)
