"""Issue 10, point 5: an .xlsx is measured before it is read (unpacked size, cells of each sheet)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from huican.exchange.limits import check_xlsx
from huican.exchange.pipeline import ImportRefused, prepare

HEADER = ["公民身份号码", "姓名", "保障类别", "起始日期"]


def workbook(path: Path, far_cell: str | None = None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["140902199001010016", "测甲", "城市", "2024-01-01"])
    if far_cell:
        sheet.write(far_cell, "x")
    book.close()
    return path


def test_the_defaults(settings: Any) -> None:
    assert settings.HUICAN_XLSX_MAX_UNPACKED_BYTES == 512 * 1024 * 1024
    assert settings.HUICAN_XLSX_MAX_CELLS == 10_000_000


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_read(tmp_path: Path, settings: Any) -> None:
    settings.HUICAN_XLSX_MAX_UNPACKED_BYTES = 1024 * 1024
    source = workbook(tmp_path / "ok.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            out.writestr(item, original.read(item))
        out.writestr("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))  # 3 MB, a few KB packed
    assert bomb.stat().st_size < 64 * 1024
    with pytest.raises(ImportRefused, match="解压后有 3 MB，超过上限 1 MB"):
        prepare("dibao", bomb)
    check_xlsx(source)  # a normal file passes


@pytest.mark.django_db
def test_a_sheet_spanning_too_many_cells_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.HUICAN_XLSX_MAX_CELLS = 4000
    far = workbook(tmp_path / "far.xlsx", far_cell="T300")  # 300 rows × 20 columns = 6,000 cells
    with pytest.raises(ImportRefused, match="300 行 × 20 列") as refused:
        prepare("dibao", far)
    assert "另存为 CSV" in str(refused.value)
    near = workbook(tmp_path / "near.xlsx", far_cell="T150")  # 3,000 cells: read
    assert prepare("dibao", near).rows_read == 2


@pytest.mark.django_db
def test_a_refused_xlsx_upload_is_a_clear_422_not_a_500(client: Any, tmp_var: Path, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import make_user

    settings.HUICAN_XLSX_MAX_CELLS = 4000
    user = make_user("city_staff", "140900", username="limits")
    client.force_login(user)
    data = workbook(tmp_path_file(tmp_var), far_cell="T300").read_bytes()
    response = client.post(
        "/imports/upload/", {"kind": "dibao", "file": SimpleUploadedFile("名单.xlsx", data)}
    )
    preview = client.get(response["Location"])
    assert preview.status_code == 422 and "范围过大" in preview.content.decode()


def tmp_path_file(var: Path) -> Path:
    return var / "upload.xlsx"


def _understate(path: Path, member: str, size: int) -> None:
    """Rewrite the zip so that `member` claims to unpack to `size` bytes (a lying zip bomb)."""
    import struct

    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


@pytest.mark.django_db
def test_a_member_that_unpacks_to_more_than_it_declares_is_refused(tmp_path: Path, settings: Any) -> None:
    source = workbook(tmp_path / "lying.xlsx")
    _understate(source, "xl/worksheets/sheet1.xml", 10)
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 10
    with pytest.raises(ImportRefused, match="已损坏"):
        check_xlsx(source)
