"""Issue 10 point 2, "audit also": the command line's bulk outputs with full ID numbers and the
upload preview's full ID numbers leave an audit entry (who, what, how much)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huican.cli import main
from huican.core.models import AuditEntry
from tests.exchange.helpers import REGISTRY_HEADER, make_id, registry_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(tmp_path: Path, capsys: Any) -> None:
    rows = [
        registry_row(make_id("14090219900101001")),
        registry_row(make_id("14098119500505002"), household="H2"),
    ]
    assert main(["import", "registry", str(write_csv(tmp_path / "r.csv", REGISTRY_HEADER, rows))]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("command", ["eligibility", "findings"])
def test_a_bulk_cli_output_is_audited(registry: None, capsys: Any, command: str) -> None:
    assert main([command, "--on", "2025-06-30", "--format", "csv"]) == 0
    capsys.readouterr()
    entry = AuditEntry.objects.filter(action=f"cli.{command}").get()
    assert entry.actor_name.startswith("命令行") and entry.detail["on"] == "2025-06-30"
    assert entry.detail["format"] == "csv" and entry.detail["rows"] >= 0


def test_the_preview_audits_full_ids_shown(client: Any, tmp_var: Any) -> None:
    from tests.factories import make_user

    user = make_user("city_staff", "140900", username="city", may_view_full=True)
    client.force_login(user)
    header = "公民身份号码,姓名,起始日期\n"
    content = (header + f"{make_id('14090219900101001')},测甲,2024-01-01\n").encode()
    response = client.post(
        "/imports/upload/", {"kind": "tekun", "file": SimpleUploadedFile("t.csv", content)}
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and make_id("14090219900101001") in page.content.decode()
    entry = AuditEntry.objects.filter(action="import.preview_full_ids").get()
    assert entry.detail["columns"] == ["公民身份号码"] and entry.detail["rows"] == 1


def test_a_masked_preview_is_not_a_full_id_read(client: Any, tmp_var: Any) -> None:
    from tests.factories import make_user

    user = make_user("department_officer", "140900", username="officer", import_kinds=["tekun"])
    client.force_login(user)
    content = ("公民身份号码,姓名,起始日期\n" + f"{make_id('14090219900101001')},测甲,2024-01-01\n").encode()
    response = client.post(
        "/imports/upload/", {"kind": "tekun", "file": SimpleUploadedFile("t.csv", content)}
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and make_id("14090219900101001") not in page.content.decode()
    assert not AuditEntry.objects.filter(action="import.preview_full_ids").exists()
