"""The API docs page: Swagger UI from the installed package, in a Chinese page with our contrast fixes."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from tests.factories import make_user


@pytest.mark.django_db
def test_the_docs_page_is_ours_and_loads_only_local_files(client: Client) -> None:
    client.force_login(make_user())
    page = client.get("/api/v1/docs").content.decode()
    assert '<html lang="zh-CN">' in page
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/css/api-docs.css" in page
    assert re.findall(r'(?:src|href)="(?:https?:)?//', page) == []
    # deep links put a link inside each operation's button (an interactive control in another)
    assert '"deepLinking": false' in html.unescape(page)
