"""Reads of declarations, scoped to the user's region in the query (a declaration outside it is a
404). A declaration belongs to the region of its 区划代码 (the county of registration, or the city:
then only city staff see it)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from huican.accounts.access import can, region_prefix_for
from huican.employment.models import Declaration, FederationStaff


def declarations_for(user: Any) -> QuerySet[Declaration]:
    prefix = region_prefix_for(user)
    if prefix is None or not can(user, "view_employment"):
        return Declaration.objects.none()
    return Declaration.objects.filter(region_code__startswith=prefix)


def declaration_for(user: Any, pk: int) -> Declaration:
    found = declarations_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有这份申报")
    return found


def years_for(user: Any) -> list[int]:
    return sorted(set(declarations_for(user).values_list("year", flat=True)), reverse=True)


def federation_staff_for(user: Any) -> QuerySet[FederationStaff]:
    prefix = region_prefix_for(user)
    if prefix is None or not can(user, "view_employment"):
        return FederationStaff.objects.none()
    return FederationStaff.objects.filter(county_code__startswith=prefix[:6])
