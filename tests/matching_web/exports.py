"""Follow a findings export from the page that started it to the file (tests run jobs at once)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse


def job_id_of(response: Any) -> int:
    """The export job a starting page redirected to (its progress page)."""
    assert response.status_code == 302, response.content[:500]
    match = re.fullmatch(r"/findings/exports/(\d+)/", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


def downloaded(client: Any, response: Any) -> Any:
    """The download response of the export that `response` started: through its progress page,
    which must offer the download link once the job is done."""
    job_id = job_id_of(response)
    progress = client.get(response["Location"])
    assert progress.status_code == 200
    link = reverse("matching:export_download", args=[job_id])
    assert f'href="{link}"' in progress.content.decode(), progress.content.decode()[:2000]
    return client.get(link)
