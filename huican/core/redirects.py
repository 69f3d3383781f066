"""The redirect after a save: to the page's confirmation, which then has the keyboard focus.

``base.html`` renders Django's messages in ``<div id="message" tabindex="-1">``
(``partials/messages.html``). A redirect to ``…#message`` makes the browser scroll to that block
and focus it (the HTML "scroll to the fragment" steps focus a focusable target), so a screen
reader reads the confirmation and the next Tab starts from it — without any JavaScript. Without
the fragment the focus stayed on the page body and the confirmation went unheard.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url

MESSAGE_ANCHOR = "message"


def redirect_to_message(to: Any, *args: Any, **kwargs: Any) -> HttpResponseRedirect:
    """``redirect(to, *args, **kwargs)`` to the confirmation (a URL already with a fragment is kept)."""
    url = resolve_url(to, *args, **kwargs)
    return HttpResponseRedirect(url if "#" in url else f"{url}#{MESSAGE_ANCHOR}")
