"""Reading a spreadsheet (.xlsx first sheet, or .csv in UTF-8/GB18030) into string columns."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

# Surrounding spaces trimmed from every header and value: ASCII and full-width (FORMATS.md);
# tabs and line breaks that Excel users paste in are trimmed too.
TRIM_CHARS = " \t\r\n\u3000\ufeff"


class ImportRefused(Exception):
    """The file cannot be read, or its header lacks required columns: nothing is imported."""


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 — what Excel on Chinese Windows saves."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportRefused(
            "无法识别文件编码：请另存为 UTF-8 或 GBK/GB18030 编码的 CSV，或 .xlsx 文件"
        ) from None


def _read_csv(path: Path) -> pl.DataFrame:
    text = decode_csv(path.read_bytes())
    if not text.strip():
        raise ImportRefused("文件是空的：没有表头，也没有数据行")
    try:
        return pl.read_csv(
            io.StringIO(text),
            infer_schema=False,
            has_header=True,
            truncate_ragged_lines=True,
            raise_if_empty=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise ImportRefused(f"CSV 文件无法解析：{str(exc).splitlines()[0]}") from None


def _read_xlsx(path: Path) -> pl.DataFrame:
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        if not reader.sheet_names:
            raise ImportRefused("Excel 文件中没有工作表")
        sheet = reader.load_sheet(0, header_row=0, dtypes="string")
        frame = sheet.to_polars()
    except ImportRefused:
        raise
    except Exception as exc:
        raise ImportRefused(
            f"Excel 文件无法读取：{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    return frame.with_columns(pl.all().cast(pl.String))


def read_table(path: Path) -> pl.DataFrame:
    """Read a file into a frame of string columns named by the trimmed header.

    Raises ImportRefused when the file cannot be read at all.
    """
    if not path.exists():
        raise ImportRefused(f"找不到文件：{path}")
    if not path.is_file():
        raise ImportRefused(f"不是文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(path)
    elif suffix == ".xls":
        raise ImportRefused("不支持旧版 .xls 格式：请在 Excel/WPS 中另存为 .xlsx 或 CSV")
    else:
        raise ImportRefused(f"不支持的文件类型 {suffix or '（无后缀）'}：请上传 .xlsx 或 .csv 文件")
    return frame


def trimmed_header(name: str) -> str:
    return name.replace("\x00", "").strip(TRIM_CHARS)
