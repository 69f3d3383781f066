"""Fuzz: spreadsheets with random damage (as Excel, WPS and people make it) never lose a row and
never turn one person into another.

For every generated file: accepted + rejected = rows read, and every accepted row carries exactly
the ID number that was written in that row (never a neighbour's, never a number cell's rounding).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huican.exchange.pipeline import prepare
from tests.exchange.helpers import make_id

pytestmark = pytest.mark.django_db

HEADER = ["公民身份号码", "姓名", "起始日期", "终止日期"]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

DAMAGE = st.sampled_from(
    [
        "none",
        "number_cell",  # xlsx: the ID typed as a number (CSV: written in scientific notation)
        "full_width",
        "nbsp",
        "zero_width",
        "lower_x",
        "blank_row",
        "formula_error",  # xlsx only (CSV: a literal #N/A text)
        "ragged_more",  # CSV only (xlsx: an extra cell in an unknown column)
        "ragged_fewer",
        "rounded_000",  # the last three digits lost
        "inner_space",
    ]
)


def _id(i: int) -> str:
    return make_id(f"1409021985{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}")


def _damaged(value: str, damage: str) -> str:
    if damage == "full_width":
        return value.translate(FULL_WIDTH)
    if damage == "nbsp":
        return "\u00a0" + value + "\u00a0"
    if damage == "zero_width":
        return value + "\u200b"
    if damage == "lower_x":
        return value.lower()
    if damage == "rounded_000":
        return value[:15] + "000"
    if damage == "inner_space":
        return value[:9] + " " + value[9:]
    return value


def _write_csv(path: Path, rows: list[tuple[str, str]], titles: int, newline: str, encoding: str) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for t in range(titles):
        writer.writerow([f"标题{t}"])
    writer.writerow(HEADER)
    written = 0
    for true_id, damage in rows:
        if damage == "blank_row":
            writer.writerow([])
            continue
        value = f"{float(true_id[:17]):.5E}" if damage == "number_cell" else _damaged(true_id, damage)
        cells = [value, "测试", "2024-01-01", "#N/A" if damage == "formula_error" else ""]
        if damage == "ragged_more":
            cells.append("多")
        if damage == "ragged_fewer":
            cells = cells[:2]
        writer.writerow(cells)
        written += 1
    path.write_bytes(buffer.getvalue().encode(encoding))
    return written


def _write_xlsx(path: Path, rows: list[tuple[str, str]], titles: int) -> int:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("名单")
    for t in range(titles):
        sheet.write_string(t, 0, f"标题{t}")
    sheet.write_row(titles, 0, HEADER)
    written = 0
    row = titles
    for true_id, damage in rows:
        row += 1
        if damage == "blank_row":
            continue
        if damage == "number_cell":
            sheet.write_number(row, 0, float(true_id[:17] + "0"))
        else:
            sheet.write_string(row, 0, _damaged(true_id, damage))
        sheet.write_string(row, 1, "测试")
        sheet.write_string(row, 2, "2024-01-01")
        if damage == "formula_error":
            sheet.write_formula(row, 3, "=NA()", None, "#N/A")
        if damage == "ragged_more":
            sheet.write_string(row, 5, "多余")
        written += 1
    book.close()
    return written


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    damages=st.lists(DAMAGE, min_size=1, max_size=30),
    titles=st.integers(min_value=0, max_value=4),
    form=st.sampled_from(["xlsx", "csv-lf", "csv-crlf", "csv-cr", "csv-gb18030", "csv-bom"]),
)
def test_random_damage_loses_no_row_and_changes_no_id(
    tmp_path_factory: pytest.TempPathFactory, damages: list[str], titles: int, form: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    rows = [(_id(i), damage) for i, damage in enumerate(damages)]
    if form == "xlsx":
        path = folder / "名单.xlsx"
        written = _write_xlsx(path, rows, titles)
    else:
        newline = {"csv-lf": "\n", "csv-crlf": "\r\n", "csv-cr": "\r"}.get(form, "\r\n")
        encoding = {"csv-gb18030": "gb18030", "csv-bom": "utf-8-sig"}.get(form, "utf-8")
        path = folder / "名单.csv"
        written = _write_csv(path, rows, titles, newline, encoding)
    prepared = prepare("tekun", path)
    assert prepared.rows_read == written
    assert prepared.accepted.height + prepared.rejected.height == prepared.rows_read
    assert prepared.header_row == titles + 1
    # The spreadsheet row of each written ID: the header is row titles + 1.
    # What a person reads in that row (a rounded ID is what the file says, not the true one).
    expected = {
        titles + 2 + position: true_id[:15] + "000" if damage == "rounded_000" else true_id
        for position, (true_id, damage) in enumerate(rows)
    }
    damage_at = {titles + 2 + position: damage for position, (_, damage) in enumerate(rows)}
    for row, id_number in prepared.accepted.select("__row", "公民身份号码").iter_rows():
        assert id_number == expected[row], (row, damage_at[row])
        assert damage_at[row] in ("none", "full_width", "nbsp", "zero_width", "lower_x", "rounded_000") or (
            form == "xlsx" and damage_at[row] in ("ragged_more", "ragged_fewer")
        ), damage_at[row]
    rejected_rows = set(prepared.rejected["__row"].to_list())
    for row, damage in damage_at.items():
        if damage in ("number_cell", "inner_space", "formula_error"):
            assert row in rejected_rows, damage
        if damage in ("ragged_more", "ragged_fewer") and form != "xlsx":
            assert row in rejected_rows, damage
