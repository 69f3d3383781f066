"""Fixtures for the monitoring pages, reports and API: the owner/teammate/outsider World of the
accounts tests plus a few list rows, so that some indicators have known numerators.

On D = 2025-12-31 (the default year: the plan has ended):
- medical_enrolment: alice, carol and dave insured for 2025, bob not → city 3/4, 忻府区 2/3, 原平市 1/1;
- dibao_coverage (binding): alice in 低保; bob has low income (3,000 < 6,000) → city 1/2, not met.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.factories import World, make_list_record, make_standard, make_survey
from tests.matching.yearly_lists import send_yearly_lists


@pytest.fixture
def world(db: Any) -> World:
    world = World()
    make_standard()  # city-wide, rural 低保 500/month
    for person in (world.alice, world.carol, world.dave):
        make_list_record("medical", person, year=2025, category="城乡居民")
    make_list_record("dibao", world.alice, start=dt.date(2024, 1, 1))
    send_yearly_lists(kinds=("pension",))  # sent for 2025, nobody of the world on it; no enrolment list
    make_survey(world.bob, year=2025, income="3000")
    return world


@pytest.fixture
def as_user(world: World) -> Any:
    """``as_user("city")`` → a test client logged in as that World user."""

    def _client(role: str) -> Client:
        client = Client()
        client.force_login(world.users[role])
        return client

    return _client
