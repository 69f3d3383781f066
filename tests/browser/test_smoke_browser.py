"""The browser harness itself: Chromium opens the login page, which is Chinese and accessible."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_login_page_is_chinese_and_accessible(
    browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    response = browser_page.goto(live_url + reverse("accounts:login"))
    assert response is not None and response.status == 200
    assert browser_page.locator("html").get_attribute("lang") == "zh-CN"
    assert browser_page.locator("input[name=username]").count() == 1
    assert_accessible(browser_page)


def test_static_files_are_served(browser_page: Any, live_url: str, settings: Any, tmp_path: Any) -> None:
    """The live server serves static files, so pages get their stylesheets in browser tests."""
    (tmp_path / "harness-check.css").write_text("main { color: #111; }\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    response = browser_page.goto(f"{live_url}{settings.STATIC_URL}harness-check.css")
    assert response is not None and response.status == 200
    assert "color: #111" in response.text()
