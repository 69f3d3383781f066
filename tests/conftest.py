"""Fixtures and hooks shared by the whole suite (nothing app-specific: factories live with the app tests).

- Tests run with a fast password hasher and synchronous background tasks.
- ``tmp_var``: a private ``var/`` directory for a test (settings.VAR_DIR, MEDIA_ROOT, STATIC_ROOT).
- Every test writes its audit-log checkpoints (huican.core.audit) into a directory of its own.
- Markers: ``browser`` (real Chromium), ``postgres`` (needs PostgreSQL: deselected on SQLite runs),
  ``slow``.
- With ``CI=true`` a skipped ``browser`` or ``postgres`` test is reported as a failure, so CI can never
  pass by silently not running them.
- Transactional tests (``transaction=True``, ``live_server``) see the city and its counties even after
  an earlier transactional test flushed the tables that the data migration filled.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

# Fast hashing in tests only; tests/test_setup_settings.py proves production uses Argon2.
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ci_mode() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = TEST_PASSWORD_HASHERS
    settings.HUICAN_TASKS_SYNC = True


def pytest_report_header(config: pytest.Config) -> list[str]:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"huican: database={engine} CI={'true' if ci_mode() else 'false'}"]


def ci_leg() -> str:
    """In CI the suite runs twice side by side, one core each: ``HUICAN_CI_LEG`` is ``sqlite`` or
    ``postgres`` there (.ci/run), empty elsewhere."""
    return os.environ.get("HUICAN_CI_LEG", "").strip().lower()


def browser_leg(item: pytest.Item) -> str:
    """The CI run that drives a browser test file: a third of the files in the SQLite run, two thirds
    in the PostgreSQL run (which has the ``own_sqlite`` tests less to do), fixed by the file's name."""
    digest = sum(item.path.name.encode())
    return "sqlite" if digest % 3 == 0 else "postgres"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a SQLite run, PostgreSQL-only tests are deselected (the PostgreSQL run covers them).

    In CI's two runs (``HUICAN_CI_LEG``) every test still runs, and at least once: tests that use
    the database under test run on both; ``own_sqlite`` tests (the huican command on a SQLite file of
    its own) only in the SQLite run, where they do exactly what they would do in the other; and each
    browser test file in one of the two runs (``browser_leg``), so the two runs fit the CI's time.
    """
    vendor, leg = database_vendor(), ci_leg()
    keep, drop = [], []
    for item in items:
        if vendor != "postgresql" and item.get_closest_marker("postgres"):
            drop.append(item)
        elif leg == "postgres" and item.get_closest_marker("own_sqlite"):
            drop.append(item)
        elif leg and item.get_closest_marker("browser") and browser_leg(item) != leg:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and ci_mode()):
        return
    if hasattr(report, "wasxfail"):
        return  # an expected failure is not a skip
    kinds = [name for name in ("browser", "postgres") if item.get_closest_marker(name)]
    if not kinds:
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"CI=true: a {'/'.join(kinds)} test may not be skipped ({reason})"


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> None:
    """Each test anchors its audit log in a directory of its own: its database is rolled back after it."""
    settings.HUICAN_AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit")


@pytest.fixture
def tmp_var(tmp_path: Path, settings: Any) -> Path:
    """A fresh var/ directory for this test, wired into the settings that point under var/."""
    var = tmp_path / "var"
    var.mkdir()
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = var / "media"
    settings.STATIC_ROOT = var / "static"
    return var


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))


@pytest.fixture(autouse=True)
def _base_regions_for_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Reload the city and counties (data migration 0002) that a previous flush removed."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from huican.regions.divisions import CITY_CODE, CITY_NAME, COUNTIES
    from huican.regions.models import Region

    if Region.objects.filter(code=CITY_CODE).exists():
        return
    city = Region.objects.create(code=CITY_CODE, name=CITY_NAME, level=Region.Level.CITY, county_code="")
    Region.objects.bulk_create(
        Region(
            code=code,
            name=name,
            level=Region.Level.COUNTY,
            parent=city,
            county_code=code,
            census_population=population,
        )
        for code, name, population in COUNTIES
    )
