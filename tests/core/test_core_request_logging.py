"""A refusal is ordinary operation: one log line (method, path, user id, status), no traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from huican.accounts.models import Role
from tests.factories import make_user


def _request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.django_db
def test_a_403_logs_one_line_without_a_traceback(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    user = make_user(Role.SYSTEM_ADMIN, None)
    client.force_login(user)
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("audit:log")).status_code == 403
    (record,) = _request_records(caplog)
    assert record.exc_info is None and not record.exc_text
    assert record.getMessage() == f"GET /audit/ user={user.pk} status=403"
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_a_404_logs_one_line_without_a_traceback(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        assert client.get("/no-such-page/123456789012345678/").status_code == 404
    (record,) = _request_records(caplog)
    assert record.exc_info is None
    assert record.getMessage() == "GET /no-such-page/1234**********5678/ user=- status=404"


def test_a_server_error_keeps_its_traceback() -> None:
    from huican.core.logfilters import OneLineClientErrors

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    record.status_code = 500
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert OneLineClientErrors().filter(record)
    assert record.exc_info is not None and record.getMessage() == "boom"
