"""Who may see and do what: the one place that decides (三员分立, region scope).

Every selector of personal records goes through these functions, and the filtering happens in
the database query. A person outside the user's region is a 404 (``Http404``), never a 403 that
would confirm the person exists.

Region scope: city staff see the whole city (prefix ``"1409"``), county staff their county
(6 digits), township staff their township (9 digits). Department officers and evaluators have
a region too, but never browse persons: officers import their own list kinds, evaluators see
aggregates only. The three administrators see no personal records at all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from huican.accounts.models import Role
from huican.exchange.kinds import KINDS
from huican.exchange.models import ListRecord
from huican.registry.models import Person

STAFF_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF})
REGIONAL_ROLES = STAFF_ROLES | {Role.DEPARTMENT_OFFICER, Role.EVALUATOR}

# Every action `can` knows; an unknown action is a programming error, not a "no".
ACTIONS = frozenset(
    {
        "browse_registry",
        "view_full_id",
        "import",
        "manage_standards",
        "view_standards",
        "view_findings",
        "view_aggregates",
        "read_audit",
        "manage_users",
        "manage_security",
    }
)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def region_prefix_for(user: Any) -> str | None:
    """The code prefix of the region the user may see; None means nothing.

    City → its first 4 digits (``"1409"``), county → 6 digits, township → 9, village → 12.
    """
    if not _active(user):
        return None
    if user.role not in REGIONAL_ROLES:
        return None
    region = user.region
    if region is None:
        return None
    if region.level == region.Level.CITY:
        return region.code[:4]
    return region.code


def region_q(prefix: str, *, field: str = "region__code") -> Q:
    """A filter on a region-code field for a prefix (use for any record with a region code)."""
    return Q(**{f"{field}__startswith": prefix})


def person_scope_q(prefix: str) -> Q:
    """The region filter on Person, using the indexed county column where it is exact."""
    if len(prefix) == 6:
        return Q(county_code=prefix)
    if len(prefix) < 6:
        return Q(county_code__startswith=prefix)
    return Q(region__code__startswith=prefix)  # region_id; no join: code is the primary key


def persons_for(user: Any) -> QuerySet[Person]:
    """The registry persons the user may browse (none for roles that never see a person)."""
    prefix = region_prefix_for(user)
    if prefix is None:
        return Person.objects.none()
    if not can(user, "browse_registry"):
        return Person.objects.none()
    return Person.objects.filter(person_scope_q(prefix))


def aggregate_persons_for(user: Any) -> QuerySet[Person]:
    """Persons the user may count (never list): staff and evaluators, within their region."""
    prefix = region_prefix_for(user)
    if prefix is None:
        return Person.objects.none()
    if not can(user, "view_aggregates"):
        return Person.objects.none()
    return Person.objects.filter(person_scope_q(prefix))


def access_person_by_id(user: Any, person_id: int) -> Person:
    """The person, if the user may see them; otherwise Http404 (whether or not they exist)."""
    try:
        return persons_for(user).select_related("region").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该人员") from None


def households_for(user: Any, household_number: str, county_code: str) -> QuerySet[Person]:
    """Members of one household (户) that the user may see."""
    return persons_for(user).filter(household_number=household_number, county_code=county_code)


def list_records_for(user: Any) -> QuerySet[ListRecord]:
    """Departmental list rows the user may see.

    Staff: rows of registry persons in their region. Department officers: rows of the list
    kinds they import (their own department's data). Everybody else: none.
    """
    if can(user, "browse_registry"):
        return ListRecord.objects.filter(id_hash__in=persons_for(user).values("id_hash"))
    if _active(user) and user.role == Role.DEPARTMENT_OFFICER:
        return ListRecord.objects.filter(kind__in=list(user.import_kinds or []))
    return ListRecord.objects.none()


def can(user: Any, action: str) -> bool:
    """Whether the user may perform `action` (see ACTIONS; ``import:<kind>`` for one kind).

    One condition per line, so tests prove each case.
    """
    if not _active(user):
        return False
    role = user.role
    has_region = region_prefix_for(user) is not None
    if action.startswith("import:"):
        return _can_import(user, action.removeprefix("import:"))
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "browse_registry":
        return role in STAFF_ROLES and has_region
    if action == "view_full_id":
        return role in STAFF_ROLES and has_region and bool(user.may_view_full)
    if action == "import":
        return any(_can_import(user, kind) for kind in _all_kinds())
    if action == "manage_standards":
        return role == Role.CITY_STAFF and has_region
    if action == "view_standards":
        return role in STAFF_ROLES | {Role.EVALUATOR} and has_region
    if action == "view_findings":
        return role in STAFF_ROLES | {Role.DEPARTMENT_OFFICER} and has_region
    if action == "view_aggregates":
        return role in STAFF_ROLES | {Role.EVALUATOR} and has_region
    if action == "read_audit":
        return role == Role.AUDIT_ADMIN
    if action == "manage_users":
        return role == Role.SYSTEM_ADMIN
    if action == "manage_security":
        return role == Role.SECURITY_ADMIN
    return False  # pragma: no cover - every action is handled above


def _can_import(user: Any, kind: str) -> bool:
    if kind not in _all_kinds():
        return False
    if user.role == Role.CITY_STAFF:
        return region_prefix_for(user) is not None
    if user.role == Role.DEPARTMENT_OFFICER:
        return kind in (user.import_kinds or [])
    return False


def _all_kinds() -> tuple[str, ...]:
    return IMPORT_KINDS


# FORMATS.md "Import kinds".
IMPORT_KINDS: tuple[str, ...] = tuple(KINDS)
