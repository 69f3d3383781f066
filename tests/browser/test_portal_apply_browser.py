"""网上申请 in a real browser, with the keyboard only (files are handed to the file inputs with
``set_input_files``, as a phone's camera or file picker would): from 我的 to the choice of subsidy,
the form (its errors announced and linked, a disguised file refused), the review with the
declaration, the confirmation with the application number; then withdrawing, and supplying what a
退回补正 asked for. axe-core finds no WCAG 2.1 AA violation on any page of the path, and nothing
scrolls sideways at 375 px or at 200% zoom (640 CSS px)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huican.benefits.models import Application
from huican.benefits.services import application_return
from huican.portal.sms import ConsoleSender
from tests.browser.helpers import check, citizen_sign_in, tab_to
from tests.factories import make_person, make_user

pytestmark = pytest.mark.browser

PHONE = "13911113333"
JPEG = b"\xff\xd8\xff\xe0" + b"photo of an ID card" * 20 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"photo of a certificate" * 20
EXE = b"MZ\x90\x00" + b"\x00" * 300


@pytest.fixture
def person(transactional_db: None, tmp_var: Any) -> Any:
    ConsoleSender.outbox.clear()
    return make_person(name="孙小兰", phone=PHONE, region_code="140902001001", grade=1)


def files(*items: tuple[str, str, bytes]) -> list[dict[str, Any]]:
    return [{"name": name, "mimeType": kind, "buffer": data} for name, kind, data in items]


@pytest.mark.parametrize("width", [375, 640], ids=["375px", "200%-zoom"])
def test_keyboard_only_apply_with_documents_then_withdraw(
    person: Any, browser_page: Any, live_url: str, assert_accessible: Any, width: int
) -> None:
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_url + reverse("portal:apply"))  # readable before signing in
    expect(page.locator("h1")).to_have_text("网上申请补贴")
    expect(page.get_by_role("link", name="登录后申请重度残疾人护理补贴")).to_be_visible()
    check(page, assert_accessible)

    citizen_sign_in(page, live_url, person, PHONE)
    check(page, assert_accessible)
    tab_to(page, "a#在网上申请补贴")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("网上申请补贴")
    check(page, assert_accessible)
    tab_to(page, "a#申请重度残疾人护理补贴")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("申请重度残疾人护理补贴")
    expect(page.get_by_text("分钟没有操作会自动退出").first).to_be_visible()
    check(page, assert_accessible)

    # nothing given: the problems are announced, listed and linked to their fields
    tab_to(page, "button#下一步：核对")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("请填写银行卡号或存折账号")
    expect(alert).to_contain_text("请上传身份证照片")
    expect(page.get_by_label("银行卡号或存折账号")).to_have_attribute("aria-invalid", "true")
    check(page, assert_accessible)

    # a program renamed .jpg is refused by its bytes; the real photo is kept
    page.set_input_files("#id_doc_identity", files(("身份证.jpg", "image/jpeg", JPEG)))
    page.set_input_files("#id_doc_certificate", files(("残疾人证.jpg", "image/jpeg", EXE)))
    tab_to(page, "input#id_account_number")
    page.keyboard.type("6217 0000 1234 5678 901")
    tab_to(page, "button#下一步：核对")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("残疾人证.jpg：只能上传 PDF、JPG 或 PNG 格式")
    expect(page.get_by_text("身份证明：身份证.jpg")).to_be_visible()
    check(page, assert_accessible)

    page.set_input_files("#id_doc_certificate", files(("残疾人证.png", "image/png", PNG)))
    tab_to(page, "button#下一步：核对")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("核对后提交")
    expect(page.get_by_text("****8901（为保护您的信息，只显示最后 4 位）")).to_be_visible()
    assert "6217000012345678901" not in page.content()
    check(page, assert_accessible)

    tab_to(page, "button#提交申请")  # without the declaration: refused, explained
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("承诺")
    check(page, assert_accessible)
    tab_to(page, "input#id_declaration")
    page.keyboard.press("Space")
    tab_to(page, "button#提交申请")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("申请已提交")
    application = Application.objects.get(person=person)
    expect(page.get_by_role("status")).to_contain_text(f"申请编号是 {application.pk}")
    expect(page.get_by_text("个工作日，节假日不算")).to_be_visible()
    assert application.source == Application.Source.ONLINE and application.status == "submitted"
    assert application.documents.count() == 2
    check(page, assert_accessible)

    tab_to(page, "a#到“我的”看办理进度")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("我的")
    tab_to(page, "a#撤回这个申请（重度残疾人护理补贴）")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("撤回申请")
    check(page, assert_accessible)
    tab_to(page, "textarea#id_reason")
    page.keyboard.type("信息填错了")
    tab_to(page, "button#确认撤回")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("已经撤回")
    check(page, assert_accessible)
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_supply_what_a_return_asked_for_keyboard_only(
    person: Any, browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    citizen_sign_in(page, live_url, person, PHONE)
    page.goto(live_url + reverse("portal:apply_form", args=["living_subsidy"]))
    page.get_by_label("银行卡号或存折账号").fill("6217000012345678")
    page.set_input_files("#id_doc_identity", files(("sfz.jpg", "image/jpeg", JPEG)))
    page.set_input_files("#id_doc_certificate", files(("cjrz.png", "image/png", PNG)))
    page.get_by_role("button", name="下一步：核对").click()
    page.get_by_label("我承诺所填信息和上传的材料真实").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    application = Application.objects.get(person=person)
    township = make_user("township_staff", "140902001")
    application_return(actor=township, application=application, reason="请补交低保证照片")

    page.goto(live_url + reverse("portal:me"))
    tab_to(page, "a#在网上补正材料（困难残疾人生活补贴申请）")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("补正材料")
    expect(page.get_by_role("region", name="工作人员说需要补正的内容")).to_contain_text("请补交低保证照片")
    check(page, assert_accessible)
    page.set_input_files("#id_doc_hardship", files(("低保证.jpg", "image/jpeg", JPEG)))
    tab_to(page, "textarea#id_note")
    page.keyboard.type("已补交低保证")
    tab_to(page, "button#提交补正")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("回到原来的环节接着办理")
    check(page, assert_accessible)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.documents.filter(kind="hardship").count() == 1


def test_open_application_page_and_elder_mode_at_320px(
    person: Any, browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 700})
    citizen_sign_in(page, live_url, person, PHONE)
    page.get_by_role("button", name="长辈版（大字）").click()
    page.goto(live_url + reverse("portal:apply_form", args=["nursing_subsidy"]))
    expect(page.locator("h1")).to_have_text("申请重度残疾人护理补贴")
    check(page, assert_accessible)
    page.get_by_label("银行卡号或存折账号").fill("6217000012345678")
    page.set_input_files("#id_doc_identity", files(("sfz.jpg", "image/jpeg", JPEG)))
    page.set_input_files("#id_doc_certificate", files(("cjrz.png", "image/png", PNG)))
    page.get_by_role("button", name="保存并延长时间").click()
    expect(page.get_by_role("status")).to_contain_text("已保存。时间已延长到")
    check(page, assert_accessible)
    page.get_by_role("button", name="下一步：核对").click()
    expect(page.locator("h1")).to_have_text("核对后提交")
    check(page, assert_accessible)
    page.get_by_label("我承诺所填信息和上传的材料真实").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    check(page, assert_accessible)
    page.goto(live_url + reverse("portal:apply_form", args=["nursing_subsidy"]))
    expect(page.locator("h1")).to_have_text("已有在办的申请")
    check(page, assert_accessible)
