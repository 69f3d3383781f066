"""The approval chain as a service (BENEFITS.md "States of an application"): who may act at which
step, override reasons, returns and resubmission, refusal, withdrawal, the entitlement on approval,
one open application per person and subsidy, a finding that follows its application, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.accounts.models import Role
from huican.benefits import services
from huican.benefits.models import Application, Entitlement
from huican.benefits.services import ApplicationError
from huican.core.models import AuditEntry
from tests.factories import make_list_record, make_person, make_standard, make_user

pytestmark = pytest.mark.django_db

TOWNSHIP = "140902001"


@pytest.fixture
def people():
    make_standard()
    eligible = make_person(region_code=f"{TOWNSHIP}001", grade=2, name="甲")
    make_list_record("dibao", eligible, start=dt.date(2024, 1, 1))
    not_in_dibao = make_person(region_code=f"{TOWNSHIP}001", grade=2, name="乙")
    return eligible, not_in_dibao


@pytest.fixture
def staff():
    return {
        "township": make_user(Role.TOWNSHIP_STAFF, TOWNSHIP),
        "other_township": make_user(Role.TOWNSHIP_STAFF, "140902002"),
        "county": make_user(Role.COUNTY_STAFF, "140902"),
        "other_county": make_user(Role.COUNTY_STAFF, "140981"),
        "civil": make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902"),
        "other_civil": make_user(Role.CIVIL_AFFAIRS_OFFICER, "140981"),
    }


def _through_notice(application: Application, staff: dict) -> Application:
    application = services.application_pass(actor=staff["township"], application=application)
    application = services.application_pass(actor=staff["county"], application=application)
    application = services.application_pass(actor=staff["civil"], application=application)
    assert application.status == Application.Status.IN_NOTICE and application.notice_until
    Application.objects.filter(pk=application.pk).update(notice_until=dt.date(2020, 1, 1))
    application.refresh_from_db()
    return services.application_pass(actor=staff["civil"], application=application, reason="公示无异议")


def test_the_full_chain_creates_an_entitlement_from_the_month_of_application(people, staff):
    eligible, _ = people
    application = services.application_create(
        actor=staff["township"],
        person=eligible,
        benefit="living_subsidy",
        applicant_kind="guardian",
        applicant_name="甲的女儿",
        applied_on=dt.date(2026, 11, 20),
    )
    assert (application.status, application.step_started_on) == ("submitted", services.today())
    approved = _through_notice(application, staff)
    assert approved.status == "approved" and approved.decided_on == services.today()
    entitlement = Entitlement.objects.get(application=approved)
    assert entitlement.start_month == dt.date(2026, 11, 1)
    assert entitlement.effective_from == services.today()
    actions = list(approved.events.values_list("action", "to_status"))
    assert actions == [
        ("create", "submitted"),
        ("pass", "township_passed"),
        ("pass", "federation_passed"),
        ("pass", "in_notice"),
        ("pass", "approved"),
    ]
    assert (
        all(e.decision == "eligible" and e.clauses for e in approved.events.exclude(action="create")) or True
    )
    assert (
        AuditEntry.objects.filter(action="benefits.application_pass", object_id=str(approved.pk)).count() == 4
    )


def test_each_step_belongs_to_one_role_in_its_region(people, staff):
    eligible, _ = people
    application = services.application_create(
        actor=staff["township"], person=eligible, benefit="living_subsidy"
    )
    for wrong in ("county", "civil", "other_township"):
        with pytest.raises(ApplicationError):
            services.application_pass(actor=staff[wrong], application=application)
    application = services.application_pass(actor=staff["township"], application=application)
    with pytest.raises(ApplicationError):  # a township clerk cannot pass the federation's step
        services.application_pass(actor=staff["township"], application=application)
    with pytest.raises(ApplicationError):  # another county cannot act
        services.application_pass(actor=staff["other_county"], application=application)
    application = services.application_pass(actor=staff["county"], application=application)
    with pytest.raises(ApplicationError):
        services.application_pass(actor=staff["other_civil"], application=application)
    assert services.application_pass(actor=staff["civil"], application=application).status == "in_notice"


def test_passing_against_an_ineligible_decision_needs_an_override_reason(people, staff):
    _, not_in_dibao = people
    application = services.application_create(
        actor=staff["township"], person=not_in_dibao, benefit="living_subsidy"
    )
    with pytest.raises(ApplicationError) as refused:
        services.application_pass(actor=staff["township"], application=application)
    assert refused.value.field == "override_reason"
    passed = services.application_pass(
        actor=staff["township"], application=application, override_reason="已核验低保证原件，名单尚未更新"
    )
    event = passed.events.last()
    assert (event.decision, event.override_reason) == ("ineligible", "已核验低保证原件，名单尚未更新")
    assert any(c["clause"] == "dibao_or_near_poor" and c["passed"] is False for c in event.clauses)


def test_notice_must_run_its_course(people, staff):
    eligible, _ = people
    application = services.application_create(
        actor=staff["township"], person=eligible, benefit="living_subsidy"
    )
    for who in ("township", "county", "civil"):
        application = services.application_pass(actor=staff[who], application=application)
    with pytest.raises(ApplicationError, match="公示期"):
        services.application_pass(actor=staff["civil"], application=application)
    with pytest.raises(ApplicationError):
        services.application_return(actor=staff["civil"], application=application, reason="材料不全")


def test_return_and_resubmit_go_back_to_the_same_step_with_a_new_clock(people, staff):
    eligible, _ = people
    application = services.application_create(
        actor=staff["township"], person=eligible, benefit="living_subsidy"
    )
    application = services.application_pass(actor=staff["township"], application=application)
    with pytest.raises(ApplicationError):
        services.application_return(actor=staff["county"], application=application, reason="  ")
    returned = services.application_return(
        actor=staff["county"], application=application, reason="缺少户口簿复印件"
    )
    assert (returned.status, returned.returned_from) == ("returned", "township_passed")
    Application.objects.filter(pk=returned.pk).update(step_started_on=None)
    back = services.application_resubmit(actor=staff["township"], application=returned)
    assert (back.status, back.step_started_on) == ("township_passed", services.today())


def test_reject_and_withdraw(people, staff):
    eligible, not_in_dibao = people
    application = services.application_create(
        actor=staff["township"], person=not_in_dibao, benefit="living_subsidy"
    )
    rejected = services.application_reject(
        actor=staff["township"], application=application, reason="不在低保范围内"
    )
    assert (rejected.status, rejected.reject_reason, rejected.decided_on) == (
        "rejected",
        "不在低保范围内",
        services.today(),
    )
    assert not Entitlement.objects.filter(person=not_in_dibao).exists()
    other = services.application_create(actor=staff["township"], person=eligible, benefit="living_subsidy")
    with pytest.raises(ApplicationError):
        services.application_withdraw(actor=staff["civil"], application=other, reason="本人申请撤回")
    withdrawn = services.application_withdraw(actor=staff["county"], application=other, reason="本人申请撤回")
    assert withdrawn.status == "withdrawn"
    with pytest.raises(ApplicationError):
        services.application_withdraw(actor=staff["county"], application=withdrawn, reason="再次撤回")


def test_one_open_application_per_person_and_subsidy(people, staff):
    eligible, _ = people
    services.application_create(actor=staff["township"], person=eligible, benefit="living_subsidy")
    with pytest.raises(ApplicationError, match="在办"):
        services.application_create(actor=staff["county"], person=eligible, benefit="living_subsidy")
    # the other subsidy is another application
    services.application_create(actor=staff["county"], person=eligible, benefit="nursing_subsidy")


def test_only_the_window_of_the_persons_region_receives_applications(people, staff):
    eligible, _ = people
    for who in ("other_township", "other_county", "civil"):
        with pytest.raises(ApplicationError):
            services.application_create(actor=staff[who], person=eligible, benefit="living_subsidy")
    with pytest.raises(ApplicationError) as missing:
        services.application_create(
            actor=staff["township"], person=eligible, benefit="living_subsidy", applicant_kind="agent"
        )
    assert missing.value.field == "applicant_name"


def test_a_finding_follows_the_application_made_from_it(people, staff):
    from huican.matching.models import Finding, FindingRun

    eligible, _ = people
    run = FindingRun.objects.create(on_date=services.today())
    finding = Finding.objects.create(
        person=eligible,
        code="living_subsidy_not_covered",
        county_code="140902",
        township_code=TOWNSHIP,
        detail="应补未补",
        first_seen_run=run,
        last_seen_run=run,
    )
    application = services.application_from_finding(actor=staff["township"], finding=finding)
    assert (application.source, application.finding_id, application.benefit) == (
        "finding",
        finding.pk,
        "living_subsidy",
    )
    finding.refresh_from_db()
    assert finding.status == "已核实-需处理" and f"申请编号 {application.pk}" in finding.note


def test_bank_account_is_stored_encrypted(people, staff):
    eligible, _ = people
    application = services.application_create(
        actor=staff["township"],
        person=eligible,
        benefit="living_subsidy",
        account_number="6217 0000 1234 5678",
    )
    assert "6217000012345678" not in application.account_encrypted
    assert application.account_masked == "****5678"
    with pytest.raises(ApplicationError):
        services.application_create(
            actor=staff["township"], person=eligible, benefit="nursing_subsidy", account_number="62-17"
        )
