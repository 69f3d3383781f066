"""Sending the portal's SMS (sign-in codes) through a pluggable sender.

``HUICAN_SMS_SENDER`` names a class by dotted path; it is built once per process and called as
``sender.send(message)``. A real deployment plugs in its gateway (运营商或政务短信平台) with a class
of the same shape. The default outside production, :class:`ConsoleSender`, prints the message to
the console of ``huican demo`` (saying so) and keeps the last messages in memory for tests; it is
refused in production (settings refuse it at start, and :func:`sender` again here).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from huican.core.crypto import mask_phone

CONSOLE_SENDER = "huican.portal.sms.ConsoleSender"


@dataclass(frozen=True)
class SmsMessage:
    phone: str  # the full number: only the sender ever sees it
    code: str
    text: str  # the message as the person reads it


class SmsSender(Protocol):
    def send(self, message: SmsMessage) -> None: ...


class SmsNotAvailable(Exception):
    """No sender is configured (or the one configured is not allowed here)."""


class ConsoleSender:
    """The demo's and the tests' sender: prints to the console, remembers the last 50 messages."""

    outbox: deque[SmsMessage] = deque(maxlen=50)
    _lock = threading.Lock()

    def send(self, message: SmsMessage) -> None:
        if message.code:
            line = f"发送验证码 {message.code}（演示环境：验证码只打印在此控制台）"
        else:
            line = f"发送短信：{message.text}（演示环境：短信只打印在此控制台）"
        print(f"【惠残演示】向 {mask_phone(message.phone)} {line}", flush=True)
        with self._lock:
            self.outbox.append(message)

    @classmethod
    def last_to(cls, phone: str) -> SmsMessage | None:
        """The newest message to `phone` (tests read the code from here)."""
        with cls._lock:
            for message in reversed(cls.outbox):
                if message.phone == phone:
                    return message
        return None


def check_setting(path: str, *, production: bool) -> None:
    """Refuse the console sender in production: codes would never reach anybody's phone."""
    if production and path == CONSOLE_SENDER:
        raise ImproperlyConfigured(
            "生产环境不能使用演示用的控制台短信发送（HUICAN_SMS_SENDER）：请配置真实的短信网关类，"
            "或留空以关闭群众网上登录"
        )


@lru_cache(maxsize=4)
def _build(path: str) -> SmsSender:
    sender: SmsSender = import_string(path)()
    return sender


def sender() -> SmsSender:
    path = str(getattr(settings, "HUICAN_SMS_SENDER", "") or "")
    if not path:
        raise SmsNotAvailable("未配置短信发送（HUICAN_SMS_SENDER）")
    try:
        check_setting(path, production=bool(getattr(settings, "PRODUCTION", False)))
    except ImproperlyConfigured as exc:
        raise SmsNotAvailable(str(exc)) from exc
    return _build(path)


def send_code(*, phone: str, code: str) -> None:
    text = f"【忻州市残联】您的登录验证码是 {code}，5 分钟内有效。请勿告诉他人，工作人员不会向您索要验证码。"
    sender().send(SmsMessage(phone=phone, code=code, text=text))
