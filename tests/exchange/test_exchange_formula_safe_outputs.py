"""Issue 10, point 6: every CSV and xlsx the system writes is safe to open in Excel/WPS.

A cell starting with =, +, -, @, tab or CR is neutralised with its value still visible: CSV cells
get a leading apostrophe, xlsx cells are text with Excel's quote prefix (never a formula, never an
automatic link). The command line's CSV outputs keep every number exactly (FORMATS.md)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import polars as pl
import xlsxwriter

from huican.core.frames import neutralize_cell, neutralize_formulas

DANGEROUS = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def test_csv_cells_are_neutralised_and_numbers_kept_when_asked() -> None:
    frame = pl.DataFrame({"text": [*DANGEROUS, "-12.5", "普通"], "amount": [1.0] * 6 + [-3.5, 2.0]})
    safe = neutralize_formulas(frame, keep_numbers=True)
    assert safe["text"].to_list() == ["'" + v for v in DANGEROUS] + ["-12.5", "普通"]
    assert safe["amount"].to_list() == frame["amount"].to_list()
    assert neutralize_formulas(frame)["text"][6] == "'-12.5"  # rejected rows: every cell
    assert (
        neutralize_cell("=1+1") == "'=1+1"
        and neutralize_cell(-3.5) == -3.5
        and neutralize_cell("-3.5") == "-3.5"
    )


def test_the_indicators_csv_neutralises_text_and_keeps_numbers() -> None:
    from huican.monitoring.commands import _csv_value

    assert _csv_value("=cmd") == "'=cmd" and _csv_value(-4.25) == -4.25 and _csv_value(True) == "true"


def test_the_eligibility_csv_neutralises_text_and_keeps_numbers() -> None:
    from huican.policy.commands import _csv_chunk

    reason = {"label": "低保", "passed": True, "detail": "x", "clause": "c"}
    frame = pl.DataFrame(
        {
            "id_number": ["=HYPERLINK(1)", "140902199001010016"],
            "benefit": ["living", "living"],
            "decision": ["eligible", "eligible"],
            "amount": [-12.5, 100.0],
            "flags": [["-bad"], []],
            "reasons": [[reason], [reason]],
        }
    )
    rows = list(__import__("csv").reader(io.StringIO(_csv_chunk(frame, header=True))))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][3] == "-12.50" and rows[1][4] == "'-bad"
    assert rows[2][0] == "140902199001010016" and rows[2][3] == "100.00"


def _cells(data: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
        strings = (
            book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""
        )
    return sheet + strings, styles


def test_the_findings_workbook_writes_formulas_as_quoted_text() -> None:
    from huican.matching.export import _workbook

    data, count = _workbook(("身份证号", "说明"), (20, 40), iter([["1409", v] for v in DANGEROUS]))
    assert count == len(DANGEROUS)
    sheet, styles = _cells(data)
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # text, not a formula
    assert 'quotePrefix="1"' in styles


def test_the_report_workbook_writes_formulas_as_quoted_text(tmp_path: Path) -> None:
    from huican.monitoring.reports.workbook import _sheet

    target = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(
        str(target), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    _sheet(book, "表", ["名称", "值"], [[v, -1.5] for v in DANGEROUS])
    book.close()
    sheet, styles = _cells(target.read_bytes())
    assert "<f>" not in sheet and 'quotePrefix="1"' in styles
    assert re.search(r"<v>-1\.5</v>", sheet)  # numbers stay numbers
