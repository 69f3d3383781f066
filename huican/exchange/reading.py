"""Reading a spreadsheet as departments really send it (FORMATS.md "Office files as they really are").

`read_table` finds the sheet and the header row, and returns every row below the header as text,
with what the file itself says about a cell that text cannot carry: an Excel *number* cell (an ID
number in one has lost digits), a formula error (`#N/A` …), a cell covered by a merged range, and,
for a CSV, the number of fields of each row. Nothing here judges a row: the pipeline does.

- `.xlsx`: the first visible sheet that has a header among its first 10 rows (hidden sheets are
  skipped); cells are read by python-calamine (typed values, merged ranges, sheet visibility) and
  formula errors by fastexcel (which names them).
- `.csv`: UTF-8 with or without BOM, else GB18030/GBK; CR, LF and CRLF line ends.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

HEADER_SEARCH_ROWS = 10

# Characters that count as spaces in headers and values: besides ASCII and full-width spaces,
# tabs and line breaks that Excel users paste in, non-breaking and zero-width spaces and the BOM.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
TRIM_CHARS = " \t\r\n\u3000\u00a0" + ZERO_WIDTH
_ZERO_WIDTH_RE = "[" + ZERO_WIDTH + "\u00a0\u3000]"
# A trailing bracketed note in a header: 月保障金额（元）, 身份证号(18位) (after NFKC, brackets are ASCII).
_HEADER_NOTE = re.compile(r"\([^()]*\)$")
_HEADER_SPACES = re.compile(r"[\s" + ZERO_WIDTH + r"]+")

# fastexcel names a formula error by calamine's error type; Excel shows these.
EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")

# Given a candidate header row (cells as text), the required columns it lacks (empty: a header).
HeaderCheck = Callable[[list[str]], list[str]]


class ImportRefused(Exception):
    """The file cannot be read, or its header lacks required columns: nothing is imported.

    For a missing header, `missing` names the required columns and `header` is the row that came
    closest (so a page can show which columns were found)."""

    def __init__(self, message: str, *, missing: list[str] | None = None, header: list[str] | None = None):
        super().__init__(message)
        self.missing = missing or []
        self.header = header or []


@dataclass
class Table:
    """The rows below the header, every cell as text (None where blank), in file order."""

    header: list[str]
    values: pl.DataFrame  # one String column per header cell: __c0, __c1, …
    rows: list[int]  # the spreadsheet's own row number of each row
    header_row: int  # 1-based
    sheet_name: str = ""  # .xlsx only
    first_visible_sheet: str = ""
    field_counts: list[int] | pl.Series | None = None  # .csv: fields of each row (the header has len(header))
    number_cells: dict[int, list[int]] = field(default_factory=dict)  # column → row positions
    error_cells: dict[int, dict[int, str]] = field(default_factory=dict)  # column → {position: "#N/A"}
    merged_cells: dict[int, list[int]] = field(default_factory=dict)  # covered cells: column → positions

    @property
    def location_note(self) -> str:
        """Where the rows were found, when it is not the obvious place (else '')."""
        if self.sheet_name and (self.sheet_name != self.first_visible_sheet or self.header_row != 1):
            return f"读取的是工作表“{self.sheet_name}”，表头在第 {self.header_row} 行"
        if not self.sheet_name and self.header_row != 1:
            return f"表头在第 {self.header_row} 行（上面的 {self.header_row - 1} 行不是数据，未读取）"
        return ""


def normalize_header(name: Any) -> str:
    """A header as compared with the column names: NFKC, no spaces or line breaks, no trailing note."""
    text = unicodedata.normalize("NFKC", str(name or "")).replace("\x00", "")
    text = _HEADER_SPACES.sub("", text)
    previous = None
    while previous != text:
        previous, text = text, _HEADER_NOTE.sub("", text)
    return text


def normalized_values(expr: pl.Expr) -> pl.Expr:
    """A value as checked: NFKC (full-width digits and letters, ｘ), odd spaces as spaces, trimmed;
    blank → null."""
    return (
        expr.str.normalize("NFKC")
        .str.replace_all(_ZERO_WIDTH_RE, " ")
        .str.strip_chars(TRIM_CHARS)
        .replace("", None)
    )


def _choose_header(candidates: list[list[str]], check: HeaderCheck) -> tuple[int | None, list[str], int]:
    """The first candidate row that is a header, else (None, the fewest missing, that row)."""
    best: tuple[list[str], int] | None = None
    for index, cells in enumerate(candidates):
        missing = check([normalize_header(c) for c in cells])
        if not missing:
            return index, [], index
        if best is None or len(missing) < len(best[0]):
            best = (missing, index)
    if best is None:
        return None, check([]), 0
    return None, best[0], best[1]


def _missing_message(where: str, missing: list[str]) -> str:
    return (
        f"{where}的前 {HEADER_SEARCH_ROWS} 行中没有找到包含全部必填列的表头，缺少必填列："
        + "、".join(missing)
        + "。请检查表头的列名（可用的列名见导入说明），或把表头放在前 10 行内"
    )


# --- CSV -------------------------------------------------------------------------------------------


def _csv_header(text: str, check: HeaderCheck) -> tuple[int, list[str], int]:
    """(index of the header among the records, its cells, the line it starts on)."""
    end = -1
    for _ in range(400):
        end = text.find("\n", end + 1)
        if end < 0:
            break
    head_lines = (text if end < 0 else text[:end]).split("\n")
    head: list[list[str]] = []
    starts: list[int] = []
    reader = csv.reader(io.StringIO("\n".join(head_lines)))
    line = 0
    try:
        for record in reader:
            starts.append(line)
            head.append(record)
            line = reader.line_num
            if len(head) == HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        pass
    index, missing, closest = _choose_header(head, check)
    if index is None:
        raise ImportRefused(
            _missing_message("文件", missing), missing=missing, header=head[closest] if head else []
        )
    return index, head[index], starts[index]


def _csv_bytes(raw: bytes) -> bytes:
    """The file as UTF-8 bytes with LF line ends and no BOM: UTF-8 (with or without BOM), else
    GB18030 — what Excel on Chinese Windows saves. The whole file is never held as a Python string
    (a 200 MB CSV would take several times its size): UTF-8 is checked in blocks, GB18030 is
    transcoded in blocks."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not _is_utf8(raw):
        raw = _gb18030_to_utf8(raw)
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            raw = raw.replace(b"\r", b"\n")
    head = raw[: 1 << 20].decode("utf-8", "ignore")
    if not head.strip(TRIM_CHARS) and (len(raw) <= 1 << 20 or not raw.decode("utf-8").strip(TRIM_CHARS)):
        raise ImportRefused("文件是空的：没有表头，也没有数据行")
    return raw


