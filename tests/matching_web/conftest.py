from __future__ import annotations

import pytest

from tests.matching_web.world import FindingsWorld, build_world


@pytest.fixture
def fworld(db: None) -> FindingsWorld:
    return build_world()
