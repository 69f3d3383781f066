"""网上申请: a citizen applies for a subsidy online — the application arrives at the township's step
(已提交, source 网上申请, the citizen as the audited actor), documents type-sniffed, size-limited and
encrypted at rest; one open application per subsidy; withdraw; 退回补正 then supply; an agent applies
for the represented person; and nobody reaches anybody else's application or the staff pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huican.benefits.models import Application, ApplicationDocument, ApplicationEvent
from huican.benefits.services import DOCUMENT_AREA, application_return
from huican.core import documents
from huican.core.crypto import decrypt
from huican.core.models import AuditEntry
from huican.portal import agents, applying
from huican.portal.models import Authorisation
from huican.portal.sms import ConsoleSender
from tests.factories import World, id_number_of, make_id_number

pytestmark = pytest.mark.django_db

ME = reverse("portal:me")
PHONE = "13812341234"
AGENT_PHONE = "13698765432"
ACCOUNT = "6217 0000 1234 5678 901"
S = Application.Status
MARK = b"PLAINTEXT-MARKER-" * 8
JPEG = b"\xff\xd8\xff\xe0" + MARK + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + MARK
PDF = b"%PDF-1.4\n" + MARK + b"\n%%EOF"
EXE = b"MZ\x90\x00" + b"\x00" * 200  # a Windows program, renamed .jpg below


@pytest.fixture
def world(tmp_var: Path) -> World:
    return World()


def sign_in(client: Client, person: Any, *, phone: str = PHONE, agent_id: str | None = None) -> None:
    ConsoleSender.outbox.clear()
    number = id_number_of(person)
    start = reverse("portal:signin_agent") if agent_id else reverse("portal:signin")
    client.post(
        start,
        {"id_number": agent_id or number, "certificate_number": f"{number}{person.category}{person.grade}"},
    )
    message = ConsoleSender.last_to(phone)
    assert message is not None
    assert client.post(reverse("portal:signin_code"), {"code": message.code})["Location"] == ME


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def fill_form(client: Client, subsidy: str = "nursing_subsidy", **extra: Any) -> Any:
    data: dict[str, Any] = {
        "account_name": "测试甲",
        "account_number": ACCOUNT,
        "doc_identity": [upload("sfz-front.jpg", JPEG), upload("sfz-back.pdf", PDF, "application/pdf")],
        "doc_certificate": upload("cjrz.png", PNG, "image/png"),
        "action": "review",
    }
    data.update(extra)
    return client.post(reverse("portal:apply_form", args=[subsidy]), data)


def send(client: Client, subsidy: str = "nursing_subsidy", **extra: Any) -> Any:
    return client.post(
        reverse("portal:apply_review", args=[subsidy]), {"action": "submit", "declaration": "yes", **extra}
    )


def apply_online(client: Client, subsidy: str = "nursing_subsidy") -> Application:
    assert fill_form(client, subsidy)["Location"] == reverse("portal:apply_review", args=[subsidy])
    response = send(client, subsidy)
    assert response.status_code == 302, response.content.decode()
    return Application.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


def staging_files() -> list[Path]:
    folder = applying._staging_dir()
    return [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []


def test_online_application_arrives_at_the_township_step_audited_and_encrypted(
    client: Client, world: World, tmp_var: Path
) -> None:
    person = world.alice
    sign_in(client, person)
    start = client.get(reverse("portal:apply")).content.decode()
    assert "困难残疾人生活补贴" in start and "重度残疾人护理补贴" in start
    assert reverse("portal:selfcheck") in start
    form = client.get(reverse("portal:apply_form", args=["nursing_subsidy"])).content.decode()
    assert 'type="file"' in form and 'accept="image/jpeg,image/png,application/pdf' in form
    assert "每个文件不超过 10 MB" in form and "15 分钟没有操作会自动退出" in form

    assert fill_form(client).status_code == 302
    assert len(staging_files()) == 3 and all(MARK not in p.read_bytes() for p in staging_files())
    review = client.get(reverse("portal:apply_review", args=["nursing_subsidy"]))
    html = review.content.decode()
    assert "****8901" in html and "6217" not in html  # the account masked on screen
    assert "sfz-front.jpg" in html and "cjrz.png" in html
    assert "忻府区" in html or "乡镇" in html

    refused = send(client, declaration="")
    assert refused.status_code == 400 and "承诺" in refused.content.decode()
    assert not Application.objects.exists()

    response = send(client)
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == reverse("portal:apply_done", args=[application.pk])
    assert application.status == S.SUBMITTED and application.source == Application.Source.ONLINE
    assert application.person == person and application.benefit == "nursing_subsidy"
    assert (application.county_code, application.township_code) == ("140902", "140902001")
    assert application.step_started_on == timezone.localdate()
    assert application.created_by is None
    assert application.account_masked == "****8901" and "8901" not in application.account_encrypted
    assert decrypt(application.account_encrypted) == ACCOUNT.replace(" ", "")
    event = ApplicationEvent.objects.get(application=application)
    assert event.action == "create" and event.actor is None and event.actor_name == "群众:测*甲"
    assert "承诺" in event.reason
    audit = AuditEntry.objects.get(action="benefits.application_create")
    assert audit.actor is None and audit.actor_name == "群众:测*甲"
    assert id_number_of(person) not in f"{audit.detail}{audit.reason}{audit.actor_name}"

    stored = list(application.documents.order_by("id"))
    assert [(d.kind, d.content_type) for d in stored] == [
        ("identity", "image/jpeg"),
        ("identity", "application/pdf"),
        ("certificate", "image/png"),
    ]
    for document, plain in zip(stored, (JPEG, PDF, PNG), strict=True):
        raw = (tmp_var / "media" / DOCUMENT_AREA / document.stored_name).read_bytes()
        assert MARK not in raw and raw != plain  # encrypted at rest
        assert documents.read(DOCUMENT_AREA, document.stored_name) == plain
    assert staging_files() == []  # the staged copies are gone once sent

    done = client.get(response["Location"]).content.decode()
    assert f"申请编号是 {application.pk}" in done
    assert "乡镇人民政府、街道办事处" in done and "个工作日" in done


def test_township_sees_the_online_application_in_its_worklist_and_passes_it(
    client: Client, world: World
) -> None:
    sign_in(client, world.alice)
    application = apply_online(client)
    staff = Client()
    staff.force_login(world.users["township"])
    index = staff.get(reverse("benefits:index")).content.decode()
    waiting = index.split('id="waiting-heading"')[1].split('id="all-heading"')[0]
    assert reverse("benefits:application", args=[application.pk]) in waiting and "网上申请" in waiting
    inbox = staff.get("/inbox/").content.decode()
    assert reverse("benefits:application", args=[application.pk]) in inbox
    detail = staff.get(reverse("benefits:application", args=[application.pk])).content.decode()
    assert "网上申请" in detail and "sfz-front.jpg" in detail and "cjrz.png" in detail
    assert "群众:测*甲" in detail
    document = application.documents.first()
    assert document is not None
    download = staff.get(reverse("benefits:document_download", args=[application.pk, document.pk]))
    assert download.content == JPEG
    passed = staff.post(
        reverse("benefits:application_act", args=[application.pk]),
        {"action": "pass", "pass-reason": "证件齐全", "pass-override_reason": "材料证明需要长期照护"},
    )
    assert passed.status_code == 302
    application.refresh_from_db()
    assert application.status == S.TOWNSHIP_PASSED


def test_disguised_and_oversized_files_are_refused_with_a_clear_message(
    client: Client, world: World, settings: Any
) -> None:
    sign_in(client, world.alice)
    response = fill_form(client, doc_certificate=upload("cjrz.jpg", EXE))
    html = response.content.decode()
    assert response.status_code == 400
    assert "cjrz.jpg：只能上传 PDF、JPG 或 PNG 格式" in html
    assert 'role="alert"' in html and 'href="#id_doc_certificate"' in html
    assert 'aria-invalid="true"' in html
    # the accepted photos were kept; only the refused one is asked for again
    assert len(staging_files()) == 2 and "sfz-front.jpg" in html

    settings.HUICAN_DOCUMENT_MAX_BYTES = 1024 * 1024
    big = b"\xff\xd8\xff" + b"\x00" * (1024 * 1024 + 10)
    response = fill_form(client, doc_identity=[], doc_certificate=upload("big.jpg", big))
    assert response.status_code == 400 and "文件超过 1 MB" in response.content.decode()
    assert len(staging_files()) == 2

    # the service refuses the same files whatever the page does
    assert (
        fill_form(client, doc_identity=[], doc_certificate=upload("c.png", PNG, "image/png")).status_code
        == 302
    )
    citizen = _citizen_of(client)
    with pytest.raises(applying.ApplicationError, match="只能上传"):
        applying.citizen_apply(
            citizen=citizen,
            benefit="living_subsidy",
            account_name="测试甲",
            account_number=ACCOUNT,
            declared=True,
            documents=[
                applying.Upload("identity", "a.jpg", JPEG),
                applying.Upload("certificate", "b.jpg", EXE),
            ],
        )
    assert not Application.objects.exists()  # all or nothing


def _citizen_of(client: Client) -> Any:
    from django.http import HttpRequest

    from huican.portal import session

    request = HttpRequest()
    request.session = client.session
    citizen = session.current(request)
    assert citizen is not None
    return citizen


def test_missing_answers_are_listed_and_linked(client: Client, world: World) -> None:
    sign_in(client, world.alice)
    response = client.post(
        reverse("portal:apply_form", args=["living_subsidy"]),
        {"account_name": "", "account_number": "12ab", "action": "review"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in html
    for anchor in ("id_account_name", "id_account_number", "id_doc_identity", "id_doc_certificate"):
        assert f'href="#{anchor}"' in html
    assert "银行账号只能填数字" in html
    # 保存并延长时间 keeps what was typed without showing errors
    kept = client.post(
        reverse("portal:apply_form", args=["living_subsidy"]),
        {"account_name": "测试甲", "account_number": "6217000012345678", "action": "keep"},
    )
    html = kept.content.decode()
    assert kept.status_code == 200 and "已保存。时间已延长到" in html and 'role="alert"' not in html
    again = client.get(reverse("portal:apply_form", args=["living_subsidy"])).content.decode()
    assert 'value="6217000012345678"' in again


def test_a_second_open_application_is_refused_with_a_message(client: Client, world: World) -> None:
    sign_in(client, world.alice)
    apply_online(client)
    start = client.get(reverse("portal:apply")).content.decode()
    assert "您已经有一件这项补贴的申请正在办理" in start
    form = client.get(reverse("portal:apply_form", args=["nursing_subsidy"])).content.decode()
    assert "同一项补贴同时只能有一件在办的申请" in form and 'type="file"' not in form
    with pytest.raises(applying.ApplicationError, match="已有一件在办的重度残疾人护理补贴申请"):
        applying.citizen_apply(
            citizen=_citizen_of(client),
            benefit="nursing_subsidy",
            account_name="测试甲",
            account_number=ACCOUNT,
            declared=True,
            documents=[
                applying.Upload("identity", "a.jpg", JPEG),
                applying.Upload("certificate", "b.png", PNG),
            ],
        )
    assert Application.objects.count() == 1
    apply_online(client, "living_subsidy")  # the other subsidy is still open to apply for
    assert Application.objects.count() == 2


def test_withdraw_after_a_confirmation_page(client: Client, world: World) -> None:
    sign_in(client, world.alice)
    application = apply_online(client)
    mine = client.get(ME).content.decode()
    url = reverse("portal:apply_withdraw", args=[application.pk])
    assert url in mine
    page = client.get(url).content.decode()
    assert "确认撤回" in page
    application.refresh_from_db()
    assert application.status == S.SUBMITTED  # a GET changes nothing
    response = client.post(url, {"reason": "信息填错了"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    event = application.events.get(action="withdraw")
    assert event.actor_name == "群众:测*甲" and "信息填错了" in event.reason
    assert "已经撤回" in client.get(url).content.decode()
    assert client.post(url, {"reason": "再来一次"}).status_code == 200  # nothing left to withdraw
    assert application.events.filter(action="withdraw").count() == 1


def test_returned_then_supplied_goes_back_into_the_chain(client: Client, world: World) -> None:
    sign_in(client, world.alice)
    application = apply_online(client, "living_subsidy")
    application_return(actor=world.users["township"], application=application, reason="请补交低保证照片")
    url = reverse("portal:apply_supply", args=[application.pk])
    mine = client.get(ME).content.decode()
    assert url in mine
    page = client.get(url).content.decode()
    assert "请补交低保证照片" in page and 'id="id_doc_hardship"' in page

    refused = client.post(url, {"doc_hardship": upload("dibao.jpg", EXE)})
    assert refused.status_code == 400 and "dibao.jpg：只能上传" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == S.RETURNED
    empty = client.post(url, {"note": ""})
    assert empty.status_code == 400

    response = client.post(url, {"doc_hardship": upload("dibao.jpg", JPEG), "note": "已补交低保证"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.step_started_on == timezone.localdate()
    assert application.documents.filter(kind="hardship", original_name="dibao.jpg").exists()
    event = application.events.get(action="resubmit")
    assert event.actor_name == "群众:测*甲" and "已补交低保证" in event.reason
    assert "回到原来的环节接着办理" in client.get(response["Location"]).content.decode()
    staff = Client()
    staff.force_login(world.users["township"])
    waiting = staff.get(reverse("benefits:index")).content.decode().split('id="all-heading"')[0]
    assert reverse("benefits:application", args=[application.pk]) in waiting


def test_an_agent_applies_for_the_represented_person(client: Client, world: World) -> None:
    person = world.alice
    agent_id = make_id_number("140902", dt.date(1975, 3, 3))
    agents.authorisation_record(
        actor=world.users["township"],
        person=person,
        agent_name="李四华",
        agent_id_number=agent_id,
        agent_phone=AGENT_PHONE,
        relation=Authorisation.Relation.GUARDIAN,
        valid_from=timezone.localdate(),
        note="监护关系证明已核验",
    )
    sign_in(client, person, phone=AGENT_PHONE, agent_id=agent_id)
    form = client.get(reverse("portal:apply_form", args=["nursing_subsidy"])).content.decode()
    assert "由 李四华（监护人）代办" in form
    application = apply_online(client)
    assert application.person == person
    assert application.applicant_kind == Application.Applicant.GUARDIAN
    assert application.applicant_name == "李四华"
    assert application.events.get().actor_name == "监护人:李*华（代 测*甲）"


def test_another_persons_application_is_a_404_and_injected_fields_are_ignored(
    client: Client, world: World
) -> None:
    other = Client()
    sign_in(other, world.bob)
    theirs = apply_online(other)
    application_return(actor=world.users["township"], application=theirs, reason="缺材料")

    sign_in(client, world.alice)
    for name in ("apply_withdraw", "apply_supply", "apply_done"):
        url = reverse(f"portal:{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404
        if name != "apply_done":
            assert client.post(url, {"reason": "x", "note": "x"}).status_code == 404
    assert client.get(reverse("portal:apply_withdraw", args=[999999])).status_code == 404
    assert client.get("/portal/applications/abc/withdraw/").status_code == 404
    assert client.get(reverse("portal:apply_form", args=["dibao"])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.RETURNED and theirs.events.count() == 2  # create, return

    # a person_id, a benefit or a source slipped into the POSTs changes nothing
    fill_form(client, person_id=str(world.bob.pk), person=str(world.bob.pk), benefit="living_subsidy")
    response = send(client, person_id=str(world.bob.pk), benefit="living_subsidy", source="window")
    assert response.status_code == 302
    mine = Application.objects.exclude(pk=theirs.pk).get()
    assert mine.person == world.alice and mine.benefit == "nursing_subsidy"
    assert mine.source == Application.Source.ONLINE


def test_a_staff_login_cannot_use_the_apply_pages(client: Client, world: World) -> None:
    staff = Client()
    staff.force_login(world.users["township"])
    signin = reverse("portal:signin")
    for url in (
        reverse("portal:apply_form", args=["nursing_subsidy"]),
        reverse("portal:apply_review", args=["nursing_subsidy"]),
    ):
        assert staff.get(url)["Location"] == signin
    response = staff.post(
        reverse("portal:apply_form", args=["nursing_subsidy"]),
        {
            "account_name": "x",
            "account_number": ACCOUNT,
            "doc_identity": upload("a.jpg", JPEG),
            "action": "review",
        },
    )
    assert response["Location"] == signin
    assert (
        staff.post(reverse("portal:apply_review", args=["nursing_subsidy"]), {"action": "submit"})["Location"]
        == signin
    )
    # a staff login beside a citizen session in the same browser does not make it a citizen
    sign_in(client, world.alice)
    application = apply_online(client)
    client.force_login(world.users["township"])
    assert client.get(reverse("portal:apply_withdraw", args=[application.pk]))["Location"] == signin
    assert client.post(reverse("portal:apply_withdraw", args=[application.pk]))["Location"] == signin
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and staging_files() == []
    assert ApplicationDocument.objects.filter(application=application).count() == 3


def test_staging_sweep_removes_old_drafts(client: Client, world: World) -> None:
    sign_in(client, world.alice)
    fill_form(client)
    assert len(staging_files()) == 3
    assert applying.sweep_staging(now=timezone.now().timestamp() + 25 * 3600) == 3
    assert staging_files() == []
    # the review page then asks for the documents again instead of sending without them
    response = send(client)
    assert response.status_code == 400 and not Application.objects.exists()


def test_a_long_form_survives_the_idle_sign_out_for_the_same_person_only(
    client: Client, world: World
) -> None:
    sign_in(client, world.alice)
    kept = fill_form(client, action="keep")
    assert kept.status_code == 200 and "已保存" in kept.content.decode()
    stale = client.session
    stale["portal_citizen"]["last_seen"] = 0  # idle for longer than the limit
    stale.save()
    url = reverse("portal:apply_form", args=["nursing_subsidy"])
    assert client.get(url)["Location"] == reverse("portal:signin")
    sign_in(client, world.alice)
    html = client.get(url).content.decode()
    assert 'value="62170000123456789' in html and "sfz-front.jpg" in html and "cjrz.png" in html
    assert len(staging_files()) == 3

    # signing out on purpose gives the draft up at once, staged documents included
    client.post(reverse("portal:signout"))
    assert staging_files() == [] and applying.DRAFT not in client.session
    # and somebody else signing in on the same browser never sees it
    sign_in(client, world.bob)
    html = client.get(url).content.decode()
    assert "sfz-front.jpg" not in html and "62170000" not in html
    assert staging_files() == []
