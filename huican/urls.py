"""The URL map.

Each app with pages has a ``urls.py`` mounted below its prefix; its URLconf sets ``app_name`` to
its label and names its landing page ``index`` (the navigation links to it). Static files are
served by the application itself (no CDN, no extra server needed for the demo).
"""

from __future__ import annotations

from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

urlpatterns: list = [
    path("", include("huican.registry.urls")),
    path("accounts/", include("huican.accounts.urls")),
    path("audit/", include("huican.accounts.audit_urls")),
    path("", include("huican.api")),  # /api/v1/ and /api/tokens/ (the module names its own paths)
    path("imports/", include("huican.exchange.urls")),
    path("policy/", include("huican.policy.urls")),
    path("findings/", include("huican.matching.urls")),
    path("inbox/", include("huican.matching.views_inbox")),
    path("benefits/", include("huican.benefits.urls")),
    path("care/", include("huican.care.urls")),
    path("employment/", include("huican.employment.urls")),
    path("monitoring/", include("huican.monitoring.urls")),
    path("portal/", include("huican.portal.urls")),
]

# Static files from the app directories and huican/static, in every mode (the app ships only a
# few small files; a reverse proxy may serve STATIC_ROOT instead after `collectstatic`).
urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}))
