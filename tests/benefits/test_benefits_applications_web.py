"""The applications pages (BENEFITS.md "States of an application"): the work list, a new application at
the window, the chain's actions with their permissions, override reasons, one open application per
person and subsidy, 代为申请 from a finding, documents, the 不予批准通知书 and the 公示名单."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from huican.accounts.models import Role
from huican.benefits.models import Application, ApplicationDocument, Entitlement
from huican.benefits.services import (
    application_create,
    application_pass,
    documents_root,
    today,
)
from huican.core.crypto import decrypt
from huican.core.filecrypt import is_encrypted
from huican.core.models import AuditEntry
from huican.matching.models import Finding, FindingRun
from tests.factories import World, id_number_of, make_list_record, make_standard, make_user
from tests.tagged_pdfs import read_tagged

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Chain(World):
    """World, plus the county's civil-affairs officer, another county's staff and officer, the
    standards and alice on the dibao list (eligible for the living subsidy today); bob is not."""

    def __init__(self) -> None:
        super().__init__()
        self.users["civil"] = make_user(Role.CIVIL_AFFAIRS_OFFICER, "140902", username="t_civil")
        self.users["other_county"] = make_user(Role.COUNTY_STAFF, "140981", username="t_yuanping")
        self.users["other_civil"] = make_user(Role.CIVIL_AFFAIRS_OFFICER, "140981", username="t_yp_civil")
        make_standard()
        make_list_record("dibao", self.alice, start=dt.date(2024, 1, 1))

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(self.users[who])
        return client

    def application(self, person: Any = None, *, benefit: str = "living_subsidy") -> Application:
        """Received at the person's township window (the county federation's for carol's township)."""
        person = person or self.alice
        window = self.users["township" if person.township_code == "140902001" else "county"]
        return application_create(actor=window, person=person, benefit=benefit)

    def at(self, status: str, person: Any = None) -> Application:
        """An application of alice (or `person`) moved along the chain to `status`."""
        application = self.application(person)
        steps = {
            Application.Status.TOWNSHIP_PASSED: ["township"],
            Application.Status.FEDERATION_PASSED: ["township", "county"],
            Application.Status.IN_NOTICE: ["township", "county", "civil"],
        }[status]
        for who in steps:
            application = application_pass(
                actor=self.users[who], application=application, override_reason="材料齐全"
            )
        return application


@pytest.fixture
def chain(tmp_var: Any) -> Chain:
    return Chain()


def url(name: str, *args: Any) -> str:
    return reverse(f"benefits:{name}", args=args)


