from __future__ import annotations

import pytest

from tests.matching_web.world import D, FindingsWorld, build_world


@pytest.fixture
def fworld(db: None, monkeypatch: pytest.MonkeyPatch) -> FindingsWorld:
    # The world's runs are city staff's runs of today: today is D for the whole test.
    monkeypatch.setattr("huican.matching.services.today", lambda: D)
    return build_world()
