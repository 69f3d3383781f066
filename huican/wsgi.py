import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huican.settings")
os.umask(0o077)  # everything the web process creates under var/ (uploads, the database) is owner-only
application = get_wsgi_application()


def _refuse_foreign_keys() -> None:
    """A web process under keys other than the database's stops here (huican.core.keycheck)."""
    from huican.core.keycheck import KeyMismatch, check_keys

    try:
        check_keys()
    except KeyMismatch as exc:
        sys.stderr.write(f"huican: {exc}\n")
        raise SystemExit(2) from None


_refuse_foreign_keys()
