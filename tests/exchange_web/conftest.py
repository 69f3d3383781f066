"""Fixtures for the import web flow tests (factories in tests/factories.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_user


@pytest.fixture
def city_staff(db: Any) -> Any:
    return make_user("city_staff", "140900", username="city")


@pytest.fixture
def officer(db: Any) -> Any:
    """民政 data officer: may import the 低保 list only."""
    return make_user("department_officer", "140900", username="minzheng", import_kinds=["dibao"])


@pytest.fixture
def county_staff(db: Any) -> Any:
    return make_user("county_staff", "140902", username="xinfu")
