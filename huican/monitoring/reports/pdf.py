"""The readable report as a PDF (reportlab), from the blocks of reports.document.

Chinese text uses reportlab's built-in CID font STSong-Light (no font file needed: a PDF reader
supplies it); the charts are the same PNG images as in the Word document.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

from huican.monitoring.reports.build import ReportData
from huican.monitoring.reports.document import Bullets, Chart, Heading, Paragraph, Table, document_blocks

FONT = "STSong-Light"


def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=6)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=14
        ),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=20, spaceBefore=10, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#333333")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(block: Table, styles: dict[str, ParagraphStyle], width: float) -> PdfTable:
    weights = block.widths or [1.0] * len(block.header)
    total = sum(weights)
    widths = [width * w / total for w in weights]
    cell = styles["cell"]
    rows = [[PdfParagraph(_escape(h), cell) for h in block.header]]
    rows += [[PdfParagraph(_escape(str(v)), cell) for v in row] for row in block.rows]
    table = PdfTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a8f98")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def write_pdf(data: ReportData, target: Path) -> None:
    styles = _styles()
    document = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=data.title,
        author=data.plan.issuer,
        lang="zh-CN",
    )
    width = document.width
    story: list = []
    for block in document_blocks(data):
        if isinstance(block, Heading):
            style = {0: "title", 1: "h1"}.get(block.level, "h2")
            story.append(PdfParagraph(_escape(block.text), styles[style]))
        elif isinstance(block, Paragraph):
            story.append(PdfParagraph(_escape(block.text), styles["body"]))
        elif isinstance(block, Bullets):
            story.append(
                ListFlowable(
                    [ListItem(PdfParagraph(_escape(item), styles["body"])) for item in block.items],
                    bulletType="bullet",
                )
            )
        elif isinstance(block, Chart):
            image = Image(io.BytesIO(block.png))
            scale = min(width, block.width_cm * cm) / image.imageWidth
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            story.append(KeepTogether([image, PdfParagraph(_escape(block.caption), styles["caption"])]))
        elif isinstance(block, Table):
            if block.caption:
                story.append(PdfParagraph(_escape(block.caption), styles["caption"]))
            story.append(_table(block, styles, width))
            story.append(Spacer(1, 8))
    document.build(story)
