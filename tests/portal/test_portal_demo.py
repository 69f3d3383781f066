"""`huican demo` prints citizens a visitor can sign in as, and the code appears on its console."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from huican.portal.demo import print_signin_examples
from huican.portal.sms import ConsoleSender
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_the_printed_numbers_sign_in_and_the_code_is_printed(capsys: Any) -> None:
    make_person(name="没手机")  # no phone on record: never offered
    person = make_person(name="张测安", phone="19912345678")
    lines: list[str] = []
    print_signin_examples(lines.append)
    text = "\n".join(lines)
    assert "没手机" not in text and "张测安" in text and "验证码打印在本控制台" in text
    found = re.search(r"身份证号 (\S{18}) / 残疾人证号 (\S{20})", text)
    assert found is not None
    client = Client()
    client.post(reverse("portal:signin"), {"id_number": found[1], "certificate_number": found[2]})
    printed = capsys.readouterr().out
    code = re.search(r"【惠残演示】向 199\*\*\*\*5678 发送验证码 (\d{6})", printed)
    assert code is not None
    assert client.post(reverse("portal:signin_code"), {"code": code[1]})["Location"] == reverse("portal:me")
    assert client.session["portal_citizen"]["person_id"] == person.pk
    assert ConsoleSender.last_to("19912345678") is not None


def test_nothing_is_printed_without_anybody_to_sign_in_as() -> None:
    lines: list[str] = []
    print_signin_examples(lines.append)
    assert lines == []
