"""The API docs page (/api/v1/docs): django-ninja's Swagger UI, served from the installed package,
in our page (Chinese ``lang``, our title) with our contrast fixes.

Swagger UI's own colours fail WCAG 2.1 AA contrast (the white method names on light blue and green,
the green version stamp, the light-blue links: 36 failures found by axe); ``css/api-docs.css``,
loaded after Swagger's stylesheet, darkens them. Deep links are off: they put a link inside each
operation's button (an interactive control inside another). Every file is static and local (no CDN;
``script-src 'self'`` holds: the settings travel as JSON text in a hidden element, which ninja's
``swagger-ui-init.js`` reads).
"""

from __future__ import annotations

from typing import Any

from ninja.openapi.docs import Swagger

DOCS_SETTINGS: dict[str, Any] = {
    "deepLinking": False,
    "defaultModelsExpandDepth": -1,  # the schema section repeats what each operation shows
    "syntaxHighlight": {"activated": False},  # its dark theme's colours fail contrast too
    "displayRequestDuration": False,
}


class AccessibleSwagger(Swagger):
    template = "api/docs.html"

    def __init__(self) -> None:
        super().__init__(settings=DOCS_SETTINGS)
