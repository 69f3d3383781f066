"""A real browser runs an import through the web pages, and every page of the flow (and the
standards, what-if and API-token pages) passes the axe-core WCAG 2.1 AA checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import html
from tests.exchange.helpers import registry_csv
from tests.factories import PASSWORD, make_standard, make_user

pytestmark = pytest.mark.browser


def test_an_import_through_the_web(
    browser_page: Any, live_url: str, login: Any, assert_accessible: Any, tmp_var: Path, tmp_path: Path
) -> None:
    from huican.exchange.models import ImportBatch

    make_user("city_staff", "140900", username="city")
    page = browser_page
    login(page, "city", PASSWORD)

    page.goto(live_url + "/imports/")
    assert page.locator("h1").inner_text() == "数据导入"
    assert_accessible(page)

    page.goto(live_url + "/imports/upload/?kind=registry")
    assert_accessible(page)
    wrong = tmp_path / "名册.txt"
    wrong.write_text("不是表格")
    page.set_input_files("input[type=file]", str(wrong))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()
    assert "请上传 .xlsx 或 .csv 文件" in html(page)
    assert_accessible(page)

    good = tmp_path / "名册.csv"
    good.write_bytes(registry_csv(good=3, bad=2))
    page.select_option("select[name=kind]", "registry")
    page.set_input_files("input[type=file]", str(good))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()
    assert "导入预览" in page.locator("h1").inner_text()
    assert "校验码" in html(page)
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/imports/*/")
    assert "导入结果" in page.locator("h1").inner_text()
    batch = ImportBatch.objects.get()
    assert (batch.accepted, batch.rejected) == (3, 2)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载被拒绝的行（CSV，可用 Excel 打开）").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    assert downloaded.startswith(b"\xef\xbb\xbf") and "行号".encode() in downloaded

    page.goto(live_url + "/imports/history/")
    assert "名册.csv" in html(page)
    assert_accessible(page)


def test_a_refused_file_shows_an_accessible_refusal(
    browser_page: Any, live_url: str, login: Any, assert_accessible: Any, tmp_var: Path, tmp_path: Path
) -> None:
    make_user("city_staff", "140900", username="city")
    page = browser_page
    login(page, "city", PASSWORD)
    page.goto(live_url + "/imports/upload/")
    bad = tmp_path / "名册.csv"
    bad.write_text("姓名,身份证号\n张三,110102199101010078\n", encoding="utf-8")
    page.select_option("select[name=kind]", "registry")
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()
    assert page.get_by_role("alert").inner_text().count("残疾人证号") >= 1
    assert_accessible(page)


def test_standards_what_if_and_token_pages_are_accessible(
    browser_page: Any, live_url: str, login: Any, assert_accessible: Any
) -> None:
    import datetime as dt

    make_user("city_staff", "140900", username="city")
    make_standard("140900", dt.date(2020, 1, 1), nursing_grade1="120")
    page = browser_page
    login(page, "city", PASSWORD)
    page.goto(live_url + "/policy/")
    assert_accessible(page)
    page.goto(live_url + "/policy/standards/new/")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.get_by_role("alert").count() >= 1
    assert_accessible(page)
    page.goto(live_url + "/policy/what-if/?field=living_subsidy&value=100&on=2024-06-01")
    assert "测算结果" in html(page)
    assert_accessible(page)
    page.goto(live_url + "/api/tokens/")
    page.fill("input[name=name]", "对接测试")
    with page.expect_navigation():
        page.get_by_role("button", name="新建令牌").click()
    assert page.locator("#new-token").input_value().startswith("hc_")
    assert_accessible(page)
