"""`huican keys rehash`: change the HMAC key behind ID-number lookups and list matching."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from huican.cli import main
from huican.core.crypto import blind_index
from huican.exchange import columnar
from huican.exchange.models import ListRecord
from huican.registry.models import Person
from tests.exchange.helpers import REGISTRY_HEADER, make_id, registry_row, write_csv

pytestmark = pytest.mark.django_db

A = make_id("14090219900101001")
NEW_KEY = base64.b64encode(os.urandom(32)).decode()


def test_every_hash_is_recomputed_and_lookups_work_under_the_new_key(
    tmp_path: Path, capsys, monkeypatch, settings
) -> None:
    main(["import", "registry", str(write_csv(tmp_path / "r.csv", REGISTRY_HEADER, [registry_row(A)]))])
    services = ["公民身份号码", "服务类型", "服务日期", "金额"]
    main(
        [
            "import",
            "services",
            str(write_csv(tmp_path / "s1.csv", services, [[A, "康复服务", "2024-05-01", "12.5"]])),
        ]
    )
    main(
        [
            "import",
            "dibao",
            str(
                write_csv(
                    tmp_path / "d.csv", ["公民身份号码", "姓名", "起始日期"], [[A, "测甲", "2021-01-01"]]
                )
            ),
        ]
    )
    old_print = ListRecord.objects.get(kind="services").fingerprint

    monkeypatch.setenv("HUICAN_HMAC_KEY_NEW", NEW_KEY)
    assert main(["keys", "rehash"]) == 0
    assert "registry.Person: 1" in capsys.readouterr().out

    settings.HUICAN_HMAC_KEY = NEW_KEY
    person = Person.objects.get(id_hash=blind_index(A))
    assert set(ListRecord.objects.values_list("id_hash", flat=True)) == {person.id_hash}
    assert ListRecord.objects.get(kind="services").fingerprint not in ("", old_print)
    # the columnar copies the rules read carry the new hashes too
    batches = list(ListRecord.objects.values_list("batch_id", flat=True).distinct())
    copied = columnar.read(batches)
    assert set(copied["id_hash"]) == {person.id_hash}
    assert copied.equals(columnar._from_table(sorted(batches)))
    # the same service record arriving again under the new key is still recognised
    main(
        [
            "import",
            "services",
            str(
                write_csv(
                    tmp_path / "s2.csv", [*services, "项目"], [[A, "康复服务", "2024-05-01", "12.50", ""]]
                )
            ),
        ]
    )
    assert ListRecord.objects.filter(kind="services").count() == 1


def test_a_missing_or_bad_new_key_is_a_usage_error(monkeypatch, capsys) -> None:
    monkeypatch.delenv("HUICAN_HMAC_KEY_NEW", raising=False)
    assert main(["keys", "rehash"]) == 2
    monkeypatch.setenv("HUICAN_HMAC_KEY_NEW", "not base64!")
    assert main(["keys", "rehash"]) == 2
    assert "base64" in capsys.readouterr().err
