"""`huican keys rotate`: every encrypted field ends under the current key and still decrypts."""

from __future__ import annotations

import argparse
import base64
import os

import pytest

from huican.core.commands import encrypted_fields, run_keys
from huican.core.crypto import DecryptionError, decrypt, encrypt
from huican.core.models import AuditEntry
from huican.exchange.models import ImportBatch, ListRecord
from huican.registry.models import Person
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def new_key(version: str) -> str:
    return f"{version}:{base64.b64encode(os.urandom(32)).decode()}"


def test_encrypted_fields_cover_persons_and_lists() -> None:
    found = {model._meta.label: set(fields) for model, fields in encrypted_fields()}
    assert {"id_number_encrypted", "phone_encrypted"} <= found["registry.Person"]
    assert "id_number_encrypted" in found["exchange.ListRecord"]


def test_rotate_re_encrypts_everything_with_the_current_key(settings, capsys) -> None:  # type: ignore[no-untyped-def]
    old, new = new_key("7"), new_key("8")
    settings.HUICAN_DATA_KEYS = old
    person = make_person(phone="13900001111")
    plain_id = decrypt(person.id_number_encrypted)
    batch = ImportBatch.objects.create(kind="dibao", file_name="d.csv", checksum="c", status="done")
    record = ListRecord.objects.create(
        batch=batch,
        kind="dibao",
        row_number=2,
        id_hash="h",
        id_number_encrypted=encrypt(plain_id),
        id_masked="m",
    )
    no_phone = make_person(phone="")
    assert person.id_number_encrypted.startswith("7:")

    settings.HUICAN_DATA_KEYS = f"{new},{old}"
    assert run_keys(argparse.Namespace(keys_command="rotate")) == 0
    out = capsys.readouterr().out
    assert "registry.Person: 3" in out and "exchange.ListRecord: 1" in out
    person.refresh_from_db()
    record.refresh_from_db()
    no_phone.refresh_from_db()
    assert person.id_number_encrypted.startswith("8:") and person.phone_encrypted.startswith("8:")
    assert record.id_number_encrypted.startswith("8:")
    assert no_phone.phone_encrypted == ""
    assert AuditEntry.objects.filter(action="keys.rotate").count() == 1

    # The old key can now be removed: everything still decrypts with the new key alone.
    settings.HUICAN_DATA_KEYS = new
    assert decrypt(person.id_number_encrypted) == plain_id
    assert decrypt(person.phone_encrypted) == "13900001111"
    assert decrypt(record.id_number_encrypted) == plain_id
    # A second run has nothing left to do.
    assert run_keys(argparse.Namespace(keys_command="rotate")) == 0
    assert "已用密钥版本 8 重新加密 0 个字段值" in capsys.readouterr().out


def test_without_the_old_key_values_cannot_be_read(settings) -> None:  # type: ignore[no-untyped-def]
    settings.HUICAN_DATA_KEYS = new_key("1")
    person = make_person()
    settings.HUICAN_DATA_KEYS = new_key("2")
    with pytest.raises(DecryptionError):
        decrypt(Person.objects.get(pk=person.pk).id_number_encrypted)
