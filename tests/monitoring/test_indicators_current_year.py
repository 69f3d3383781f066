"""`huican indicators` for the current year is measured as of today unless --as-of is given."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.cli import main

pytestmark = pytest.mark.django_db


def test_the_current_year_defaults_to_today(monkeypatch, capsys) -> None:
    seen: list[dt.date | None] = []

    def fake(*, year, as_of=None, region=None):  # type: ignore[no-untyped-def]
        seen.append(as_of)
        return []

    monkeypatch.setattr("huican.monitoring.commands.compute_indicators", fake)
    monkeypatch.setattr("huican.monitoring.commands.timezone.localdate", lambda: dt.date(2026, 11, 28))
    assert main(["indicators", "--year", "2026"]) == 0
    assert main(["indicators", "--year", "2025"]) == 0
    assert main(["indicators", "--year", "2026", "--as-of", "2026-06-30"]) == 0
    assert seen == [dt.date(2026, 11, 28), None, dt.date(2026, 6, 30)]
    assert capsys.readouterr().out.split() == ["[]", "[]", "[]"]
