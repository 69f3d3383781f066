"""No full ID number in any log line (docs/security.md, C3).

Search forms are POSTed so ID numbers stay out of URLs; this is the net beneath: every log record
made in the process (Django's request and server logs, Waitress, background jobs, tracebacks) has
each run of 15–20 digits (an ID or certificate number, possibly ending in X) masked to its first
and last four characters before any handler sees it. Installed by ``LOGGING_CONFIG`` (settings).
"""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

NUMBER = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{7,12}([0-9]{3}[0-9Xx])(?![0-9])")


def mask_numbers(text: str) -> str:
    return NUMBER.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)


def _mask(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it to the handler to report
        return record
    masked = mask_numbers(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        if NUMBER.search(text):
            record.exc_text = mask_numbers(text)
    return record


class OneLineClientErrors(logging.Filter):
    """A 4xx answer (403 for a page the role may not use, 404, 405 …) is ordinary operation.

    Django's ``django.request`` logger logs it as a warning with the exception attached, which
    printed a full traceback on the console for every refusal. On that logger this filter turns
    such a record into one line — method, path, user id, status — without a traceback; 5xx
    records keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        request = getattr(record, "request", None)
        method = str(getattr(request, "method", "") or "-")
        path = str(getattr(request, "path", "") or "-").encode("unicode_escape").decode("ascii")
        user = getattr(request, "user", None)
        user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
        record.msg = mask_numbers(f"{method} {path} user={user_id or '-'} status={status}")
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


_installed = False


def install() -> None:
    """Mask numbers in every record this process makes (idempotent)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _mask(make(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def configure_logging(config: dict[str, Any]) -> None:
    """``LOGGING_CONFIG``: Django's dictConfig of ``LOGGING``, plus the masking."""
    install()
    if config:
        logging.config.dictConfig(config)
