"""The audit log stores whatever a user typed, also on PostgreSQL (no NUL, no overlong fields)."""

from __future__ import annotations

import pytest

from huican.core.audit import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_nul_and_overlong_values_are_recorded_and_the_chain_holds() -> None:
    entry = audit_record(
        actor="操作员\x00",
        action="registry.search",
        object_id="x" * 500,
        reason="原因\x00",
        detail={"q": "\x00王", "list": ["\x00"], "\x00key": 1},
    )
    entry.refresh_from_db()
    assert "\x00" not in entry.reason and "\u2400" in entry.reason
    assert entry.detail["q"] == "\u2400王" and len(entry.object_id) == 64
    assert audit_verify().intact
