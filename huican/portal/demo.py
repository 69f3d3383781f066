"""What `huican demo` prints so a visitor can sign in as a citizen: a few synthetic persons with a
phone on record and a valid certificate (their full numbers: the data is fake), and where the code
will appear (the console sender prints it)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from huican.benefits.models import Application, RollLine
from huican.core.crypto import decrypt
from huican.portal import sms
from huican.registry.models import Person
from huican.registry.selectors import valid_certificate_q


def example_persons(limit: int = 2) -> list[Person]:
    """Persons who can sign in (a phone, a valid certificate), those with applications or payments first."""
    candidates = (
        Person.objects.filter(valid_certificate_q(timezone.localdate()))
        .exclude(phone_encrypted="")
        .annotate(
            applied=Exists(Application.objects.filter(person=OuterRef("pk"))),
            paid=Exists(RollLine.objects.filter(person=OuterRef("pk"))),
        )
    )
    return list(candidates.order_by("-applied", "-paid", "id")[:limit])


def print_signin_examples(echo: Callable[[str], None]) -> None:
    persons = example_persons()
    if not persons:
        return
    echo("群众登录（网址后加 /portal/signin/；虚拟数据，可以直接用）：")
    for person in persons:
        number = decrypt(person.id_number_encrypted)
        echo(f"  {person.name}：身份证号 {number} / 残疾人证号 {number}{person.category}{person.grade}")
    if getattr(settings, "HUICAN_SMS_SENDER", "") == sms.CONSOLE_SENDER:
        echo("  演示环境不发真短信：验证码打印在本控制台（“【惠残演示】向 … 发送验证码 …”）。")
