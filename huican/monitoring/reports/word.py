"""The readable report as a Word document (python-docx), from the blocks of reports.document."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from huican.monitoring.reports.build import ReportData
from huican.monitoring.reports.document import Bullets, Chart, Heading, Paragraph, Table, document_blocks

FONT = "宋体"


def _chinese_font(document: Any) -> None:
    """Body text in 宋体 (East Asian font set explicitly, which Word needs for Chinese)."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT)
    document.styles["Normal"].font.size = Pt(11)


def write_docx(data: ReportData, target: Path) -> None:
    document = Document()
    _chinese_font(document)
    document.core_properties.title = data.title
    document.core_properties.language = "zh-CN"
    for block in document_blocks(data):
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Chart):
            document.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
            document.add_paragraph(block.caption, style="Caption")
        elif isinstance(block, Table):
            if block.caption:
                document.add_paragraph(block.caption, style="Caption")
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = str(text)
            document.add_paragraph()
    document.save(str(target))
