"""我要咨询投诉 (the citizen's side of 12385): send a request, read the office's reply, rate it.

A signed-in citizen (or their agent) sends any kind of request for the person of the session; the
person never comes from a form or a URL. Without signing in, only an enquiry (咨询) or a suggestion
(建议) may be sent, with a mobile number to answer to and the county it concerns: nothing personal
is shown back. A request id in a URL must be the person's own, otherwise 404. Plain POST forms, no
JavaScript. The rules are in ``portal.requests``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.decorators import client_ip
from huican.core.crypto import decrypt, mask_phone
from huican.portal import requests as services
from huican.portal import session
from huican.portal.models import CitizenRequest
from huican.portal.session import Citizen, citizen_required
from huican.portal.signin import mobile_number
from huican.regions.models import Region

DONE = "portal_request_done"
ANONYMOUS_ACTOR = "群众:未登录"
FIELDS = ("kind", "category", "description", "contact_preference", "contact_phone", "caller_name", "county")


def _counties() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.COUNTY, code__startswith="1409").order_by("code"))


def _errors(problems: dict[str, str]) -> list[tuple[str, str, str]]:
    """(field, link, message) for the error summary, in the order of the form."""
    order = list(FIELDS)
    ranked = sorted(problems.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    links = {"kind": "#id_kind_0", "contact_preference": "#id_contact_preference_0"}
    return [(name, links.get(name, f"#id_{name}") if name != "__all__" else "", m) for name, m in ranked]


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    citizen = session.current(request)
    kinds = CitizenRequest.Kind.choices
    if citizen is None:
        kinds = [(k, label) for k, label in kinds if k in services.ANONYMOUS_KINDS]
    values: dict[str, str] = {name: request.POST.get(name, "").strip() for name in FIELDS}
    if request.method == "GET":
        values["contact_preference"] = CitizenRequest.Contact.PHONE
    problems: dict[str, str] = {}
    if request.method == "POST":
        created, problems = _create(request, citizen, values)
        if created is not None:
            request.session[DONE] = {
                "number": created.number,
                "due": created.due_on.isoformat(),
                "office": created.office,
                "reply": created.contact_preference,
            }
            return redirect("portal:request_done")
    registered = ""
    if citizen is not None and _registered_phone(citizen):
        registered = mask_phone(_registered_phone(citizen))
    context = {
        "portal_section": "request",
        "citizen": citizen,
        "kinds": kinds,
        "categories": CitizenRequest.Category.choices,
        "contacts": CitizenRequest.Contact.choices,
        "counties": _counties() if citizen is None else [],
        "values": values,
        "problems": problems,
        "errors": _errors(problems),
        "registered_phone": registered,
        "days": {str(k): n for k, n in services.REPLY_WORKING_DAYS.items()},
    }
    response = render(request, "portal/request_new.html", context, status=400 if problems else 200)
    response["Cache-Control"] = "no-store"
    return response


def _registered_phone(citizen: Citizen) -> str:
    """The mobile number on record: the agent's own when an agent signed in, else the person's."""
    if citizen.authorisation is not None:
        return mobile_number(decrypt(citizen.authorisation.agent_phone_encrypted))
    return mobile_number(decrypt(citizen.person.phone_encrypted)) if citizen.person.phone_encrypted else ""


def _create(
    request: HttpRequest, citizen: Citizen | None, values: dict[str, str]
) -> tuple[CitizenRequest | None, dict[str, str]]:
    phone = values["contact_phone"]
    region = None
    if citizen is None:
        actor: str = ANONYMOUS_ACTOR
        person = None
        if values["county"]:
            region = Region.objects.filter(code=values["county"], level=Region.Level.COUNTY).first()
        if region is None:
            return None, {"county": _("请选择是哪个县（市、区）的事")} | _only_phone(values)
    else:
        actor = citizen.actor
        person = citizen.person
        if not phone:  # 不填就用登记的手机号: the person's, or the agent's own
            phone = _registered_phone(citizen)
    try:
        created = services.request_create(
            channel=CitizenRequest.Channel.ONLINE,
            kind=values["kind"],
            category=values["category"],
            description=values["description"],
            contact_preference=values["contact_preference"],
            contact_phone=phone,
            caller_name=values["caller_name"] if citizen is None else "",
            person=person,
            region=region,
            actor=actor,
            ip_address=client_ip(request),
        )
    except services.RequestError as error:
        problems = dict(error.problems)
        if "region" in problems:  # the office is the county chosen on the form
            problems.setdefault("county", problems.pop("region"))
        return None, problems
    return created, {}


def _only_phone(values: dict[str, str]) -> dict[str, str]:
    """Without signing in, a reply needs a number: say so together with the missing county."""
    if values["contact_preference"] != CitizenRequest.Contact.NONE and not mobile_number(
        values["contact_phone"]
    ):
        return {"contact_phone": _("请填写 11 位手机号，办理结果会打电话或发短信告诉您")}
    return {}


@require_GET
def request_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(DONE)
    if not isinstance(done, dict):
        return redirect("portal:request_new")
    context = {
        "portal_section": "request",
        "done": done,
        "due": dt.date.fromisoformat(str(done.get("due"))),
        "signed_in": session.current(request) is not None,
    }
    response = render(request, "portal/request_done.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _own(citizen: Citizen, request_id: int) -> CitizenRequest:
    found = services.requests_of_person(citizen.person).filter(pk=request_id).first()
    if found is None:
        raise Http404(_("未找到该诉求"))
    return found


@require_GET
@citizen_required
def request_mine(request: HttpRequest, request_id: int) -> HttpResponse:
    citizen: Citizen = request.citizen  # type: ignore[attr-defined]
    return _mine_page(request, citizen, _own(citizen, request_id))


def _mine_page(
    request: HttpRequest, citizen: Citizen, item: CitizenRequest, problem: str = "", status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "portal_section": "me",
        "citizen": citizen,
        "item": item,
        "events": list(item.events.all()),
        "satisfactions": CitizenRequest.Satisfaction.choices,
        "problem": problem,
        "rated": request.GET.get("rated") == "1",
        "today": timezone.localdate(),
    }
    return render(request, "portal/request_mine.html", context, status=status)


@require_POST
@citizen_required
def request_rate(request: HttpRequest, request_id: int) -> HttpResponse:
    citizen: Citizen = request.citizen  # type: ignore[attr-defined]
    item = _own(citizen, request_id)
    try:
        services.request_rate(
            person=citizen.person,
            request_id=item.pk,
            satisfaction=request.POST.get("satisfaction", ""),
            actor=citizen.actor,
            ip_address=client_ip(request),
        )
    except services.RequestError as error:
        return _mine_page(request, citizen, item, problem=next(iter(error.problems.values())), status=400)
    return redirect(reverse("portal:request_mine", args=[item.pk]) + "?rated=1")
