"""Fixtures for the import web flow tests (factories shared with tests/api)."""

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
def officer(db: Any) -> Any:
    """民政 data officer: may import the 低保 list only."""
    return make_user("minzheng", "department_officer", "140900", import_kinds=["dibao"])


@pytest.fixture
def county_staff(db: Any) -> Any:
    return make_user("xinfu", "county_staff", "140902")
