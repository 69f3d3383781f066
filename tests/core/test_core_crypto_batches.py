"""The batch forms of the keyed hash and of the encryption give what the one-value forms give."""

from __future__ import annotations

import base64
import hmac
import os

import pytest

from huican.core import crypto

VALUES = ["140902199001010016", "", "中文 名字", "X" * 300, "13812341234"]


@pytest.mark.parametrize("length", [16, 32, 64, 65, 100])
def test_blind_index_many_is_hmac_sha256_for_any_key_length(settings, length: int) -> None:
    key = os.urandom(length)
    settings.HUICAN_HMAC_KEY = base64.b64encode(key).decode()
    expected = [hmac.digest(key, value.encode("utf-8"), "sha256").hex()[:32] for value in VALUES]
    assert crypto.blind_index_many(VALUES) == expected
    assert crypto.blind_index(VALUES[0]) == expected[0]


@pytest.mark.django_db
def test_encrypt_many_round_trips_with_a_fresh_nonce_each() -> None:
    tokens = crypto.encrypt_many(iter(VALUES * 2))
    assert crypto.decrypt_many(tokens) == VALUES * 2
    assert tokens[1] == "" and tokens[6] == ""  # empty stays empty
    version = crypto.current_key_version()
    assert all(t.startswith(version + ":") for t in tokens if t)
    nonces = [base64.b64decode(t.partition(":")[2])[:12] for t in tokens if t]
    assert len(set(nonces)) == len(nonces)
    assert crypto.encrypt_many([]) == []


def test_masking_a_series_of_id_numbers_masks_each_as_one_number_is_masked() -> None:
    import polars as pl

    from huican.core.crypto import mask_id_number, mask_id_numbers

    values = [
        "",
        "1",
        "1234567",
        "12345678",
        "123456789",
        "14090219900101001X",
        "140902900101001",
        "一二三四五六七八九十",
        "9" * 72,
        "8" * 73,
        "7" * 200,
    ]
    assert mask_id_numbers(pl.Series("id", [*values, None])).to_list() == [
        *(mask_id_number(v) for v in values),
        "",
    ]
    assert mask_id_numbers(pl.Series("id", ["14090219900101001X"])).to_list() == ["1409**********001X"]
