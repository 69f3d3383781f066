"""Pages of the monthly rolls, entitlements and the calendar (thin: the rules are in ``roll``/``rolls``)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
