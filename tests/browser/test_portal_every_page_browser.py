"""Every page of the citizen portal, found from its URL map (not from a list kept by hand), for a
signed-in citizen who has a payment, a returned online application, a refused one and a replied
request: axe-core finds no WCAG 2.1 AA violation and nothing scrolls sideways at 320 px, both in the
ordinary layout and in 长辈版 with high contrast. A new portal page is checked the day it is added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from huican.accounts.models import Role
from huican.benefits.models import Application, ApplicationEvent, Roll, RollLine
from huican.portal import preferences
from huican.portal import requests as citizen_requests
from huican.portal.models import CitizenRequest
from huican.portal.sms import ConsoleSender
from huican.portal.urls import urlpatterns
from tests.factories import id_number_of, make_person, make_user

pytestmark = pytest.mark.browser

PHONE = "13922223333"
# Not pages: a file download (PEM, PDF), the sign-out (a GET would end the session being crawled), the
# preference switch (POST only), and the staff pages kept in the portal app (tested with staff).
NOT_PAGES = {"cert_key_pem", "notice", "signout", "preferences"}


@pytest.fixture
def citizen(transactional_db: None) -> dict[str, Any]:
    ConsoleSender.outbox.clear()
    person = make_person(name="冯小兰", phone=PHONE, region_code="140902001001", grade=1)
    township = make_user(Role.TOWNSHIP_STAFF, "140902001", username="t_crawl_town")
    today = timezone.localdate()
    roll = Roll.objects.create(month=today.replace(day=1), region_code="140902", approved_by_name="县残联")
    RollLine.objects.create(
        roll=roll, person=person, benefit="nursing_subsidy", county_code="140902", status="pay",
        amount=Decimal("110.00"), total=Decimal("110.00"), arrears=[], reasons=[],
    )  # fmt: skip
    common = {"county_code": "140902", "township_code": "140902001", "person": person}
    returned = Application.objects.create(
        benefit="living_subsidy", applied_on=today - dt.timedelta(days=9), status=Application.Status.RETURNED,
        source=Application.Source.ONLINE, step_started_on=today - dt.timedelta(days=2), **common,
    )  # fmt: skip
    ApplicationEvent.objects.create(application=returned, action="create", to_status="submitted")
    ApplicationEvent.objects.create(
        application=returned, action="return", from_status="submitted", to_status="returned",
        reason="请补交户口簿照片",
    )  # fmt: skip
    refused = Application.objects.create(
        benefit="nursing_subsidy", applied_on=today - dt.timedelta(days=60), status=Application.Status.REJECTED,
        decided_on=today - dt.timedelta(days=5), reject_reason="不符合条件", **common,
    )  # fmt: skip
    ApplicationEvent.objects.create(
        application=refused, action="reject", to_status="rejected", reason="不符合条件"
    )
    request = citizen_requests.request_create(
        person=person, actor=township, channel=CitizenRequest.Channel.HOTLINE, kind=CitizenRequest.Kind.HELP,
        category=CitizenRequest.Category.REHABILITATION, description="想申请康复训练",
        contact_preference=CitizenRequest.Contact.PHONE, contact_phone=PHONE,
    )  # fmt: skip
    citizen_requests.request_reply(actor=township, request=request, reply="已为您预约康复评估。")
    return {"person": person, "application_id": returned.pk, "request_id": request.pk}


def portal_pages(citizen: dict[str, Any]) -> list[str]:
    """Every GET page of the portal's URL map, its ids filled with the signed-in citizen's own objects."""
    values = {**citizen, "benefit": "nursing_subsidy"}
    pages = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = str(pattern.name)
        if name in NOT_PAGES or name.startswith("staff_"):
            continue
        arguments = {key: values[key] for key in pattern.pattern.converters}
        pages.append(reverse(f"portal:{name}", kwargs=arguments))
    return pages


def sign_in(page: Any, live_url: str, person: Any) -> None:
    number = id_number_of(person)
    page.goto(live_url + reverse("portal:signin"))
    page.fill("input[name=id_number]", number)
    page.fill("input[name=certificate_number]", f"{number}{person.category}{person.grade}")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    message = ConsoleSender.last_to(PHONE)
    assert message is not None
    page.fill("input[name=code]", message.code)
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith(reverse("portal:me"))


def check(page: Any, url: str, assert_accessible: Any) -> bool:
    """Check the page at `url`; False when the address takes only POST (a form's target, not a page)."""
    if page.request.get(url, max_redirects=0).status == 405:
        return False
    response = page.goto(url)
    # 400: a page that says what is missing (the review page before anything was filled in)
    assert response is not None and response.status in (200, 400), f"{url}: {response and response.status}"
    assert page.locator("main h1").count() == 1, url
    assert "/signin/" not in page.url, f"{url} sent the signed-in citizen to sign in"
    assert_accessible(page)
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"{url}: content {width[0]} px wide in a {width[1]} px window"
    return True


def test_every_portal_page_is_accessible_and_fits_320_px(
    citizen: dict[str, Any], browser_page: Any, live_url: str, assert_accessible: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_url, citizen["person"])
    pages = portal_pages(citizen)
    assert len(pages) >= 18  # the map really was walked
    checked = [path for path in pages if check(page, live_url + path, assert_accessible)]
    assert len(checked) >= 15
    page.context.add_cookies([{"name": preferences.COOKIE, "value": "elder,contrast", "url": live_url}])
    for path in checked:
        check(page, live_url + path, assert_accessible)
        assert "elder" in page.evaluate("() => document.body.className"), path
