"""Fixtures for the parity tests (factories in tests/factories.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_user


@pytest.fixture
def city_staff(db: Any) -> Any:
    return make_user("city_staff", "140900", username="city")


@pytest.fixture
def token_for() -> Any:
    from huican.api import api_token_create

    def _token(user: Any) -> str:
        return api_token_create(user=user, name="测试")[1]

    return _token
