"""Who acted: the user behind an actor, and the name written for it in audit texts and records.

An actor is a signed-in user (staff in the web pages) or anything else that names who acted — the
operator's CLI, "system", a citizen's audit name — or None.
"""

from __future__ import annotations

from typing import Any


def user_of(actor: Any) -> Any:
    """The actor when it is a signed-in user, else None."""
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_name(actor: Any, fallback: str = "") -> str:
    """A user's full name (or username); any other actor as text, `fallback` when it is empty or None."""
    user = user_of(actor)
    if user is None:
        return str(actor or fallback)
    return str(user.get_full_name() or user.get_username())
