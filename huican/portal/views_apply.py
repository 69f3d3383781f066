"""网上申请 pages: choose the subsidy → the form (bank account, photos of the papers) → review and
declaration → sent (``views_apply_followup``: the application number and what happens next; from
我的: withdraw, and supply what a 退回补正 asked for). Thin: the rules are in ``portal.applying`` and
the benefits services.

The person is always the session's (``session.citizen_required``); the subsidy comes from the URL,
never from a form field; an application id in a URL must be the person's own, otherwise 404.

No JavaScript: the form is a plain POST. Documents chosen on the form are checked at once (type
read from the bytes, size) and kept encrypted server-side until the review page sends them, so a
refused photo does not lose the others; the typed answers are kept in the session (the account
number encrypted). "保存并延长时间" on the form saves what was typed and restarts the idle time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from huican.benefits import letters
from huican.benefits.models import Application, ApplicationDocument, Benefit
from huican.benefits.services import ApplicationError, mask_account
from huican.core.crypto import decrypt, encrypt
from huican.core.documents import DocumentRefused
from huican.portal import applying, mine, session
from huican.portal.session import Citizen, citizen_required

DRAFT = applying.DRAFT
K = ApplicationDocument.Kind
FIELD_LABELS: dict[str, Any] = {
    K.IDENTITY: gettext_lazy("身份证照片（正面和反面）"),
    K.CERTIFICATE: gettext_lazy("残疾人证照片"),
    K.HARDSHIP: gettext_lazy("低保证或低保边缘家庭证明的照片（有就传）"),
    K.CARE: gettext_lazy("需要长期照护的证明（有就传，例如医院证明）"),
    K.OTHER: gettext_lazy("其他材料（可以不传）"),
}
# A plain explanation of each subsidy for the choice page.
EXPLAINED: dict[str, tuple[Any, Any]] = {
    Benefit.LIVING: (
        gettext_lazy("给生活困难的残疾人。"),
        gettext_lazy(
            "有残疾人证，家里享受低保（有的县也包括低保边缘家庭）的，可以申请。领特困供养的不能再领。"
        ),
    ),
    Benefit.NURSING: (
        gettext_lazy("给需要长期有人照护的重度残疾人。"),
        gettext_lazy(
            "有残疾人证，残疾等级是一级或二级（有的县也包括三级、四级智力和精神残疾），需要长期照护的，可以申请。"
        ),
    ),
}


def citizen_of(request: HttpRequest) -> Citizen:
    citizen: Citizen = request.citizen  # type: ignore[attr-defined]
    return citizen


def _benefit_or_404(benefit: str) -> str:
    if benefit not in applying.DOCUMENTS:
        raise Http404(_("没有这项补贴"))
    return benefit


def _max_bytes() -> int:
    return int(settings.HUICAN_DOCUMENT_MAX_BYTES)


def size_text() -> str:
    return _("每个文件不超过 {mb} MB，可以是手机拍的照片（JPG、PNG）或 PDF。").format(
        mb=_max_bytes() // (1024 * 1024)
    )


# --- the draft kept in the session between the form and the review page ----------------------------


def _owner(citizen: Citizen) -> list[Any]:
    return [citizen.person.pk, citizen.authorisation.pk if citizen.authorisation else None]


def _draft(request: HttpRequest, citizen: Citizen, benefit: str) -> dict[str, Any]:
    """The draft of this person and subsidy; any other draft in the session is given up."""
    draft = request.session.get(DRAFT)
    if isinstance(draft, dict) and draft.get("owner") == _owner(citizen) and draft.get("benefit") == benefit:
        return draft
    if isinstance(draft, dict):
        applying.unstage(draft.get("documents", []))
    draft = {
        "owner": _owner(citizen),
        "benefit": benefit,
        "account_name": citizen.person.name,
        "account": "",
        "documents": [],
    }
    request.session[DRAFT] = draft
    return draft


def _save(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[DRAFT] = draft
    request.session.modified = True


def _account(draft: dict[str, Any]) -> str:
    return decrypt(draft["account"]) if draft.get("account") else ""


def _problems(draft: dict[str, Any]) -> dict[str, str]:
    return applying.check_answers(
        benefit=draft["benefit"],
        account_name=draft["account_name"],
        account_number=_account(draft),
        kinds=[d["kind"] for d in draft["documents"]],
    )


def read_upload(upload: UploadedFile) -> bytes:
    return upload.read(_max_bytes() + 1)  # enough to tell a file over the limit, never more


def _fields(benefit: str) -> list[dict[str, Any]]:
    return [
        {"name": f"doc_{kind}", "kind": kind, "label": FIELD_LABELS[kind], "required": required}
        for kind, required in applying.DOCUMENTS[benefit]
    ]


def _ordered(problems: dict[str, str], benefit: str) -> list[tuple[str, str, str]]:
    """(field, "#id_<field>", message) in the order of the form ("" for a problem of no field)."""
    order = ["account_name", "account_number", *[f["name"] for f in _fields(benefit)], "declaration"]
    rows = [(name, f"#id_{name}", problems[name]) for name in order if name in problems]
    rows += [(name, "", message) for name, message in problems.items() if name not in order]
    return rows


# --- the choice page ---------------------------------------------------------------------------------


@require_GET
def apply_start(request: HttpRequest) -> HttpResponse:
    """Choose the subsidy (readable without signing in; the form itself needs a sign-in)."""
    citizen = session.current(request)
    chosen = request.GET.get("benefit", "")
    open_now = applying.open_benefits(citizen) if citizen is not None else set()
    benefits = [
        {
            "code": code,
            "name": Benefit(code).label,
            "who": EXPLAINED[code][0],
            "detail": EXPLAINED[code][1],
            "open": code in open_now,
            "chosen": code == chosen,
        }
        for code in applying.DOCUMENTS
    ]
    context = {"portal_section": "apply", "citizen": citizen, "benefits": benefits}
    response = render(request, "portal/apply_start.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- the form ----------------------------------------------------------------------------------------


def _form_context(
    request: HttpRequest, citizen: Citizen, draft: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    account = _account(draft)
    return {
        "portal_section": "apply",
        "citizen": citizen,
        "benefit": draft["benefit"],
        "benefit_name": Benefit(draft["benefit"]).label,
        "values": {"account_name": draft["account_name"], "account_number": account},
        "fields": _fields(draft["benefit"]),
        "staged": [{**d, "label": K(d["kind"]).label} for d in draft["documents"]],
        "size_text": size_text(),
        "max_documents": applying.MAX_DOCUMENTS,
        "problems": {},
        "errors": [],
        **extra,
    }


@require_http_methods(["GET", "POST"])
@citizen_required
def apply_form(request: HttpRequest, benefit: str) -> HttpResponse:
    citizen = citizen_of(request)
    benefit = _benefit_or_404(benefit)
    if benefit in applying.open_benefits(citizen):
        context = {"portal_section": "apply", "citizen": citizen, "benefit_name": Benefit(benefit).label}
        return render(request, "portal/apply_open.html", context)
    draft = _draft(request, citizen, benefit)
    if request.method != "POST":
        return render(request, "portal/apply_form.html", _form_context(request, citizen, draft))

    draft["account_name"] = request.POST.get("account_name", "").strip()[:64]
    number = applying.normalise_account(request.POST.get("account_number", ""))[:40]
    draft["account"] = encrypt(number) if number else ""
    problems: dict[str, str] = {}
    for field in _fields(benefit):
        for upload in request.FILES.getlist(field["name"]):
            if len(draft["documents"]) >= applying.MAX_DOCUMENTS:
                problems[field["name"]] = _("最多上传 {n} 个文件").format(n=applying.MAX_DOCUMENTS)
                break
            try:
                item = applying.stage(read_upload(upload), name=upload.name or "", kind=field["kind"])
            except ApplicationError as refused:
                problems[field["name"]] = f"{upload.name}：{refused}"
            else:
                draft["documents"].append(item)
    _save(request, draft)
    if request.POST.get("action") == "review":
        problems = {**_problems(draft), **problems}
        if not problems:
            return redirect("portal:apply_review", benefit=benefit)
    status = 400 if problems else 200
    kept = request.POST.get("action") != "review"
    context = _form_context(
        request, citizen, draft, problems=problems, errors=_ordered(problems, benefit), kept=kept
    )
    return render(request, "portal/apply_form.html", context, status=status)


# --- review and send ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@citizen_required
def apply_review(request: HttpRequest, benefit: str) -> HttpResponse:
    citizen = citizen_of(request)
    benefit = _benefit_or_404(benefit)
    draft = request.session.get(DRAFT)
    if not (
        isinstance(draft, dict) and draft.get("owner") == _owner(citizen) and draft.get("benefit") == benefit
    ):
        return redirect("portal:apply_form", benefit=benefit)
    problems: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("action") == "remove":
        index = request.POST.get("document", "")
        if index.isdigit() and int(index) < len(draft["documents"]):
            applying.unstage([draft["documents"].pop(int(index))])
            _save(request, draft)
        return redirect("portal:apply_review", benefit=benefit)
    if request.method == "POST":
        application, problems = _send(citizen, draft, declared=request.POST.get("declaration") == "yes")
        if application is not None:
            applying.unstage(draft["documents"])
            request.session.pop(DRAFT, None)
            return redirect("portal:apply_done", application_id=application.pk)
        _save(request, draft)
    missing = _problems(draft)
    account = _account(draft)
    form_url = reverse("portal:apply_form", args=[benefit])
    errors = [
        (
            name,
            "" if not anchor else f"#{anchor}" if name == "declaration" else f"{form_url}#{anchor}",
            message,
        )
        for name, anchor, message in _ordered({**missing, **problems}, benefit)
    ]
    context = {
        "portal_section": "apply",
        "citizen": citizen,
        "benefit": benefit,
        "benefit_name": Benefit(benefit).label,
        "account_name": draft["account_name"],
        "account_masked": mask_account(account) if account else "",
        "staged": [{**d, "label": K(d["kind"]).label} for d in draft["documents"]],
        "township": mine.office_of("township", _where(citizen), letters.region_names(_codes(citizen))),
        "ready": not missing,
        "errors": errors,
        "problems": problems,
    }
    return render(request, "portal/apply_review.html", context, status=400 if errors else 200)


def _where(citizen: Citizen) -> Application:
    """An unsaved application naming the person's county and township (for the office's name)."""
    region = citizen.person.region_id
    return Application(county_code=region[:6], township_code=region[:9] if len(region) >= 9 else "")


def _codes(citizen: Citizen) -> set[str]:
    region = citizen.person.region_id
    return {region[:6], region[:9]}


def _send(
    citizen: Citizen, draft: dict[str, Any], *, declared: bool
) -> tuple[Application | None, dict[str, str]]:
    uploads = []
    for item in list(draft["documents"]):
        try:
            data = applying.staged_bytes(item)
        except (OSError, DocumentRefused, ValueError):
            draft["documents"].remove(item)  # swept after a long pause: ask for it again
            continue
        uploads.append(applying.Upload(kind=item["kind"], name=item["name"], data=data))
    try:
        application = applying.citizen_apply(
            citizen=citizen,
            benefit=draft["benefit"],
            account_name=draft["account_name"],
            account_number=_account(draft),
            declared=declared,
            documents=uploads,
        )
    except ApplicationError as refused:
        return None, {refused.field or "benefit": str(refused)}
    return application, {}


urlpatterns = [
    path("apply/", apply_start, name="apply"),
    path("apply/<str:benefit>/", apply_form, name="apply_form"),
    path("apply/<str:benefit>/review/", apply_review, name="apply_review"),
]
