"""SQLite's page cache per connection is bounded (issue 13: the demo server grew by 0.7 GB in an hour).

Each request thread of the demo's server and the worker hold a connection; its page cache was
200 MB and filled as the database grew (docs/operations.md, "Memory").
"""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_a_connections_page_cache_is_at_most_64_mb() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (pages_or_kib,) = cursor.fetchone()
    assert pages_or_kib < 0, "set in KiB (negative), not in pages"
    assert -pages_or_kib <= 64 * 1024