_BLOCK = 16 << 20


def _is_utf8(raw: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(view), _BLOCK):
            decoder.decode(view[start : start + _BLOCK], final=start + _BLOCK >= len(view))
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _gb18030_to_utf8(raw: bytes) -> bytes:
    decoder = codecs.getincrementaldecoder("gb18030")()
    view = memoryview(raw)
    parts: list[bytes] = []
    try:
        for start in range(0, len(view), _BLOCK):
            parts.append(decoder.decode(view[start : start + _BLOCK]).encode("utf-8"))
        parts.append(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused(
            "无法识别文件编码：请在 Excel/WPS 中另存为“CSV UTF-8”或 .xlsx 文件后再导入"
        ) from None
    return b"".join(parts)


def _read_csv(path: Path, check: HeaderCheck) -> Table:
    data = _csv_bytes(path.read_bytes())
    return _csv_table(data, *_csv_head(data, check))


def _csv_head(data: bytes, check: HeaderCheck) -> tuple[int, list[str], int, int]:
    """(index of the header among the records, its cells, its line, the byte it starts at)."""
    # A title or notes may stand above the header: look for it in the first 400 lines only.
    end = -1
    for _ in range(400):
        end = data.find(b"\n", end + 1)
        if end < 0:
            break
    head = (data if end < 0 else data[:end]).decode("utf-8")
    index, header, start_line = _csv_header(head, check)
    offset = 0
    for _ in range(start_line):
        offset = data.index(b"\n", offset) + 1
    return index, header, start_line, offset


def _csv_table(data: bytes, index: int, header: list[str], start_line: int, offset: int) -> Table:
    values, counts = _parse_csv_bytes(data, offset, start_line, len(header))
    first = index + 2  # records above the header, then the header itself (row numbers are 1-based)
    return Table(
        header=header,
        values=values,
        rows=list(range(first, first + values.height)),
        header_row=index + 1,
        field_counts=counts,
    )


def _parse_csv_bytes(
    data: bytes, offset: int, skip_lines: int, width: int
) -> tuple[pl.DataFrame, pl.Series | list[int]]:
    """The rows below the header (which starts at byte `offset`, line `skip_lines`) and each row's
    field count, read by polars straight from the bytes when no field is quoted; a quoted file goes
    through Python's csv module, which alone knows where quoted fields end."""
    if _needs_csv_module(data, offset):
        return _parse_csv_body(data[offset:].decode("utf-8"), width)
    parsed = _parse_lines(data, skip_lines, width)
    if parsed is None:
        return _parse_csv_body(data[offset:].decode("utf-8"), width)
    return parsed


def _needs_csv_module(data: bytes, offset: int) -> bool:
    return data.find(b'"', offset) >= 0 or data.find(b"\x1f", offset) >= 0


def _parse_lines(data: bytes, skip_lines: int, width: int) -> tuple[pl.DataFrame, pl.Series] | None:
    """Header line (after `skip_lines` lines) and the lines below it, by polars, one record a line
    (no field is quoted): the rows below the header and their field counts; None when polars does
    not see one row a line (the csv module must read the file)."""
    lines = pl.read_csv(
        data,
        has_header=False,
        new_columns=["line"],
        separator="\x1f",
        quote_char=None,
        infer_schema=False,
        skip_lines=skip_lines,
        raise_if_empty=False,
    )
    counts = (
        lines.slice(1)
        .select(
            pl.when(pl.col("line").is_null() | (pl.col("line").str.len_bytes() == 0))
            .then(0)
            .otherwise(pl.col("line").str.count_matches(",", literal=True) + 1)
            .cast(pl.Int64)
            .alias("__fields")
        )
        .to_series()
    )
    del lines
    names = [f"__c{i}" for i in range(width)]
    try:
        frame = pl.read_csv(
            data,
            infer_schema=False,
            has_header=False,
            new_columns=names,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            quote_char=None,
            skip_lines=skip_lines,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.width != width or frame.height - 1 != counts.len():
        return None
    return frame.slice(1), counts


def _parse_csv_body(body: str, width: int) -> tuple[pl.DataFrame, list[int]]:
    """The rows below the header (the body's first record) as text, and each row's field count."""
    names = [f"__c{i}" for i in range(width)]
    if '"' not in body:
        lines = body.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rows = pl.Series(lines[1:], dtype=pl.String)
        counts_list = (
            pl.select(
                pl.when(rows.str.len_bytes() == 0)
                .then(0)
                .otherwise(rows.str.count_matches(",", literal=True) + 1)
            )
            .to_series()
            .to_list()
        )
    else:
        try:
            counts_list = [len(record) for record in csv.reader(io.StringIO(body))][1:]
        except csv.Error as exc:
            raise ImportRefused(
                f"CSV 文件格式有误（{_csv_error(exc)}）：请在 Excel/WPS 中打开后重新另存为 CSV"
            ) from None
    frame: pl.DataFrame | None = None
    try:
        frame = pl.read_csv(
            io.StringIO(body),
            infer_schema=False,
            has_header=False,
            new_columns=names,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            quote_char='"',
        )
        if frame.width != width:
            frame = None
        else:
            frame = frame.slice(1)
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != len(counts_list):
        # Whatever polars made of it, Python's csv module reads every record (slower, exact).
        records = list(csv.reader(io.StringIO(body)))[1:]
        padded = [(r + [""] * width)[:width] for r in records]
        columns = list(zip(*padded, strict=True)) if padded else [() for _ in names]
        frame = pl.DataFrame(
            {
                name: pl.Series(name, list(col), dtype=pl.String)
                for name, col in zip(names, columns, strict=True)
            }
        )
        counts_list = [len(r) if any(r) else 0 for r in records]
    return frame, counts_list


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "NUL" in text:
        return "含有 NUL 控制字符"
    if "EOF" in text or "quote" in text:
        return "引号不成对"
    return "无法按 CSV 规则分列"


# --- xlsx ------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str | None:
    """What a cell holds, as text; a date-time cell is read as its date."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open_workbook(path: Path) -> Any:
    import python_calamine

    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise ImportRefused("Excel 文件设有打开密码：请取消密码后另存，再导入") from None
    except Exception:
        raise ImportRefused(
            "Excel 文件无法打开：文件已损坏，或不是真正的 .xlsx 文件（例如改了后缀名）。"
            "请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV"
        ) from None


def _read_xlsx(path: Path, check: HeaderCheck, *, header_only: bool = False) -> Table:
    import python_calamine

    from huican.exchange.limits import check_xlsx

    check_xlsx(path)  # unpacked size and cell count, before any reader lays the file out in memory
    workbook = _open_workbook(path)
    visible = [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.visible == python_calamine.SheetVisibleEnum.Visible
        and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    if not visible:
        raise ImportRefused("Excel 文件中没有可见的工作表")
    best: tuple[list[str], str, list[str]] | None = None
    for name in visible:
        try:
            sheet = workbook.get_sheet_by_name(name)
            head = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        except Exception:
            raise ImportRefused(
                f"工作表“{name}”无法读取：文件可能已损坏，请在 Excel/WPS 中打开后另存为 .xlsx"
            ) from None
        candidates = [[_cell_text(v) or "" for v in row] for row in head]
        index, missing, closest = _choose_header(candidates, check)
        if index is not None and header_only:
            return Table(
                header=candidates[index],
                values=pl.DataFrame(),
                rows=[],
                header_row=index + 1,
                sheet_name=name,
                first_visible_sheet=visible[0],
            )
        if index is not None:
            return _sheet_table(path, sheet, name, visible[0], index, candidates[index])
        if best is None or len(missing) < len(best[0]):
            best = (missing, name, candidates[closest] if candidates else [])
    assert best is not None
    where = f"工作表“{best[1]}”" if len(visible) == 1 else f"所有可见工作表（最接近的是“{best[1]}”）"
    raise ImportRefused(_missing_message(where, best[0]), missing=best[0], header=best[2])


def _sheet_table(
    path: Path, sheet: Any, name: str, first_visible: str, index: int, header: list[str]
) -> Table:
    try:
        grid = sheet.to_python(skip_empty_area=False)
    except Exception:
        raise ImportRefused(f"工作表“{name}”无法读取：请在 Excel/WPS 中打开后另存为 .xlsx") from None
    # Trailing header cells that are empty and have nothing below them are not columns.
    width = max((len(r) for r in grid), default=0)
    body = grid[index + 1 :]
    while (
        width
        and not (header[width - 1] if width <= len(header) else "")
        and all(len(r) < width or r[width - 1] in ("", None) for r in body)
    ):
        width -= 1
    header = (header + [""] * width)[:width]
    columns: dict[str, list[str | None]] = {f"__c{i}": [] for i in range(width)}
    number_cells: dict[int, list[int]] = {}
    lists = list(columns.values())
    for position, row in enumerate(body):
        for column in range(width):
            value = row[column] if column < len(row) else None
            lists[column].append(_cell_text(value))
            if type(value) is float or type(value) is int:
                number_cells.setdefault(column, []).append(position)
    values = pl.DataFrame({k: pl.Series(k, v, dtype=pl.String) for k, v in columns.items()})
    first_row = index + 2
    merged: dict[int, list[int]] = {}
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
        for row in range(max(top, index + 1), bottom + 1):
            for column in range(left, min(right, width - 1) + 1):
                if (row, column) != (top, left):
                    merged.setdefault(column, []).append(row - index - 1)
    return Table(
        header=header,
        values=values,
        rows=list(range(first_row, first_row + values.height)),
        header_row=index + 1,
        sheet_name=name,
        first_visible_sheet=first_visible,
        number_cells=number_cells,
        error_cells=_formula_errors(path, name, sheet, index, width),
        merged_cells=merged,
    )


def _formula_errors(path: Path, name: str, sheet: Any, index: int, width: int) -> dict[int, dict[int, str]]:
    """Formula errors below the header: column → {row position: "#N/A"} (python-calamine reads
    them as blank cells; fastexcel names them)."""
    import fastexcel

    (start_row, start_col) = sheet.start or (0, 0)
    try:
        loaded = fastexcel.read_excel(path).load_sheet(name, header_row=None, dtypes="string")
        _, errors = loaded.to_arrow_with_errors()
    except Exception:
        return {}
    found: dict[int, dict[int, str]] = {}
    for error in errors.errors if errors else []:
        match = _ERROR_DETAIL.search(error.detail)
        if not match:
            continue
        row, column = error.position[0] + start_row, error.position[1] + start_col
        position = row - index - 1
        if position >= 0 and column < width:
            found.setdefault(column, {})[position] = EXCEL_ERRORS.get(match.group(1), "#" + match.group(1))
    return found


# A streamed CSV is parsed this many bytes at a time (then up to the end of a line).
CSV_CHUNK_BYTES = 8 << 20


class NotLineByLine(Exception):
    """A chunk of a CSV could not be read one row a line: the file must be read whole."""


class RowSource:
    """The rows below the header, a chunk at a time, as many times as asked (`chunk(i)`: the file's
    own values as text columns __c0, __c1, … and, for a CSV, each row's field count).

    An unquoted CSV is parsed chunk by chunk, every chunk with the header line before it (so polars
    reads each line exactly as in the whole file): the text columns of the whole file are never held
    at once. A chunk's bytes are read again from the file when the file is already UTF-8 with LF line
    ends (the usual case: nothing of the file stays in memory), else from the file's decoded bytes,
    kept. Any other file (an .xlsx, a CSV with quoted fields) is read whole by `read_table` and handed
    out in slices of `rows_per_chunk` rows."""

    def __init__(self, table: Table, *, rows_per_chunk: int) -> None:
        self.table = table
        self.first_row = table.header_row + 1
        height = table.values.height
        self.spans = [
            (start, min(start + rows_per_chunk, height)) for start in range(0, height, rows_per_chunk)
        ]
        self.spans = self.spans or [(0, 0)]
        self._whole: Callable[[], Table] | None = None
        self._data: bytes | None = None
        self._path: Path | None = None
        self._skip = 0
        self._header_line = b""

    @classmethod
    def lines(
        cls,
        table: Table,
        *,
        header_line: bytes,
        spans: list[tuple[int, int]],
        whole: Callable[[], Table],
        data: bytes | None = None,
        path: Path | None = None,
        skip: int = 0,
    ) -> RowSource:
        """A CSV read line by line: `spans` are byte ranges of `data`, or of `path` after `skip` bytes."""
        source = cls(table, rows_per_chunk=1)
        source.spans = spans or [(0, 0)]
        source._header_line = header_line
        source._whole = whole
        source._data = data
        source._path = path
        source._skip = skip
        return source

    def whole(self, rows_per_chunk: int) -> RowSource:
        """The same rows read whole (after `NotLineByLine`)."""
        assert self._whole is not None
        return RowSource(self._whole(), rows_per_chunk=rows_per_chunk)

    def chunk(self, index: int) -> tuple[pl.DataFrame, pl.Series | None]:
        start, end = self.spans[index]
        if self._whole is None:
            counts = self.table.field_counts
            if counts is not None and not isinstance(counts, pl.Series):
                counts = pl.Series("__fields", counts, dtype=pl.Int64)
            return (
                self.table.values.slice(start, end - start),
                None if counts is None else counts.slice(start, end - start),
            )
        if self._data is not None:
            body = self._data[start:end]
        else:
            assert self._path is not None
            with self._path.open("rb") as handle:
                handle.seek(self._skip + start)
                body = handle.read(end - start)
            if len(body) != end - start:
                raise ImportRefused("文件在读取过程中被改动：请重新导入")
        parsed = _parse_lines(self._header_line + body, 0, len(self.table.header))
        if parsed is None:
            raise NotLineByLine
        return parsed


def open_rows(path: Path, check: HeaderCheck, *, rows_per_chunk: int) -> RowSource:
    """Like `read_table`, but the rows come a chunk at a time (`RowSource`)."""
    _check_path(path)
    if path.suffix.lower() != ".csv":
        return RowSource(read_table(path, check), rows_per_chunk=rows_per_chunk)
    raw = path.read_bytes()
    skip = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    as_is = b"\r" not in raw and _is_utf8(raw)  # the bytes parsed are the file's own (after a BOM)
    data = _csv_bytes(raw)
    del raw
    index, header, start_line, offset = _csv_head(data, check)
    if _needs_csv_module(data, offset):
        return RowSource(_csv_table(data, index, header, start_line, offset), rows_per_chunk=rows_per_chunk)
    header_end = data.find(b"\n", offset) + 1 or len(data)
    spans: list[tuple[int, int]] = []
    start = header_end
    while start < len(data):
        cut = data.find(b"\n", start + max(CSV_CHUNK_BYTES, 1) - 1)
        end = len(data) if cut < 0 else cut + 1
        spans.append((start, end))
        start = end
    header_line = data[offset:header_end]
    if not header_line.endswith(b"\n"):
        header_line += b"\n"
    kept = None if as_is else data
    del data

    def whole() -> Table:
        again = kept if kept is not None else _csv_bytes(path.read_bytes())
        return _csv_table(again, index, header, start_line, offset)

    return RowSource.lines(
        Table(header=header, values=pl.DataFrame(), rows=[], header_row=index + 1),
        header_line=header_line,
        spans=spans,
        whole=whole,
        data=kept,
        path=None if kept is not None else path,
        skip=skip,
    )


def locate_header(path: Path, check: HeaderCheck) -> Table:
    """Only where the header is (sheet, row) and its cells (`values` is empty): reads a CSV's first
    256 KB only. Raises ImportRefused as `read_table` would."""
    _check_path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("rb") as handle:
            head = handle.read(256 * 1024)
        if len(head) == 256 * 1024:
            head = head[: head.rfind(b"\n") + 1] or head
        index, header, _ = _csv_header(_csv_bytes(head).decode("utf-8"), check)
        return Table(header=header, values=pl.DataFrame(), rows=[], header_row=index + 1)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, check, header_only=True)
    return read_table(path, check)


def _check_path(path: Path) -> None:
    if not path.exists():
        raise ImportRefused(f"找不到文件：{path}")
    if not path.is_file():
        raise ImportRefused(f"不是文件：{path}")


def read_table(path: Path, check: HeaderCheck) -> Table:
    """Read a file: find the header (`check` says which required columns a row lacks) and the rows
    below it. Raises ImportRefused, in Chinese, when the file cannot be read or has no header."""
    _check_path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, check)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, check)
    if suffix == ".xls":
        raise ImportRefused("不支持旧版 .xls 格式：请在 Excel/WPS 中另存为 .xlsx 或 CSV")
    raise ImportRefused(f"不支持的文件类型 {suffix or '（无后缀）'}：请上传 .xlsx 或 .csv 文件")
