"""Display preferences of the portal (长辈版 large text, high contrast), remembered in a cookie.

Switched by a plain form (no JavaScript needed); the cookie holds only the two choices. A
context processor hands them to every portal page as ``portal_prefs``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import HttpRequest, HttpResponse

COOKIE = "huican_portal_prefs"
MAX_AGE = 365 * 24 * 3600
CHOICES = ("elder", "contrast")


@dataclass(frozen=True)
class Preferences:
    elder: bool = False  # 长辈版: larger text, simpler layout
    contrast: bool = False  # 高对比度

    @property
    def body_classes(self) -> str:
        return " ".join(name for name in CHOICES if getattr(self, name))


def read(request: HttpRequest) -> Preferences:
    chosen = set(request.COOKIES.get(COOKIE, "").split(","))
    return Preferences(elder="elder" in chosen, contrast="contrast" in chosen)


def toggled(prefs: Preferences, name: str) -> Preferences:
    """`prefs` with the choice `name` switched (unchanged for an unknown name)."""
    if name in CHOICES:
        return replace(prefs, **{name: not getattr(prefs, name)})
    return prefs


def remember(response: HttpResponse, prefs: Preferences) -> None:
    value = ",".join(name for name in CHOICES if getattr(prefs, name))
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, samesite="Lax", secure=False, httponly=True)


def context(request: HttpRequest) -> dict[str, Preferences]:
    return {"portal_prefs": read(request)}
