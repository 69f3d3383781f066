"""Small helpers for the browser tests."""

from __future__ import annotations

from typing import Any


def html(page: Any) -> str:
    """The page's HTML once it has finished loading.

    ``page.content()`` does not wait: read right after a click it can catch a document still being
    parsed on a slow machine. Waiting for the load event first makes text checks deterministic.
    """
    page.wait_for_load_state("load")
    return str(page.content())
