"""The URL map.

Each app with a ``urls.py`` is mounted below its prefix; an app's URLconf sets ``app_name`` to
its label and names its landing page ``index`` so the navigation finds it. Static files are
served by the application itself (no CDN, no extra server needed for the demo).
"""

from __future__ import annotations

from importlib.util import find_spec

from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

# app module, URL prefix
APP_URLCONFS = [
    ("huican.exchange", "imports/"),
    ("huican.policy", "policy/"),
    ("huican.benefits", "benefits/"),
    ("huican.matching", "findings/"),
    ("huican.care", "care/"),
    ("huican.monitoring", "monitoring/"),
    ("huican.portal", "portal/"),
]

urlpatterns: list = [
    path("", include("huican.registry.urls")),
    path("accounts/", include("huican.accounts.urls")),
    path("audit/", include("huican.core.urls")),
]

if find_spec("huican.api") is not None:  # /api/v1/ and /api/tokens/ (the module names its own paths)
    urlpatterns.append(path("", include("huican.api")))

for module, prefix in APP_URLCONFS:
    if find_spec(f"{module}.urls") is not None:
        urlpatterns.append(path(prefix, include(f"{module}.urls")))

# Static files from the app directories and huican/static, in every mode (the app ships only a
# few small files; a reverse proxy may serve STATIC_ROOT instead after `collectstatic`).
urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}))
