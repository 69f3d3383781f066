"""Template helpers for pages of other apps that link to applications (the registry's person page),
so that those apps need not import this one: `{% load benefits_applications %}`."""

from __future__ import annotations

from typing import Any

from django import template

from huican.benefits.selectors import applications_for
from huican.benefits.services import may_use_window

register = template.Library()


@register.filter
def may_apply_for(user: Any, person: Any) -> bool:
    """`{% if user|may_apply_for:person %}`: the user works at a window whose region holds the person."""
    return may_use_window(user, person=person)


@register.simple_tag
def applications_of(user: Any, person: Any) -> list[Any]:
    """`{% applications_of user person as found %}`: the person's applications the user may see."""
    return list(applications_for(user).filter(person=person).order_by("-applied_on", "-id")[:20])
