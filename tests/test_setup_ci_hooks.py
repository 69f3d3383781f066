"""The suite's own rules: under CI=true a skipped browser/PostgreSQL test fails; tests hash fast."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT_CONFTEST = Path(__file__).parent / "conftest.py"

INNER_TESTS = """
import pytest

@pytest.mark.browser
def test_browser_skipped():
    pytest.skip("no chromium here")

@pytest.mark.browser
def test_browser_runs():
    pass

@pytest.mark.browser
@pytest.mark.xfail(reason="known")
def test_browser_xfail():
    assert False

def test_plain_skip():
    pytest.skip("plain skips stay skips")

@pytest.mark.postgres
def test_needs_postgres():
    from django.db import connection
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
"""


def _run_inner(pytester: Any, monkeypatch: pytest.MonkeyPatch, *, ci: str, leg: str = "") -> Any:
    shutil.copy(ROOT_CONFTEST, pytester.path / "conftest.py")
    pytester.makepyfile(test_inner=INNER_TESTS)
    pytester.makeini("[pytest]\nmarkers =\n    browser: b\n    postgres: p\n    own_sqlite: o\n")
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("HUICAN_CI_LEG", leg)  # the outer run's leg (CI) must not share out the inner tests
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "huican.settings")
    # without the heavy plugins the inner run does not need, to keep it fast
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:xdist", "-rA"
    )


def test_under_ci_a_skipped_browser_test_fails(pytester: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run_inner(pytester, monkeypatch, ci="true")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1, result.stdout.str()
    assert outcomes.get("xfailed") == 1
    assert outcomes.get("skipped") == 1  # the unmarked one
    result.stdout.fnmatch_lines(["*CI=true: a browser test may not be skipped (*no chromium here)*"])
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert outcomes.get("passed") == 2  # the PostgreSQL test ran
        assert outcomes.get("deselected") is None
    else:  # a SQLite run leaves PostgreSQL-only tests to the PostgreSQL run
        assert outcomes.get("passed") == 1
        assert outcomes.get("deselected") == 1
    assert result.ret == 1


def test_without_ci_skips_are_skips(pytester: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run_inner(pytester, monkeypatch, ci="")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") is None, result.stdout.str()
    assert outcomes.get("skipped") == 2
    assert result.ret == 0


@pytest.mark.django_db
def test_tests_use_a_fast_hasher_and_synchronous_tasks(django_user_model: Any) -> None:
    from django.conf import settings

    user = django_user_model.objects.create_user("fast", password="x")
    assert user.password.startswith("md5$")
    assert settings.HUICAN_TASKS_SYNC is True


def test_tmp_var_points_var_paths_at_a_private_directory(tmp_var: Path) -> None:
    from django.conf import settings

    assert settings.VAR_DIR == tmp_var
    assert settings.MEDIA_ROOT == tmp_var / "media"
    assert settings.STATIC_ROOT == tmp_var / "static"
    assert tmp_var.is_dir()


def test_the_two_ci_legs_share_the_browser_tests_and_each_runs_once(
    pytester: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HUICAN_CI_LEG: a browser test file runs in exactly one of CI's two runs (tests/conftest.py)."""
    selected = []
    for leg in ("sqlite", "postgres"):
        outcomes = _run_inner(pytester, monkeypatch, ci="false", leg=leg).parseoutcomes()
        selected.append(sum(outcomes.get(key, 0) for key in ("passed", "skipped", "xfailed", "failed")))
    everything = sum(
        _run_inner(pytester, monkeypatch, ci="false").parseoutcomes().get(key, 0)
        for key in ("passed", "skipped", "xfailed", "failed")
    )
    browser_tests = 3  # INNER_TESTS: the file's three browser tests go to one leg together
    assert sorted(selected) == [everything - browser_tests, everything]
