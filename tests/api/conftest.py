"""Fixtures for the REST API tests: the owner/teammate/outsider users, persons, tokens."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from huican_api_factories import make_person, make_user


@pytest.fixture
def city_staff(db: Any) -> Any:
    return make_user("city", "city_staff", "140900")


@pytest.fixture
def county_staff(db: Any) -> Any:
    return make_user("xinfu", "county_staff", "140902")


@pytest.fixture
def outsider(db: Any) -> Any:
    """Staff of another county (原平市)."""
    return make_user("yuanping", "county_staff", "140981")


@pytest.fixture
def person(db: Any) -> Any:
    return make_person(name="王测试", county="140902")


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
