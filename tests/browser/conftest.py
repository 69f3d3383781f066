"""Real-browser testing: Playwright driving Debian's Chromium against pytest-django's live server.

Fixtures for browser tests (mark them ``@pytest.mark.browser``):

- ``live_url``: base URL of the live server, without a trailing slash (static files are served; the
  test gets a transactional database, shared with the server thread);
- ``browser_page``: a fresh Playwright sync ``Page`` in a new context of one headless Chromium;
- ``login``: ``login(page, username, password)`` opens the login page, fills ``username`` and
  ``password``, submits, and fails the test with the page's message when the login did not succeed;
- ``assert_accessible``: ``assert_accessible(page)`` runs axe-core with the WCAG 2.0/2.1 A and AA rules
  and fails with a readable list of violations.

Without /usr/bin/chromium the tests are skipped, which fails them under ``CI=true`` (tests/conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would then
# refuse database access from the test. The test itself is synchronous, so this is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("HUICAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 30_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this directory is a browser test, marked or not (so `-m` and CI see it)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install the Debian package chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a dev dependency
        pytest.skip(f"playwright is not installed: {exc}")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def _browser(_playwright: Any) -> Iterator[Any]:
    """One headless Chromium for the whole run; each test gets its own context (see below)."""
    browser = _playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser_page(_browser: Any) -> Generator[Any, None, None]:
    """A Playwright Page in a fresh browser context (its own cookies, storage and cache, like a new
    profile; Chinese locale), closed after the test. Starting a context, not a browser, per test
    saves a Chromium start each time."""
    context = _browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def live_url(live_server: Any) -> str:
    """Base URL of the live server, e.g. ``http://localhost:41234``."""
    return str(live_server.url).rstrip("/")


@pytest.fixture
def login(live_url: str) -> Callable[[Any, str, str], None]:
    """``login(page, username, password)``: log in through the real login form."""
    from django.urls import reverse

    def _login(page: Any, username: str, password: str) -> None:
        login_path = reverse("accounts:login")
        page.goto(live_url + login_path)
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.locator("form:has(input[name=password]) [type=submit]").first.click()
        if page.url.split("?")[0].endswith(login_path):
            errors = page.locator(".errorlist, [role=alert], .error, .messages").all_inner_texts()
            texts = dict.fromkeys(text.strip() for text in errors if text.strip())  # nested matches once
            message = " / ".join(texts) or "(页面未给出原因)"
            pytest.fail(f"login as {username!r} failed: {message}")

    return _login


@pytest.fixture(scope="session")
def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']} "
            f"<{violation.get('helpUrl', '')}>"
        )
        for node in violation.get("nodes", [])[:10]:
            target = ", ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
            lines.append(f"      {node.get('html', '')[:200]}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible(_axe: Any) -> Callable[[Any], None]:
    """``assert_accessible(page)``: no WCAG 2.1 A/AA violation found by axe-core on the page."""

    def _assert_accessible(page: Any) -> None:
        page.wait_for_load_state("load")
        results = _axe.run(
            page,
            options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
        )
        violations = results.response["violations"]
        if violations:
            pytest.fail(
                f"{len(violations)} accessibility violation(s) on {page.url}:\n{format_violations(violations)}",
                pytrace=False,
            )

    return _assert_accessible
