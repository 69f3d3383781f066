"""政策计算器: the answer for a hypothetical person is what the staff-side rules decide for a registry
person with the same facts; amounts come from the county's standards in force; nothing is stored;
wrong answers are refused with messages linked to the questions."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone

from huican.core.dates import add_years
from huican.policy.models import DEFAULT_TOPUP_RATE
from huican.policy.rules import DEFINITIONS, explain_person
from huican.portal import preferences, selfcheck_text
from huican.portal.selfcheck import AnswerError, Answers, online_application_url, self_check
from tests.factories import make_list_record, make_person, make_standard, make_survey

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CATEGORY_NAMES = {4: "肢体", 5: "智力", 6: "精神"}

# A urlconf where the portal has an online application page (for the guarded link).
urlpatterns = [
    path("portal/", include(([path("apply/", lambda request: HttpResponse(), name="apply")], "portal"))),
]


def registry_twin(answers: Answers) -> int:
    """A registry person with the facts the answers state (grade and category must be known)."""
    issue = {
        "valid": add_years(TODAY, -1),
        "expired": add_years(TODAY, -11),
    }[answers.certificate]
    assert answers.grade is not None and answers.category is not None
    person = make_person(
        region_code=answers.county + "001001",
        birth=dt.date(TODAY.year - answers.age, 1, 1),
        category=answers.category,
        grade=answers.grade,
        issue_date=issue,
        urban_rural=answers.urban_rural,
    )
    make_survey(
        person,
        year=TODAY.year,
        income=None if answers.income is None else str(answers.income),
        long_term_care=answers.long_term_care,
        renovation_need={"need": True, "no_need": False}.get(answers.renovation),
    )
    start = TODAY - dt.timedelta(days=90)
    if answers.hardship in ("dibao", "tekun"):
        make_list_record(answers.hardship, person, start=start)
    for kind in answers.other_support:
        make_list_record(kind, person, start=start)
    if answers.renovation == "done":
        make_list_record("services", person, start=start, category="无障碍改造", status="完成")
    return person.pk


def standards() -> None:
    make_standard("140900", dt.date(2020, 1, 1), living_subsidy="70.00", nursing_grade1="90.00")
    make_standard(
        "140902",
        dt.date(2022, 1, 1),
        urban_dibao="720.00",
        rural_dibao="560.00",
        living_subsidy="88.00",
        nursing_grade1="110.00",
        nursing_grade2="85.00",
    )


PROFILES = {
    "severe, in dibao, needs care": Answers(
        county="140902",
        urban_rural="农村",
        age=40,
        certificate="valid",
        category=4,
        grade=1,
        hardship="dibao",
        income=Decimal("3000.00"),
        long_term_care=True,
        renovation="need",
    ),
    "grade 3 intellectual child, near-poor, city standards": Answers(
        county="140981",
        urban_rural="城镇",
        age=5,
        certificate="valid",
        category=5,
        grade=3,
        hardship="near_poor",
        income=Decimal("9000.00"),
        long_term_care=False,
        renovation="no_need",
    ),
    "expired certificate, tekun, elderly care": Answers(
        county="140902",
        urban_rural="城镇",
        age=70,
        certificate="expired",
        category=6,
        grade=2,
        hardship="tekun",
        long_term_care=True,
        renovation="need",
        other_support=frozenset({"elderly_care"}),
    ),
    "grade 2, elderly care, work-injury care, renovated": Answers(
        county="140902",
        urban_rural="农村",
        age=58,
        certificate="valid",
        category=4,
        grade=2,
        hardship="none",
        income=Decimal("1000.00"),
        long_term_care=True,
        renovation="done",
        other_support=frozenset({"elderly_care", "injury_care"}),
    ),
    "severe, income and care unknown": Answers(
        county="140902",
        urban_rural="农村",
        age=30,
        certificate="valid",
        category=4,
        grade=1,
        hardship="none",
        income=None,
        long_term_care=None,
        renovation="unsure",
    ),
}


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_answer_is_what_the_staff_rules_decide_for_a_registry_person(profile: str) -> None:
    standards()
    answers = PROFILES[profile]
    staff = {row["benefit"]: row for row in explain_person(registry_twin(answers), TODAY)}
    result = self_check(answers)
    assert [b.code for b in result.benefits] == [b.code for b in DEFINITIONS]
    for benefit in result.benefits:
        row = staff[benefit.code]
        assert benefit.outcome == row["decision"], (profile, benefit.code, row["reasons"])
        if row["decision"] == "eligible" and row["amount"] is not None:
            assert benefit.amount == Decimal(str(row["amount"])).quantize(Decimal("0.01")), benefit.code
        assert sorted(row["flags"]) == (["choose_higher"] if benefit.notes else [])
        if benefit.outcome == "ineligible":
            failed = [r for r in row["reasons"] if r["passed"] is False]
            assert len(benefit.reasons) == len(failed) > 0, benefit.code
        if benefit.outcome == "unknown":
            assert benefit.missing, benefit.code


def test_the_profiles_cover_every_decision_of_every_benefit_somewhere() -> None:
    standards()
    seen = {(b.code, b.outcome) for answers in PROFILES.values() for b in self_check(answers).benefits}
    for benefit in ("living_subsidy", "nursing_subsidy", "dibao_alone", "home_renovation"):
        assert {(benefit, "eligible"), (benefit, "ineligible")} <= seen, benefit


def test_amounts_come_from_the_standards_in_force_in_that_county_today() -> None:
    standards()
    make_standard("140902", TODAY + dt.timedelta(days=30), living_subsidy="99.00")  # not yet in force
    answers = PROFILES["severe, in dibao, needs care"]
    result = self_check(answers)
    amounts = {b.code: b.amount for b in result.benefits}
    assert amounts["living_subsidy"] == Decimal("88.00")
    assert amounts["nursing_subsidy"] == Decimal("110.00")
    # the default top-up rate × the county's rural 低保 standard
    assert amounts["dibao_topup"] == (Decimal("560.00") * DEFAULT_TOPUP_RATE).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert (result.standards_from, result.standards_since) == ("忻府区", dt.date(2022, 1, 1))

    elsewhere = self_check(Answers(**{**answers.__dict__, "county": "140921", "grade": 2}))
    assert {b.code: b.amount for b in elsewhere.benefits}["nursing_subsidy"] == Decimal("80.00")
    assert elsewhere.standards_from == "全市"


def test_without_standards_the_amount_is_left_to_the_county() -> None:
    result = self_check(PROFILES["severe, in dibao, needs care"])
    nursing = next(b for b in result.benefits if b.code == "nursing_subsidy")
    assert nursing.amount is None and nursing.has_amount and result.standards_from is None


def test_not_knowing_about_dibao_makes_the_dibao_benefits_not_sure() -> None:
    standards()
    answers = Answers(**{**PROFILES["severe, in dibao, needs care"].__dict__, "hardship": "unsure"})
    outcomes = {b.code: b for b in self_check(answers).benefits}
    assert outcomes["dibao_topup"].outcome == "unknown"
    assert any("低保" in item for item in outcomes["dibao_topup"].missing)
    assert outcomes["living_subsidy"].outcome == "unknown"
    assert outcomes["medical_premium_aid"].outcome == "eligible"  # does not depend on it


def test_without_a_certificate_nothing_is_sure_and_the_page_says_how_to_get_one() -> None:
    standards()
    answers = Answers(
        county="140902", urban_rural="农村", age=40, certificate="none", grade=1, hardship="dibao"
    )
    result = self_check(answers)
    assert {b.outcome for b in result.benefits} <= {"unknown", "ineligible"}
    nursing = next(b for b in result.benefits if b.code == "medical_premium_aid")
    assert nursing.outcome == "unknown"
    assert any("残疾人证" in item and "忻府区残联" in item for item in nursing.missing)


def test_the_reasons_are_plain_sentences_about_the_person() -> None:
    standards()
    result = self_check(PROFILES["severe, in dibao, needs care"])
    nursing = next(b for b in result.benefits if b.code == "nursing_subsidy")
    assert "您是一级肢体残疾，符合护理补贴对残疾等级的要求。" in nursing.reasons
    assert nursing.guidance.documents and "乡镇" in nursing.guidance.where
    child = next(b for b in result.benefits if b.code == "child_rehab")
    assert child.reasons == ("这项给 6 岁以内的残疾儿童；您今年 40 岁。",)


def test_every_clause_of_the_rules_has_plain_words() -> None:
    codes = {clause.code for benefit in DEFINITIONS for clause in benefit.clauses}
    assert codes <= set(selfcheck_text.FAILED)
    assert codes <= set(selfcheck_text.MISSING)
    assert {benefit.code for benefit in DEFINITIONS} <= set(selfcheck_text.GUIDANCE)


def test_answers_out_of_range_are_refused() -> None:
    with pytest.raises(AnswerError) as error:
        self_check(Answers(county="110101", urban_rural="x", age=130, certificate="?", grade=5))
    assert set(error.value.errors) == {"county", "urban_rural", "age", "certificate", "grade"}


def test_the_online_application_is_linked_only_when_the_portal_has_it() -> None:
    assert online_application_url("living_subsidy") is None or "portal" in str(
        online_application_url("living_subsidy")
    )
    with override_settings(ROOT_URLCONF=__name__):
        assert online_application_url("nursing_subsidy") == "/portal/apply/?benefit=nursing_subsidy"


# ---- the page -------------------------------------------------------------------------------------

VALID_POST = {
    "county": "140902",
    "urban_rural": "农村",
    "age": "40",
    "certificate": "valid",
    "category": "4",
    "grade": "1",
    "hardship": "dibao",
    "income": "3000",
    "long_term_care": "yes",
    "renovation": "need",
}


def _writes(queries: list[dict[str, Any]]) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


def test_the_form_needs_no_login_and_asks_plainly(client) -> None:
    response = client.get(reverse("portal:selfcheck"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post"' in page and "<script" not in page
    assert "没有时间限制" in page and "不会被保存" in page
    assert '<label for="id_age">' in page and "<legend>残疾等级</legend>" in page
    assert 'aria-describedby="hint-age"' in page
    assert (
        'aria-current="page"' in page and "政策计算器" in client.get(reverse("portal:home")).content.decode()
    )


def test_the_result_page_reads_easy_first_and_stores_nothing(caplog) -> None:
    standards()
    client = Client(enforce_csrf_checks=True)  # no token, no cookie: works with cookies blocked
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("portal:selfcheck"), {**VALID_POST, "income": "3456.78"})
    assert response.status_code == 200
    assert _writes(queries.captured_queries) == []
    page = response.content.decode()
    easy = page.index("简单说")
    assert easy < page.index("重度残疾人护理补贴</h3>")
    assert "您可能可以申请 6 项补贴" in page
    assert "每月 110.00 元" in page and "每月 88.00 元" in page
    assert "到户口所在地的乡镇人民政府（街道办事处）申请" in page
    online = online_application_url("nursing_subsidy")  # the portal's 网上申请 exists
    assert online and f'<a href="{online}">在网上申请重度残疾人护理补贴</a>' in page
    assert "在网上申请单独申请低保" not in page  # only the two subsidies are applied for online
    assert "no-store" in response["Cache-Control"]
    assert settings.SESSION_COOKIE_NAME not in client.cookies and not Session.objects.exists()
    assert not any("3456" in record.getMessage() for record in caplog.records)
    assert '<input type="hidden" name="income" value="3456.78">' in page  # only to change the answers


def test_changing_the_answers_fills_the_form_again(client) -> None:
    response = client.post(
        reverse("portal:selfcheck"), {**VALID_POST, "edit": "1", "other_support": ["orphan"]}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="40"' in page and '<option value="140902" selected>' in page
    assert 'value="orphan" id="id_other_support_1" checked' in page or (
        'id="id_other_support_1"' in page and 'value="orphan"' in page and "checked" in page
    )
    assert "简单说" not in page


def test_wrong_answers_are_refused_with_a_summary_linked_to_the_questions(client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post(
        reverse("portal:selfcheck"),
        {**VALID_POST, "county": "", "age": "两百", "income": "很多", "grade": "9"},
    )
    assert response.status_code == 400
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/portal/self-check/" in logged and "两百" not in logged and "很多" not in logged
    page = response.content.decode()
    assert 'role="alert"' in page and "有 4 个问题需要改一下" in page
    assert '<a href="#id_county">请选择户口所在的县（市、区）</a>' in page
    assert (
        '<a href="#id_age">' in page and '<a href="#id_income">' in page and '<a href="#id_grade_0">' in page
    )
    assert 'aria-describedby="hint-age error-age" aria-invalid="true"' in page
    assert 'id="error-grade"' in page and 'aria-describedby="hint-grade error-grade"' in page
    assert "简单说" not in page


@pytest.mark.parametrize(
    ("field", "value"),
    [("age", "121"), ("age", "-1"), ("income", "-5"), ("income", "1.234"), ("county", "110101")],
)
def test_each_out_of_range_answer_is_named(client, field: str, value: str) -> None:
    response = client.post(reverse("portal:selfcheck"), {**VALID_POST, field: value})
    assert response.status_code == 400
    assert f'id="error-{field}"' in response.content.decode()


def test_full_width_digits_and_units_are_understood(client) -> None:
    standards()
    response = client.post(reverse("portal:selfcheck"), {**VALID_POST, "age": "４０岁", "income": "3,000元"})
    assert response.status_code == 200


def test_switching_to_elder_mode_on_the_result_page_keeps_the_result(client) -> None:
    standards()
    page = client.post(reverse("portal:selfcheck"), VALID_POST).content.decode()
    assert 'action="/portal/self-check/" class="portal-prefs"' in page  # the switch posts the answers back
    response = client.post(reverse("portal:selfcheck"), {**VALID_POST, "toggle": "elder", "next": "/x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="portal elder"' in page and "简单说" in page and "每月 110.00 元" in page
    assert response.cookies[preferences.COOKIE].value == "elder"
    assert 'class="portal elder"' in client.get(reverse("portal:home")).content.decode()


def test_the_form_page_switches_through_the_ordinary_preferences_form(client) -> None:
    page = client.get(reverse("portal:selfcheck")).content.decode()
    assert f'action="{reverse("portal:preferences")}" class="portal-prefs"' in page


def test_without_standards_the_page_says_the_county_decides_the_amount(client) -> None:
    page = client.post(reverse("portal:selfcheck"), VALID_POST).content.decode()
    assert "本系统还没有忻府区的补贴标准，金额以当地标准为准" in page
    assert "每月金额：以当地标准为准" in page and "每月 110.00 元" not in page
