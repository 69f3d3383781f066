"""Registry pages: home (counts for the user's region), search, person, full-value view."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import unicodedata
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip, require_can
from huican.core.audit import audit_record
from huican.core.crypto import DecryptionError, decrypt, decrypt_many, encrypt
from huican.core.dates import age_on
from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.registry import selectors, services
from huican.registry.forms import RevealForm, SearchForm
from huican.registry.models import Person

logger = logging.getLogger(__name__)
PAGE_SIZE = 20


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    table = selectors.certified_counts(request.user, on=today)
    context = {
        "table": table,
        "today": today,
        "category_names": list(CATEGORY_NAMES.values()),
        "grade_names": list(GRADE_NAMES.values()),
    }
    return render(request, "registry/home.html", context)


# ID and certificate numbers never travel in a URL (proxy and server logs, browser history): the
# search form is POSTed, the query is kept encrypted in the session under a random token, and the
# results pages (and their pagination) carry only `?s=<token>`. A GET `?q=` is still served for a
# name, and refused for anything with a run of digits.
SEARCHES_KEY = "registry_searches"
SEARCHES_KEPT = 20
_NUMBER_IN_QUERY = re.compile(r"\d{4,}")


def _keep_query(request: HttpRequest, query: str) -> str:
    token = secrets.token_urlsafe(12)
    kept = dict(request.session.get(SEARCHES_KEY) or {})
    kept[token] = encrypt(query)
    request.session[SEARCHES_KEY] = dict(list(kept.items())[-SEARCHES_KEPT:])
    return token


def _kept_query(request: HttpRequest, token: str) -> str | None:
    stored = (request.session.get(SEARCHES_KEY) or {}).get(token)
    if not isinstance(stored, str):
        return None
    try:
        return decrypt(stored)
    except (DecryptionError, ValueError):
        return None


def carries_number(query: str) -> bool:
    """A query with a run of digits (an ID or certificate number, or part of one)."""
    return bool(_NUMBER_IN_QUERY.search(unicodedata.normalize("NFKC", query)))


@require_can("browse_registry")
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    token = ""
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid() and form.cleaned_data["q"]:
            token = _keep_query(request, form.cleaned_data["q"])
            return redirect(reverse("registry:search") + "?" + urlencode({"s": token}), permanent=False)
    elif request.GET.get("s"):
        token = request.GET["s"]
        query = _kept_query(request, token)
        if query is None:
            expired: dict[str, object] = {"form": SearchForm(), "page": None, "result": None, "expired": True}
            return render(request, "registry/search.html", expired, status=404)
        form = SearchForm({"q": query})
    elif carries_number(request.GET.get("q", "")):
        refused: dict[str, object] = {
            "form": SearchForm(),
            "page": None,
            "result": None,
            "number_in_url": True,
        }
        return render(request, "registry/search.html", refused, status=400)
    else:
        form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "page": None, "result": None}
    if not form.is_bound:
        return render(request, "registry/search.html", context)
    if not form.is_valid():
        return render(request, "registry/search.html", context, status=400)
    result = selectors.search_persons(request.user, form.cleaned_data["q"])
    if result.mode:
        page = Paginator(result.persons, PAGE_SIZE).get_page(request.GET.get("page"))
        query = urlencode({"s": token} if token else {"q": form.cleaned_data["q"]})
        context.update(result=result, page=page, query=query)
        audit_record(
            actor=request.user,
            action="registry.search",
            object_type="registry.Person",
            region_code=region_prefix_for(request.user) or "",
            detail={
                "mode": result.mode,
                "query": result.audit_query,
                "results": page.paginator.count,
                "page": page.number,
            },
            ip_address=client_ip(request),
        )
    return render(request, "registry/search.html", context)


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.access_person_by_id(request.user, person_id)
    today = timezone.localdate()
    decision_day, date_error = _decision_day(request.GET.get("on", ""), today)
    audit_record(
        actor=request.user,
        action="registry.person_view",
        object_type="registry.Person",
        object_id=person.pk,
        region_code=person.region_id,
        ip_address=client_ip(request),
    )
    try:
        decisions = selectors.explained_decisions(person, on=decision_day)
        decisions_failed = False
    except Exception:  # one person's explanation must not take the whole page down
        logger.exception("explain_person failed for person %s", person.pk)
        decisions, decisions_failed = None, True
    context = {
        "person": person,
        "today": today,
        "age": age_on(person.birth_date, today),
        "valid": _valid_on(person, today),
        "region_path": selectors.region_path(person),
        "household": selectors.household_members(request.user, person),
        "surveys": selectors.survey_history(person),
        "memberships": selectors.list_memberships(request.user, person),
        "entitlements": selectors.entitlements(person),
        "decisions": decisions,
        "decisions_failed": decisions_failed,
        "decision_day": decision_day,
        "date_error": date_error,
        "may_reveal": can(request.user, "view_full_id"),
        "may_edit": services.may_edit(request.user, person),
        "changes": selectors.change_history(person),
        "person_documents": list(person.documents.all()),
    }
    return render(request, "registry/person.html", context)


def _decision_day(value: str, today: dt.date) -> tuple[dt.date, str]:
    """The date the user picked for the decisions (YYYY-MM-DD), or today with a message."""
    value = value.strip()
    if not value:
        return today, ""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return today, _("日期格式应为 年-月-日（如 2025-06-30），以下按今天判定。")
    if not dt.date(1950, 1, 1) <= day <= dt.date(today.year + 5, 12, 31):
        return today, _("日期超出可判定的范围，以下按今天判定。")
    return day, ""


def _valid_on(person: Person, day: dt.date) -> bool:
    """The certificate is valid on `day` (same definition as selectors.valid_certificate_q)."""
    normal = person.status == Person.Status.NORMAL or bool(person.status_date and person.status_date > day)
    return normal and person.issue_date <= day < person.expiry_date


@login_required
@require_http_methods(["GET", "POST"])
def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """Show the full ID number and phone once, after the user gives a reason (audited)."""
    person = selectors.access_person_by_id(request.user, person_id)
    if not can(request.user, "view_full_id"):
        raise PermissionDenied(_("您的账户无权查看完整个人信息。"))
    form = RevealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        id_number, phone = decrypt_many([person.id_number_encrypted, person.phone_encrypted])
        audit_record(
            actor=request.user,
            action="registry.reveal",
            object_type="registry.Person",
            object_id=person.pk,
            region_code=person.region_id,
            reason=form.cleaned_data["reason"],
            detail={"fields": ["id_number", "phone"]},
            ip_address=client_ip(request),
        )
        context = {"person": person, "id_number": id_number, "phone": phone}
        return render(request, "registry/reveal_done.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/reveal.html", {"person": person, "form": form}, status=status)
