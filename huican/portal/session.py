"""The signed-in citizen, kept under its own session key — never a Django login.

``request.session["portal_citizen"]`` holds the person (and the authorisation an agent acts under),
when they signed in and when they were last seen. ``request.user`` stays anonymous, so no staff page
ever lets a citizen in; and a request from a staff login never counts as a citizen. The citizen's
session ends after ``HUICAN_PORTAL_IDLE_SECONDS`` without a request (WCAG 2.2.1: every page shows
when, and a button extends it).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.portal.models import Authorisation
from huican.portal.signin import citizen_name
from huican.registry.models import Person

KEY = "portal_citizen"
PENDING = "portal_pending"
IDLE_OUT = "portal_idle_out"


@dataclass(frozen=True)
class Citizen:
    person: Person
    authorisation: Authorisation | None
    since: dt.datetime
    expires_at: dt.datetime  # when the session ends without another request
    messages_since: dt.datetime | None  # the previous sign-in: 我的 lists what changed after it

    @property
    def actor(self) -> str:
        return citizen_name(self.person, self.authorisation)

    @property
    def idle_minutes(self) -> int:
        return max(1, settings.HUICAN_PORTAL_IDLE_SECONDS // 60)


def _at(ts: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC) if ts else None


def sign_in(
    request: HttpRequest,
    person: Person,
    authorisation: Authorisation | None,
    previous_visit: dt.datetime | None,
) -> None:
    """A new session key (no fixation), then the citizen under its own key."""
    request.session.pop(PENDING, None)
    request.session.pop(IDLE_OUT, None)
    request.session.cycle_key()
    now = time.time()
    request.session[KEY] = {
        "person_id": person.pk,
        "authorisation_id": authorisation.pk if authorisation else None,
        "since": now,
        "last_seen": now,
        "messages_since": previous_visit.timestamp() if previous_visit else None,
    }


def sign_out(request: HttpRequest, *, reason: str = "signout") -> None:
    data = request.session.pop(KEY, None)
    if data:
        person = Person.objects.filter(pk=data.get("person_id")).first()
        authorisation = Authorisation.objects.filter(pk=data.get("authorisation_id") or 0).first()
        if person is not None:
            audit_record(
                actor=citizen_name(person, authorisation),
                action=f"portal.{reason}",
                object_type="registry.Person",
                object_id=person.pk,
                region_code=person.region_id,
                ip_address=client_ip(request),
            )
    request.session.cycle_key()


def current(request: HttpRequest) -> Citizen | None:
    """The signed-in citizen, after the idle check (which also refreshes the time); else None."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return None  # a staff login is never a citizen
    data = request.session.get(KEY)
    if not isinstance(data, dict):
        return None
    now = time.time()
    idle = settings.HUICAN_PORTAL_IDLE_SECONDS
    if now - float(data.get("last_seen", 0)) > idle:
        sign_out(request, reason="signout_idle")
        request.session[IDLE_OUT] = True
        return None
    person = Person.objects.filter(pk=int(data.get("person_id") or 0)).first()
    authorisation = None
    if data.get("authorisation_id"):
        authorisation = Authorisation.objects.filter(pk=data["authorisation_id"], person=person).first()
        if authorisation is None or not authorisation.active_on(timezone.localdate()):
            sign_out(request, reason="signout_revoked")
            return None
    if person is None:
        request.session.pop(KEY, None)
        return None
    data["last_seen"] = now
    request.session.modified = True
    return Citizen(
        person=person,
        authorisation=authorisation,
        since=_at(float(data["since"])) or timezone.now(),
        expires_at=_at(now + idle) or timezone.now(),
        messages_since=_at(data.get("messages_since")),
    )


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets ``request.citizen``; without a signed-in citizen, the sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = current(request)
        if citizen is None:
            return redirect("portal:signin")
        request.citizen = citizen  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped
