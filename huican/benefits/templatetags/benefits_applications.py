"""Template helpers for pages of other apps that link to applications (the registry's person page,
a finding's page), so that those lower apps need not import this one: `{% load benefits_applications %}`."""

from __future__ import annotations

from typing import Any

from django import template

from huican.benefits.selectors import applications_for, open_applications_for
from huican.benefits.services import FINDING_BENEFITS, may_use_window

register = template.Library()


@register.filter
def may_apply_for(user: Any, person: Any) -> bool:
    """`{% if user|may_apply_for:person %}`: the user works at a window whose region holds the person."""
    return may_use_window(user, person=person)


@register.simple_tag
def applications_of(user: Any, person: Any) -> list[Any]:
    """`{% applications_of user person as found %}`: the person's applications the user may see."""
    return list(applications_for(user).filter(person=person).order_by("-applied_on", "-id")[:20])


@register.simple_tag
def finding_applications(user: Any, finding: Any) -> dict[str, Any]:
    """`{% finding_applications user finding as led_to %}`: the applications the finding led to (that
    the user may see), and whether the user may start one now (代为申请: a `*_not_covered` finding
    of a subsidy, a window in the person's region, no open application of that subsidy)."""
    benefit = FINDING_BENEFITS.get(finding.code)
    may_apply = (
        benefit is not None
        and may_use_window(user, person=finding.person)
        and not open_applications_for(user).filter(person_id=finding.person_id, benefit=benefit).exists()
    )
    return {
        "applications": list(applications_for(user).filter(finding=finding).order_by("-id")),
        "may_apply": may_apply,
    }
