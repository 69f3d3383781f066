"""Fixtures for the parity tests (factories shared with tests/api)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "api"))

from huican_api_factories import make_user


@pytest.fixture
def city_staff(db: Any) -> Any:
    return make_user("city", "city_staff", "140900")


@pytest.fixture
def token_for() -> Any:
    from huican.api import api_token_create

    def _token(user: Any) -> str:
        return api_token_create(user=user, name="测试")[1]

    return _token
