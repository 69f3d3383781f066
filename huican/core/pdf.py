"""What the reportlab letters and certificates share (``benefits.letters``, ``employment.papers``).

Reportlab's built-in CID font STSong-Light needs no font file (a PDF reader supplies it), as in the
monitoring report (``monitoring.reports.pdf``). Paragraph text is reportlab markup, so plain text is
escaped before it goes into a Paragraph.
"""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

FONT = "STSong-Light"  # as monitoring.reports.pdf


def paragraph_styles() -> dict[str, ParagraphStyle]:
    """The styles of a letter (body, indent, title, right), with the font registered once."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, wordWrap="CJK", spaceAfter=8)
    return {
        "body": body,
        "indent": ParagraphStyle("indent", parent=body, firstLineIndent=24),
        "title": ParagraphStyle(
            "title", parent=body, fontSize=18, leading=28, alignment=TA_CENTER, spaceAfter=18
        ),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


def escape(text: str) -> str:
    """Plain text for a Paragraph: &, < and > as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
