from typing import Any

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """残疾人服务 · 一网通办: the pages for the people the federation serves, under /portal/.

    Separate from the staff pages: its own layout (portal/base.html), its own preferences (长辈版,
    high contrast) and, for signed-in citizens, its own session key — never a staff login.
    """

    name = "huican.portal"
    label = "portal"
    verbose_name = "残疾人服务"

    def ready(self) -> None:
        from huican.core import inbox

        inbox.register("portal_requests", _requests_in_inbox)


def _requests_in_inbox(*args: Any, **kwargs: Any) -> Any:
    from huican.portal.requests_inbox import requests_in_inbox

    return requests_in_inbox(*args, **kwargs)