def act(client: Client, application: Application, action: str, **fields: str) -> Any:
    prefix = "pass" if action == "pass" else action
    data = {"action": action, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    return client.post(url("application_act", application.pk), data)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the work list ---------------------------------------------------------------------------------


def test_work_list_puts_overdue_first_and_says_how_late(chain: Chain) -> None:
    late = chain.application()
    Application.objects.filter(pk=late.pk).update(step_started_on=today() - dt.timedelta(days=60))
    fresh = chain.application(chain.bob)
    page = text(chain.client("township").get(url("index")))
    assert page.index(f'href="{url("application", late.pk)}"') < page.index(
        f'href="{url("application", fresh.pk)}"'
    )
    assert re.search(r'<tr class="overdue">.*?已超期 \d+ 天（\d+ 个工作日）', page)
    assert "1 件申请已超过办理期限" in page
    assert re.search(r"剩余 \d+ 个工作日", page)  # the fresh one, in working days
    # the county federation sees both in its region's list, but neither waits at its step
    county = text(chain.client("county").get(url("index")))
    assert "目前没有等待您办理的申请" in county and "符合条件的申请（共 2 件）" in county


def test_the_list_filters_by_status_subsidy_and_township(chain: Chain) -> None:
    chain.at(Application.Status.TOWNSHIP_PASSED)
    chain.application(chain.carol, benefit="nursing_subsidy")
    client = chain.client("county")
    assert "共 1 件" in text(client.get(url("index"), {"status": "township_passed"}))
    assert "共 1 件" in text(client.get(url("index"), {"benefit": "nursing_subsidy"}))
    only_002 = text(client.get(url("index"), {"township": "140902002"}))
    assert "共 1 件" in only_002 and chain.carol.name in only_002
    assert chain.alice.name not in only_002.split("本辖区全部申请")[1]


def test_a_role_without_benefits_gets_403(chain: Chain) -> None:
    assert chain.client("evaluator").get(url("index")).status_code == 403
    assert chain.client("department").get(url("application_create")).status_code == 403


# --- a new application at the window -------------------------------------------------------------


def test_the_person_page_links_to_a_new_application_for_the_window_only(chain: Chain) -> None:
    person_url = reverse("registry:person", args=[chain.alice.pk])
    link = f"{url('application_create')}?person={chain.alice.pk}"
    assert link in chain.client("township").get(person_url).content.decode()
    assert link not in chain.client("city").get(person_url).content.decode()


def test_the_window_finds_the_person_and_receives_the_application(chain: Chain) -> None:
    client = chain.client("township")
    found = client.post(url("application_create"), {"q": id_number_of(chain.alice)})
    assert found.status_code == 200
    assert f"?person={chain.alice.pk}" in found.content.decode()
    assert chain.alice.id_masked in found.content.decode()
    form = client.get(url("application_create"), {"person": chain.alice.pk})
    assert "受理申请：测试甲" in text(form)
    response = client.post(
        f"{url('application_create')}?person={chain.alice.pk}",
        {
            "person": chain.alice.pk,
            "benefit": "living_subsidy",
            "applicant_kind": "guardian",
            "applicant_name": "测试乙",
            "account_name": "测试甲",
            "account_number": "6222 0200 1234 5678",
        },
    )
    application = Application.objects.get(person=chain.alice)
    assert response.status_code == 302 and response["Location"] == url("application", application.pk)
    assert (application.status, application.source) == ("submitted", "window")
    assert (application.applicant_kind, application.applicant_name) == ("guardian", "测试乙")
    assert application.account_masked == "****5678"
    assert decrypt(application.account_encrypted) == "6222020012345678"
    page = text(client.get(url("application", application.pk)))
    assert "****5678" in page and "6222020012345678" not in page
    assert "受理" in page and "乡镇（街道）工作人员" not in page.split("办理记录")[0][-10:]


def test_an_agent_must_be_named_and_the_error_is_next_to_the_field(chain: Chain) -> None:
    response = chain.client("township").post(
        url("application_create"),
        {"person": chain.alice.pk, "benefit": "living_subsidy", "applicant_kind": "village"},
    )
    assert response.status_code == 400
    assert re.search(r'field--error">.*?代为申请时请填写代办人', text(response))
    assert not Application.objects.exists()


def test_one_open_application_per_person_and_subsidy(chain: Chain) -> None:
    first = chain.application()
    response = chain.client("township").post(
        url("application_create"),
        {"person": chain.alice.pk, "benefit": "living_subsidy", "applicant_kind": "self"},
    )
    assert response.status_code == 400
    assert "已有一件在办的困难残疾人生活补贴申请" in text(response)
    assert Application.objects.filter(person=chain.alice).count() == 1
    # the other subsidy is a separate application; a closed one does not block a new one
    chain.application(benefit="nursing_subsidy")
    act(chain.client("township"), first, "withdraw", reason="本人申请撤回")
    assert chain.application().status == "submitted"


def test_a_window_outside_the_persons_region_cannot_receive_it(chain: Chain) -> None:
    response = chain.client("other_county").get(url("application_create"), {"person": chain.alice.pk})
    assert response.status_code == 404


# --- the chain --------------------------------------------------------------------------------------


def test_the_chain_from_the_window_to_approval(chain: Chain) -> None:
    application = chain.application()
    assert act(chain.client("township"), application, "pass", reason="身份、低保证明已核").status_code == 302
    assert act(chain.client("county"), application, "pass").status_code == 302
    assert act(chain.client("civil"), application, "pass").status_code == 302
    application.refresh_from_db()
    assert application.status == "in_notice" and application.notice_until > today()
    early = act(chain.client("civil"), application, "pass")
    assert early.status_code == 400 and "期满后才能批准" in text(early)
    Application.objects.filter(pk=application.pk).update(notice_until=today() - dt.timedelta(days=1))
    assert act(chain.client("civil"), application, "pass").status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_on == today()
    entitlement = Entitlement.objects.get(application=application)
    assert entitlement.start_month == application.applied_on.replace(day=1)
    page = text(chain.client("county").get(url("application", application.pk)))
    assert page.count("<td>通过</td>") == 4 and "身份、低保证明已核" in page
    assert "［满足］" in page and "国发〔2015〕52号" in page  # the decision of the day with its basis
    passes = AuditEntry.objects.filter(action="benefits.application_pass", object_id=str(application.pk))
    assert passes.count() == 4


def test_a_township_clerk_cannot_pass_the_federation_step(chain: Chain) -> None:
    application = chain.at(Application.Status.TOWNSHIP_PASSED)
    client = chain.client("township")
    page = text(client.get(url("application", application.pk)))
    assert 'value="pass"' not in page  # no pass form for them
    response = act(client, application, "pass", override_reason="x")
    assert response.status_code == 400
    assert "正在等待“县残联工作人员”办理" in text(response)
    application.refresh_from_db()
    assert application.status == "township_passed"


def test_another_county_cannot_see_or_act_on_the_application(chain: Chain) -> None:
    application = chain.at(Application.Status.TOWNSHIP_PASSED)
    for who in ("other_county", "other_civil"):
        client = chain.client(who)
        assert client.get(url("application", application.pk)).status_code == 404
        assert act(client, application, "pass").status_code == 404
        assert act(client, application, "reject", reason="x").status_code == 404
    application.refresh_from_db()
    assert application.status == "township_passed"


def test_the_civil_affairs_officer_decides_only_in_their_county(chain: Chain) -> None:
    application = chain.at(Application.Status.FEDERATION_PASSED)
    assert act(chain.client("other_civil"), application, "pass").status_code == 404
    assert act(chain.client("civil"), application, "pass").status_code == 302
    application.refresh_from_db()
    assert application.status == "in_notice"


def test_passing_an_ineligible_decision_needs_an_override_reason(chain: Chain) -> None:
    application = chain.application(chain.bob)  # bob is not on the dibao list: 不符合
    client = chain.client("township")
    page = text(client.get(url("application", application.pk)))
    assert "按现有数据判定为“不符合”：通过须填写按材料通过的理由" in page
    refused = act(client, application, "pass")
    assert refused.status_code == 400
    assert re.search(r'field--error">.*?id="id_pass-override_reason"', text(refused))
    application.refresh_from_db()
    assert application.status == "submitted"
    assert (
        act(client, application, "pass", override_reason="已提供民政部门出具的低保证明原件").status_code
        == 302
    )
    event = application.events.get(action="pass")
    assert (event.decision, event.override_reason) == ("ineligible", "已提供民政部门出具的低保证明原件")
    entry = AuditEntry.objects.get(action="benefits.application_pass", object_id=str(application.pk))
    assert entry.detail["override_reason"] == "已提供民政部门出具的低保证明原件"
    assert "已提供民政部门出具的低保证明原件" in text(client.get(url("application", application.pk)))


def test_return_and_resubmit_go_back_to_the_step_that_returned_it(chain: Chain) -> None:
    application = chain.at(Application.Status.TOWNSHIP_PASSED)
    empty = act(chain.client("county"), application, "return", reason="")
    assert empty.status_code == 400 and "field--error" in text(empty)
    assert act(chain.client("county"), application, "return", reason="缺残疾人证复印件").status_code == 302
    application.refresh_from_db()
    assert application.status == "returned"
    page = text(chain.client("township").get(url("application", application.pk)))
    assert "缺残疾人证复印件" in page and 'value="resubmit"' in page
    assert act(chain.client("township"), application, "resubmit", reason="已补交").status_code == 302
    application.refresh_from_db()
    assert application.status == "township_passed" and application.step_started_on == today()


def test_a_notice_cannot_be_returned_and_approved_cannot_be_passed_again(chain: Chain) -> None:
    application = chain.at(Application.Status.IN_NOTICE)
    page = text(chain.client("civil").get(url("application", application.pk)))
    assert 'value="return"' not in page and 'value="reject"' in page
    Application.objects.filter(pk=application.pk).update(notice_until=today() - dt.timedelta(days=1))
    act(chain.client("civil"), application, "pass")
    again = act(chain.client("civil"), application, "pass")
    assert again.status_code == 400 and "目前为“审定批准”，没有等待审核的步骤" in text(again)


def test_reject_needs_a_reason_and_prints_a_notice_letter(chain: Chain) -> None:
    application = chain.at(Application.Status.FEDERATION_PASSED)
    client = chain.client("civil")
    assert client.get(url("rejection_notice", application.pk)).status_code == 404  # not rejected
    assert act(client, application, "reject", reason=" ").status_code == 400
    assert act(client, application, "reject", reason="家庭人均收入超过低保标准").status_code == 302
    application.refresh_from_db()
    assert (application.status, application.reject_reason) == ("rejected", "家庭人均收入超过低保标准")
    page = text(client.get(url("application", application.pk)))
    assert url("rejection_notice", application.pk) in page
    pdf = client.get(url("rejection_notice", application.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert read_tagged(pdf.content).title == f"不予批准通知书（申请编号 {application.pk}）"
    assert "attachment" in pdf["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action="benefits.rejection_notice", object_id=str(application.pk)
    ).exists()
    assert chain.client("other_county").get(url("rejection_notice", application.pk)).status_code == 404


def test_the_notice_letter_says_the_reason_and_how_to_appeal(chain: Chain) -> None:
    from huican.benefits.letters import rejection_notice_pdf

    application = chain.at(Application.Status.TOWNSHIP_PASSED)
    act(chain.client("county"), application, "reject", reason="残疾等级不符合")
    application.refresh_from_db()
    letter = read_tagged(rejection_notice_pdf(application))  # zh-CN, marked, fonts embedded
    assert letter.title == f"不予批准通知书（申请编号 {application.pk}）"
    assert str(letter.reader.metadata["/Author"]).endswith("残疾人联合会")
    assert letter.kinds["/H1"] == 1 and letter.kinds["/P"] >= 8  # a heading and the paragraphs
    assert next(str(e["/S"]) for e in letter.elements if e["/S"] in ("/H1", "/P")) == "/H1"  # title first
    written = letter.text
    assert "不予批准通知书" in written and "残疾等级不符合" in written
    assert f"申请编号：{application.pk}" in written and "不予批准的理由：残疾等级不符合" in written
    assert "测试甲" in written and "困难残疾人生活补贴" in written
    assert "行政复议" in written and "行政诉讼" in written and "残疾人联合会" in written
    assert id_number_of(chain.alice) not in written and chain.alice.id_masked in written
    assert "六十日内" in written and "六个月内" in written and "如有疑问" in written


def test_the_notice_letter_escapes_what_people_typed(chain: Chain) -> None:
    from huican.benefits.letters import rejection_notice_pdf

    application = chain.at(Application.Status.TOWNSHIP_PASSED)
    act(chain.client("county"), application, "reject", reason='收入<超过>标准 & "其他"')
    application.refresh_from_db()
    assert '收入<超过>标准 & "其他"' in read_tagged(rejection_notice_pdf(application)).text


def test_withdraw_is_recorded_by_the_window(chain: Chain) -> None:
    application = chain.at(Application.Status.TOWNSHIP_PASSED)
    assert 'value="withdraw"' not in text(chain.client("civil").get(url("application", application.pk)))
    assert (
        act(chain.client("township"), application, "withdraw", reason="本人电话申请撤回").status_code == 302
    )
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert AuditEntry.objects.filter(
        action="benefits.application_withdraw", object_id=str(application.pk)
    ).exists()


def test_the_detail_page_is_audited(chain: Chain) -> None:
    application = chain.application()
    chain.client("county").get(url("application", application.pk))
    assert AuditEntry.objects.filter(
        action="benefits.application_view", object_id=str(application.pk)
    ).exists()


# --- 代为申请 from a finding ------------------------------------------------------------------------


def _finding(person: Any, code: str) -> Finding:
    run = FindingRun.objects.create(on_date=today(), status=FindingRun.Status.DONE)
    return Finding.objects.create(
        person=person,
        code=code,
        county_code=person.county_code,
        township_code=person.township_code,
        detail="应享未享",
        first_seen_run=run,
        last_seen_run=run,
    )


def test_a_finding_starts_an_application_and_then_follows_it(chain: Chain) -> None:
    finding = _finding(chain.alice, "living_subsidy_not_covered")
    client = chain.client("township")
    detail_url = reverse("matching:detail", args=[finding.pk])
    apply_url = reverse("benefits:apply_for_finding", args=[finding.pk])
    assert apply_url in client.get(detail_url).content.decode()
    response = client.post(apply_url)
    application = Application.objects.get(person=chain.alice)
    assert response["Location"] == url("application", application.pk)
    assert (application.source, application.finding_id, application.applicant_kind) == (
        "finding",
        finding.pk,
        "village",
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CONFIRMED and f"申请编号 {application.pk}" in finding.note
    page = client.get(detail_url).content.decode()
    assert url("application", application.pk) in page and apply_url not in page
    assert (
        reverse("matching:detail", args=[finding.pk])
        in client.get(url("application", application.pk)).content.decode()
    )
    # a second click cannot open a second application
    again = client.post(apply_url, follow=True)
    assert "同一补贴同时只能有一件在办申请" in text(again)
    assert Application.objects.filter(person=chain.alice).count() == 1


def test_other_findings_cannot_start_an_application(chain: Chain) -> None:
    finding = _finding(chain.alice, "medical_not_enrolled")
    client = chain.client("township")
    assert (
        reverse("benefits:apply_for_finding", args=[finding.pk])
        not in client.get(reverse("matching:detail", args=[finding.pk])).content.decode()
    )
    response = client.post(reverse("benefits:apply_for_finding", args=[finding.pk]), follow=True)
    assert "这类比对发现不能直接发起补贴申请" in text(response)
    assert not Application.objects.exists()


# --- documents ------------------------------------------------------------------------------------


def _upload(client: Client, application: Application, data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        url("document_upload", application.pk),
        {"kind": "certificate", "file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def test_a_document_is_sniffed_stored_encrypted_and_downloaded_audited(chain: Chain) -> None:
    application = chain.application()
    client = chain.client("township")
    assert _upload(client, application, PDF, "残疾人证.pdf").status_code == 302
    assert _upload(client, application, PNG, "照片.png").status_code == 302
    pdf, png = ApplicationDocument.objects.order_by("id")
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")
    stored = documents_root() / pdf.stored_name
    assert is_encrypted(stored) and b"%PDF" not in stored.read_bytes()
    assert stored.stat().st_mode & 0o077 == 0
    download = chain.client("county").get(url("document_download", application.pk, pdf.pk))
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(
        action="benefits.document_download", object_id=str(application.pk)
    ).exists()
    assert (
        chain.client("other_county").get(url("document_download", application.pk, pdf.pk)).status_code == 404
    )


def test_a_document_of_another_type_or_too_large_is_refused(chain: Chain, settings: Any) -> None:
    application = chain.application()
    client = chain.client("township")
    fake = _upload(client, application, b"MZ\x90\x00 not a pdf at all", "证明.pdf")
    assert fake.status_code == 400
    assert re.search(r'field--error">.*?只能上传 PDF、JPG 或 PNG', text(fake))
    settings.HUICAN_DOCUMENT_MAX_BYTES = 1024
    big = _upload(client, application, PDF + b"0" * 2048, "大文件.pdf")
    assert big.status_code == 400 and "文件超过" in text(big)
    assert not ApplicationDocument.objects.exists()
    assert not list(documents_root().glob("*.enc")) if documents_root().exists() else True


# --- 公示名单 --------------------------------------------------------------------------------------


def test_the_public_notice_masks_names_and_id_numbers(chain: Chain) -> None:
    application = chain.at(Application.Status.IN_NOTICE)
    chain.at(Application.Status.FEDERATION_PASSED, chain.bob)  # not in notice: not listed
    full_id = id_number_of(chain.alice)
    page = text(chain.client("county").get(url("public_notice")))
    assert "测*甲" in page and chain.alice.id_masked in page
    assert "测试甲" not in page.split("<h1>")[1] and full_id not in page and "13812341234" not in page
    assert "测*乙" not in page
    assert f"{application.notice_until:%Y-%m-%d}" in page
    csv = chain.client("county").get(url("public_notice_csv"))
    body = csv.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("序号,姓名,身份证号")
    assert "测*甲" in body and chain.alice.id_masked in body and full_id not in body and "测试甲" not in body
    assert AuditEntry.objects.filter(action="benefits.public_notice_export").exists()
    # city staff choose the county; another county sees none of it
    assert "测*甲" in text(chain.client("city").get(url("public_notice"), {"county": "140902"}))
    assert "测*甲" not in text(chain.client("other_county").get(url("public_notice")))


def test_mask_name() -> None:
    from huican.benefits.letters import mask_name

    assert [mask_name(n) for n in ("张三明", "张三", "欧阳小明", "王")] == ["张*明", "张*", "欧**明", "王"]


def test_a_future_application_date_is_refused_and_kept_as_an_iso_date(chain: Chain) -> None:
    later = today() + dt.timedelta(days=5)
    response = chain.client("township").post(
        url("application_create"),
        {
            "person": chain.alice.pk,
            "benefit": "living_subsidy",
            "applicant_kind": "self",
            "applied_on": later.isoformat(),
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'field--error">.*?申请日期不能晚于今天', page)
    assert f'value="{later.isoformat()}"' in page
