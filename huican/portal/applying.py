"""网上申请: a citizen (or the guardian/agent acting for them) applies online for one of the two
subsidies, withdraws an application, and supplies what a 退回补正 asked for.

Everything goes through the benefits chain (``huican.benefits.services``): an online application is
``application_create`` with the source 网上申请 and the citizen's audit name as the actor, so it
arrives as 已提交 at the township's step (乡镇受理/初审) exactly like a window application once
received — it appears in the township's 待办, whose clock starts the day it arrives, and the township
passes it on (初审通过) or returns it (退回补正). Documents are ``document_attach``: type read from the
bytes, size limited, encrypted at rest. One open application per person and subsidy is the
service's rule (a database constraint); ``open_benefits`` only lets the pages say so early.

Between the form and the review page the documents chosen are kept here, encrypted, in a staging
area of their own (``stage``/``staged_bytes``/``unstage``), and removed once the application is sent,
when the draft is given up, or after ``STAGING_HOURS`` by ``sweep_staging``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from huican.benefits.models import Application, ApplicationDocument, Benefit
from huican.benefits.services import (
    ApplicationError,
    application_create,
    application_resubmit,
    application_withdraw,
    document_attach,
)
from huican.core import documents
from huican.portal.models import Authorisation
from huican.portal.session import Citizen

K = ApplicationDocument.Kind
STAGING_AREA = "portal_apply_staging"
STAGING_HOURS = 24
MAX_DOCUMENTS = 10
ACCOUNT_DIGITS = (10, 30)  # bank cards have 16–19 digits, passbooks fewer or more
DECLARATION = "申请人已承诺所填信息和上传材料真实有效"
APPLICANT_OF_RELATION: dict[str, str] = {
    Authorisation.Relation.GUARDIAN: Application.Applicant.GUARDIAN,
    Authorisation.Relation.AGENT: Application.Applicant.AGENT,
}
# The documents an online application asks for, per subsidy: (kind, required).
DOCUMENTS: dict[str, tuple[tuple[str, bool], ...]] = {
    Benefit.LIVING: ((K.IDENTITY, True), (K.CERTIFICATE, True), (K.HARDSHIP, False), (K.OTHER, False)),
    Benefit.NURSING: ((K.IDENTITY, True), (K.CERTIFICATE, True), (K.CARE, False), (K.OTHER, False)),
}
MISSING_DOCUMENT: dict[str, str] = {
    K.IDENTITY: "请上传身份证照片（正面和反面）",
    K.CERTIFICATE: "请上传残疾人证照片（有照片和证号的那一页）",
}


@dataclass(frozen=True)
class Upload:
    """One document handed in: its kind, the name it had on the phone, and its bytes."""

    kind: str
    name: str
    data: bytes


def owns(citizen: Citizen, application: Application) -> bool:
    """Whether the application is the signed-in person's own (or the represented person's)."""
    return application.person_id == citizen.person.pk


def own_application(citizen: Citizen, application_id: Any) -> Application | None:
    """The citizen's own application with this id, or None — whoever else's it is."""
    try:
        pk = int(application_id)
    except (TypeError, ValueError):
        return None
    return Application.objects.filter(pk=pk, person=citizen.person).select_related("person").first()


def open_benefits(citizen: Citizen) -> set[str]:
    """The subsidies the person already has an application in progress for (to say so early)."""
    rows = (
        Application.objects.filter(person=citizen.person, status__in=Application.OPEN)
        .exclude(source=Application.Source.IMPORT)
        .values_list("benefit", flat=True)
    )
    return set(rows)


def normalise_account(number: str) -> str:
    return "".join(number.split())


def check_answers(
    *, benefit: str, account_name: str, account_number: str, kinds: Sequence[str]
) -> dict[str, str]:
    """What is missing or wrong in an online application, by field ({} when it can be sent)."""
    problems: dict[str, str] = {}
    if benefit not in DOCUMENTS:
        problems["benefit"] = "请选择要申请的补贴"
        return problems
    if not account_name.strip():
        problems["account_name"] = "请填写银行卡或存折上的户名"
    number = normalise_account(account_number)
    low, high = ACCOUNT_DIGITS
    if not number:
        problems["account_number"] = "请填写银行卡号或存折账号，补贴批准后发到这个账户"
    elif not number.isdigit():
        problems["account_number"] = "银行账号只能填数字"
    elif not low <= len(number) <= high:
        problems["account_number"] = f"银行账号是 {low} 到 {high} 位数字，请再核对一下"
    for kind, required in DOCUMENTS[benefit]:
        if required and kind not in kinds:
            problems[f"doc_{kind}"] = MISSING_DOCUMENT[kind]
    if len(kinds) > MAX_DOCUMENTS:
        problems["doc_other"] = f"最多上传 {MAX_DOCUMENTS} 个文件"
    return problems


def check_document(data: bytes) -> str:
    """The content type of an acceptable document (read from the bytes); ApplicationError if refused."""
    try:
        return documents.sniff(data)
    except documents.DocumentRefused as refused:
        raise ApplicationError(str(refused), "file") from None


def _applicant(citizen: Citizen) -> tuple[str, str]:
    if citizen.authorisation is None:
        return Application.Applicant.SELF, ""
    kind = APPLICANT_OF_RELATION.get(citizen.authorisation.relation, Application.Applicant.AGENT)
    return kind, citizen.authorisation.agent_name


def citizen_apply(
    *,
    citizen: Citizen,
    benefit: str,
    account_name: str,
    account_number: str,
    declared: bool,
    documents: Sequence[Upload],
) -> Application:
    """Send an online application: 已提交, at the township's step, source 网上申请, the citizen (or
    agent) as the actor, the bank account encrypted and masked, the documents attached encrypted.
    All or nothing: a refused document leaves no application behind."""
    problems = check_answers(
        benefit=benefit,
        account_name=account_name,
        account_number=account_number,
        kinds=[d.kind for d in documents],
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise ApplicationError(message, field)
    if not declared:
        raise ApplicationError("请勾选“我承诺所填信息和上传的材料真实”", "declaration")
    for document in documents:
        if document.kind not in K.values:
            raise ApplicationError("材料类型不正确", "doc_other")
        check_document(document.data)
    applicant_kind, applicant_name = _applicant(citizen)
    with transaction.atomic():
        application = application_create(
            actor=citizen.actor,
            person=citizen.person,
            benefit=benefit,
            applicant_kind=applicant_kind,
            applicant_name=applicant_name,
            source=Application.Source.ONLINE,
            account_name=account_name,
            account_number=normalise_account(account_number),
            note=f"网上申请；{DECLARATION}",
        )
        for document in documents:
            document_attach(
                actor=citizen.actor,
                application=application,
                data=document.data,
                name=document.name,
                kind=document.kind,
            )
    return application


def citizen_withdraw(*, citizen: Citizen, application: Application, reason: str = "") -> Application:
    """撤回 by the applicant online (only their own, only before approval)."""
    if not owns(citizen, application):
        raise ApplicationError("未找到该申请")
    text = reason.strip()[:500]
    return application_withdraw(
        actor=citizen.actor,
        application=application,
        reason=f"申请人网上撤回：{text}" if text else "申请人网上撤回",
    )


def return_reason(application: Application) -> str:
    """What the reviewer who returned the application asked for (the latest 退回补正's reason)."""
    event = application.events.filter(action="return").order_by("-at", "-id").first()
    return event.reason if event is not None else ""


def citizen_supply(
    *, citizen: Citizen, application: Application, documents: Sequence[Upload], note: str = ""
) -> Application:
    """After 退回补正: the documents (and a note) asked for, then the file goes back to the step that
    returned it (``application_resubmit``), whose clock restarts."""
    if not owns(citizen, application):
        raise ApplicationError("未找到该申请")
    if application.status != Application.Status.RETURNED:
        raise ApplicationError("这个申请现在不需要补正材料")
    note = note.strip()[:1000]
    if not documents and not note:
        raise ApplicationError("请上传补正的材料，或写一下补正的说明", "doc_other")
    if len(documents) > MAX_DOCUMENTS:
        raise ApplicationError(f"一次最多上传 {MAX_DOCUMENTS} 个文件", "doc_other")
    for document in documents:
        if document.kind not in K.values:
            raise ApplicationError("材料类型不正确", "doc_other")
        check_document(document.data)
    with transaction.atomic():
        for document in documents:
            document_attach(
                actor=citizen.actor,
                application=application,
                data=document.data,
                name=document.name,
                kind=document.kind,
            )
        names = "、".join(K(d.kind).label for d in documents)
        reason = "网上补正" + (f"，补交材料：{names}" if names else "") + (f"；说明：{note}" if note else "")
        return application_resubmit(actor=citizen.actor, application=application, reason=reason)


# --- documents held between the form and the review page -----------------------------------------


def _staging_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / STAGING_AREA


def stage(data: bytes, *, name: str, kind: str) -> dict[str, Any]:
    """Check a document and keep it encrypted until the application is sent; what the session keeps."""
    content_type = check_document(data)
    sweep_staging()
    stored = documents.store(STAGING_AREA, data)
    return {
        "stored": stored,
        "name": name[-200:] or "材料",
        "kind": kind,
        "type": content_type,
        "size": len(data),
    }


def staged_bytes(item: dict[str, Any]) -> bytes:
    return documents.read(STAGING_AREA, str(item["stored"]))


def unstage(items: Sequence[dict[str, Any]]) -> None:
    for item in items:
        stored = str(item.get("stored", ""))
        if stored and "/" not in stored and "\\" not in stored and not stored.startswith("."):
            (_staging_dir() / stored).unlink(missing_ok=True)


DRAFT = "portal_apply_draft"  # the session key of the application being filled in


def discard_draft(session: Any) -> None:
    """Give up the draft in this session and its staged documents (on an explicit sign-out)."""
    draft = session.pop(DRAFT, None)
    if isinstance(draft, dict):
        unstage(draft.get("documents", []))


def sweep_staging(now: float | None = None) -> int:
    """Remove staged documents older than ``STAGING_HOURS`` (drafts given up or timed out)."""
    folder = _staging_dir()
    if not folder.is_dir():
        return 0
    limit = (now or time.time()) - STAGING_HOURS * 3600
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
