"""Chinese everywhere: no English code (``certificate_expired``, ``registry.reveal``'s kind of
snake_case) and no Python dict on the main pages, for every role, in a small world with findings,
list imports, a full export and a reveal behind it (so the audit log has something to show)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from huican.accounts.models import User
from huican.exchange.models import ImportBatch
from huican.matching import services
from huican.matching.models import Finding
from huican.matching.services import findings_run
from tests.factories import World, id_number_of, make_list_record, make_standard
from tests.matching.yearly_lists import send_yearly_lists

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_var")]

D = dt.date(2025, 6, 30)
ROLES = ["city", "county", "township", "department", "evaluator", "system", "security", "audit"]
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
DICT = re.compile(r"\{['\"]")
HALF_WIDTH_COLON = re.compile(r"[\u4e00-\u9fff）]:(?!\d)")  # Chinese text takes ：
OTHER_DATE = re.compile(r"\b\d{4}[/.]\d{1,2}[/.]\d{1,2}\b|\b\d{4}-\d\b|\b\d{4}-\d{2}-\d\b")  # not YYYY-MM-DD
PAGES = (
    "/",
    "/search/?q=测试",
    "/persons/{alice}/",
    "/findings/",
    "/findings/{finding}/",
    "/findings/runs/",
    "/findings/runs/{run}/",
    "/findings/deadlines/",
    "/imports/",
    "/imports/history/",
    "/imports/{batch}/",
    "/policy/",
    "/monitoring/",
    "/monitoring/tasks/",
    "/audit/",
    "/benefits/",
    "/benefits/entitlements/",
    "/benefits/entitlements/person/{alice}/",
    "/benefits/rolls/",
    "/benefits/overview/",
    "/benefits/recheck/",
    "/benefits/calendar/",
    "/care/",
    "/care/persons/{alice}/",
    "/inbox/",
)


class VisibleText(HTMLParser):
    """The text a reader sees: tags and their attributes dropped, script and style skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def crawled_world(world: World, client: Client) -> dict[str, Any]:
    make_standard()
    send_yearly_lists()
    make_list_record("dibao", id_number_of(world.alice), year=2025)
    with mock.patch.object(services, "today", return_value=D):
        run = findings_run(on=D, actor=world.users["city"])
    finding = Finding.objects.filter(person=world.alice).first()
    assert finding is not None
    # Something in the audit log for every kind of detail: a reveal, a full export, a list.
    city = world.users["city"]
    client.force_login(city)
    assert (
        client.post(f"/persons/{world.alice.pk}/reveal/", {"reason": "核对低保申请材料"}).status_code == 200
    )
    assert (
        client.post("/findings/export/full/?status=open", {"reason": "送民政局逐户核对"}).status_code == 302
    )
    assert client.get("/findings/?code=" + finding.code).status_code == 200
    client.logout()
    return {
        "alice": world.alice.pk,
        "finding": finding.pk,
        "run": run.pk,
        "batch": ImportBatch.objects.filter(kind="dibao").values_list("pk", flat=True).first(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_no_english_codes_and_no_dicts(
    world: World, client: Client, crawled_world: dict[str, Any], role: str
) -> None:
    # Usernames (t_city …) are what people typed, not codes: they are left out of the check.
    usernames = sorted(User.objects.values_list("username", flat=True), key=len, reverse=True)
    client.force_login(world.users[role])
    problems: dict[str, str] = {}
    seen = 0
    for page in PAGES:
        path = page.format(**crawled_world)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        text = visible_text(response.content.decode())
        for username in usernames:
            text = text.replace(username, "")
        for pattern in (CODE, DICT, HALF_WIDTH_COLON, OTHER_DATE):
            for match in pattern.finditer(text):
                around = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
                problems.setdefault(f"{path}: {match.group(0)!r}", f"…{around}…")
    assert seen >= 1
    assert not problems, "\n".join(f"{where} in {around}" for where, around in problems.items())


def test_the_check_finds_codes_dicts_colons_and_dates() -> None:
    text = visible_text(
        '<p class="snake_case">certificate_expired</p><script>a_b = {"x": 1}</script><p>{\'a\': 1}</p>'
        "<p>类型: 低保 2025/6/30 10:30</p><p>时间：2025-06-30 10:30</p>"
    )
    assert CODE.findall(text) == ["certificate_expired"]
    assert DICT.search(text)
    assert HALF_WIDTH_COLON.findall(text) == ["型:"]
    assert OTHER_DATE.findall(text) == ["2025/6/30"]


def test_the_audit_log_names_actions_and_details_in_chinese(
    world: World, client: Client, crawled_world: dict[str, Any]
) -> None:
    client.force_login(world.users["audit"])
    html = client.get("/audit/").content.decode()
    text = visible_text(html)
    assert "查看完整身份证号" in text and "导出比对发现" in text and "查看比对发现清单" in text
    assert "完整身份证号：是" in text and "筛选条件：状态：未办结" in text and "途径：网页" in text
    assert "registry.reveal" not in text and "export.findings" not in text
    assert '<option value="registry.reveal">查看完整身份证号</option>' in html  # the filter's choices
