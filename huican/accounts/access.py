"""Who may see and do what: the one place that decides (三员分立, region scope).

Every selector of personal records goes through these functions, and the filtering happens in
the database query; each app's ``selectors.py`` applies them to its own records
(``registry.selectors.persons_for``/``access_person_by_id``, ``exchange.selectors.list_records_for``,
``matching.selectors.findings_for``). A person outside the user's region is a 404 (``Http404``),
never a 403 that would confirm the person exists.

Region scope: city staff see the whole city (prefix ``"1409"``), county staff their county
(6 digits), township staff their township (9 digits). Department officers and evaluators have
a region too, but never browse persons: officers import their own list kinds, evaluators see
aggregates only. A service organisation's staff (服务机构人员) never browse the registry either:
inside their region they see only the persons their organisation serves (``care.selectors``).
The three administrators see no personal records at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huican.accounts.models import Role

STAFF_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF})
REGIONAL_ROLES = STAFF_ROLES | {
    Role.DEPARTMENT_OFFICER,
    Role.EVALUATOR,
    Role.CIVIL_AFFAIRS_OFFICER,
    Role.SERVICE_ORG,
}

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
        "view_benefits",
        "approve_rolls",
        "record_services",
        "view_employment",
        "manage_employment",
        "employment_aid",
    }
)


def is_active_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def region_prefix_for(user: Any) -> str | None:
    """The code prefix of the region the user may see; None means nothing.

    City → its first 4 digits (``"1409"``), county → 6 digits, township → 9, village → 12.
    """
    if not is_active_user(user):
        return None
    if user.role not in REGIONAL_ROLES:
        return None
    region = user.region
    if region is None:
        return None
    if region.level == region.Level.CITY:
        return region.code[:4]
    return region.code


def can(user: Any, action: str) -> bool:
    """Whether the user may perform `action` (see ACTIONS; ``import:<kind>`` for one kind).

    One condition per line, so tests prove each case.
    """
    if not is_active_user(user):
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
    if action == "view_benefits":
        return role in STAFF_ROLES | {Role.CIVIL_AFFAIRS_OFFICER} and has_region
    if action == "approve_rolls":
        return role == Role.CIVIL_AFFAIRS_OFFICER and has_region
    if action == "record_services":
        return has_region and (
            role in STAFF_ROLES or (role == Role.SERVICE_ORG and bool(getattr(user, "organisation", "")))
        )
    if action == "view_employment":  # employers' declarations (EMPLOYMENT.md), in the user's region
        return role in STAFF_ROLES and has_region
    if action == "manage_employment":  # enter or correct a declaration: county and city staff
        return role in (Role.CITY_STAFF, Role.COUNTY_STAFF) and has_region
    if action == "employment_aid":  # 就业援助: job seeking, training, placement, follow-up, in the region
        return role in STAFF_ROLES and has_region
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
    return import_kinds()


# FORMATS.md "Import kinds", code → Chinese title. Declared once, by the import pipeline
# (``exchange.kinds.KINDS``), which registers them here in its AppConfig.ready().
IMPORT_KIND_TITLES: dict[str, str] = {}


def register_import_kinds(titles: Mapping[str, str]) -> None:
    IMPORT_KIND_TITLES.clear()
    IMPORT_KIND_TITLES.update(titles)


def import_kinds() -> tuple[str, ...]:
    return tuple(IMPORT_KIND_TITLES)
