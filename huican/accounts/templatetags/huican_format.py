"""Small display filters shared by the templates."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    """是 / 否 / 未填 — an unknown fact is shown as unknown, never as "no" (RULES.md)."""
    if value is None:
        return "未填"
    return "是" if value else "否"


@register.filter
def clause_mark(passed: bool | None) -> str:
    """The outcome of one clause of a decision, in words (not only a colour or a symbol)."""
    if passed is None:
        return "［未知］"
    return "［满足］" if passed else "［不满足］"
