"""Issue 10: full ID numbers never reach a log line (request logs, server logs, tracebacks)."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from huican.core.crypto import decrypt
from tests.factories import World

NUMBER = "140902199001010016"
CERTIFICATE = NUMBER + "42"


def test_every_log_record_has_id_numbers_masked() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger = logging.getLogger("django.server")
    logger.addHandler(handler)
    try:
        logger.warning('"%s" %s %s', f"GET /registry/search/?q={NUMBER} HTTP/1.1", 400, 10)
        logging.getLogger("waitress").warning(f"certificate {CERTIFICATE.lower()} and {NUMBER[:17]}x")
        try:
            raise ValueError(f"bad value {NUMBER}")
        except ValueError:
            logging.getLogger("huican.core.tasks").exception("job failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert NUMBER not in text and NUMBER[:17] not in text and CERTIFICATE not in text
    assert "1409**********0016" in text
    # Phone numbers, years, counts and ids stay readable.
    assert mask_is_harmless("accepted 60000, rejected 12, phone 13812341234, 2025-01-01")


def mask_is_harmless(message: str) -> bool:
    from huican.core.logfilters import mask_numbers

    return mask_numbers(message) == message


@pytest.mark.django_db
def test_a_search_by_id_number_leaves_no_number_in_the_logs(
    world: World, client: Client, caplog: Any
) -> None:
    number = decrypt(world.alice.id_number_encrypted)
    client.force_login(world.users["county"])
    with caplog.at_level(logging.DEBUG):
        posted = client.post(reverse("registry:search"), {"q": number})
        client.get(posted["Location"])
        client.get(reverse("registry:search"), {"q": number})  # refused, logged as a bad request
        client.get(f"/no-such-page/{number}/")  # logged as not found, with the path
    assert caplog.records
    for record in caplog.records:
        assert number not in record.getMessage(), record.getMessage()
