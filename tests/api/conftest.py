"""Fixtures for the REST API tests: the owner/teammate/outsider users, persons, tokens."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_person, make_user


@pytest.fixture
def city_staff(db: Any) -> Any:
    return make_user("city_staff", "140900", username="city")


@pytest.fixture
def county_staff(db: Any) -> Any:
    return make_user("county_staff", "140902", username="xinfu")


@pytest.fixture
def outsider(db: Any) -> Any:
    """Staff of another county (原平市)."""
    return make_user("county_staff", "140981", username="yuanping")


@pytest.fixture
def person(db: Any) -> Any:
    return make_person(name="王测试", region_code="140902")


@pytest.fixture
def token_for() -> Any:
    from huican.api import api_token_create

    def _token(user: Any) -> str:
        return api_token_create(user=user, name="测试")[1]

    return _token


@pytest.fixture
def api_get(client: Any, token_for: Any) -> Any:
    def _get(user: Any, path: str, **params: Any) -> Any:
        return client.get("/api/v1" + path, params, HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")

    return _get
