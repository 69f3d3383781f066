"""Bounded resources for an .xlsx, checked before any reader opens it (docs/security.md, C4).

An .xlsx is a zip: a 3 MB file can unpack to gigabytes (a zip bomb), and a sheet can claim a range
of millions of cells that the reader would lay out in memory. Before python-calamine sees the file,
`check_xlsx` reads every member once with `zipfile` (streaming, a megabyte at a time), which:

- refuses the file when its members unpack to more than ``HUICAN_XLSX_MAX_UNPACKED_BYTES``
  (default 512 MB) — zipfile never gives more than a member's declared size, and a member whose
  data does not match its declared size and checksum is refused as damaged;
- counts, in each worksheet, the rows, the cells and the furthest cell reference (``XFD1048576``),
  and refuses the file when a sheet spans more than ``HUICAN_XLSX_MAX_CELLS`` cells (default ten
  million: rows × columns of the area the reader would fill).

Refusals are `ImportRefused` with a Chinese message that names the limit and what to do.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from huican.exchange.reading import ImportRefused

READ_BLOCK = 1 << 20
_ROW_REF = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"")
_CELL_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3})\d+\"")
_CELL_REF_ROWS = re.compile(rb"<c\b[^>]*?\br=\"[A-Z]{1,3}(\d+)\"")


@dataclass
class SheetExtent:
    rows: int = 0  # <row> elements
    cells: int = 0  # <c> elements
    max_row: int = 0  # furthest row reference
    max_column: int = 0  # furthest column reference (1 = A)

    @property
    def area(self) -> int:
        """The cells the reader lays out: rows × columns from A1 to the furthest reference."""
        rows = max(self.rows, self.max_row)
        columns = self.max_column or (1 if self.cells else 0)
        return max(rows * columns, self.cells)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _scan(block: bytes, extent: SheetExtent) -> None:
    extent.rows += block.count(b"<row ") + block.count(b"<row>")
    extent.cells += block.count(b"<c ") + block.count(b"<c>") + block.count(b"<c/>")
    rows = _ROW_REF.findall(block)
    if rows:
        extent.max_row = max(extent.max_row, max(map(int, rows)))
    columns = set(_CELL_REF.findall(block))
    if columns:
        furthest = max(columns, key=lambda c: (len(c), c))
        extent.max_column = max(extent.max_column, _column_number(furthest))
    refs = _CELL_REF_ROWS.findall(block)
    if refs:
        extent.max_row = max(extent.max_row, max(map(int, refs)))


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def check_xlsx(path: Path) -> None:
    """Raise ImportRefused when the .xlsx at `path` would unpack or spread beyond the limits."""
    max_bytes = int(getattr(settings, "HUICAN_XLSX_MAX_UNPACKED_BYTES", 512 * 1024 * 1024))
    max_cells = int(getattr(settings, "HUICAN_XLSX_MAX_CELLS", 10_000_000))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the reader refuses it with its own message
    with archive:
        members = archive.infolist()
        declared = sum(m.file_size for m in members)
        if declared > max_bytes:
            raise ImportRefused(
                f"Excel 文件解压后有 {_size_text(declared)}，超过上限 {_size_text(max_bytes)}"
                "（HUICAN_XLSX_MAX_UNPACKED_BYTES）：文件可能已损坏或是恶意构造的。"
                "请在 Excel/WPS 中另存为 CSV 后导入，或拆分成几个文件"
            )
        sheet_number = 0
        for member in members:
            is_sheet = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
            sheet_number += is_sheet
            extent = SheetExtent()
            tail = b""
            try:
                with archive.open(member) as stream:
                    while block := stream.read(READ_BLOCK):
                        if not is_sheet:
                            continue  # read through only: zipfile checks its size and checksum
                        data = tail + block
                        cut = data.rfind(b">") + 1
                        _scan(data[:cut], extent)
                        tail = data[cut:]
                        if extent.area > max_cells:
                            break
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                raise ImportRefused(
                    "Excel 文件已损坏（压缩内容与文件记录不符），或设有密码：请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV"
                ) from None
            if is_sheet and extent.area > max_cells:
                raise ImportRefused(
                    f"第 {sheet_number} 个工作表的范围过大（{max(extent.rows, extent.max_row):,} 行 × "
                    f"{max(extent.max_column, 1):,} 列，超过 {max_cells:,} 个单元格的上限，"
                    "HUICAN_XLSX_MAX_CELLS）：请删除表格下方和右侧多余的行列（包括只有格式的空行空列），"
                    "或另存为 CSV 后导入"
                )
