"""The page and the type of a 公文 (GB/T 9704-2012 《党政机关公文格式》), shared by reports.word and
reports.pdf so the two files have the same geometry.

A4 paper; 天头 (top margin) 37 mm, 订口 (left margin) 28 mm, 版心 (text block) 156 × 225 mm, so the
right margin is 26 mm and the bottom one 35 mm; 22 lines a page in 3号 type; page numbers "— 1 —"
in 4号 宋体 7 mm below the text block, odd pages at the right, even ones at the left, one
character in from the edge of the text block.
"""

from __future__ import annotations

import math
import re
import unicodedata

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
TOP_MM = 37.0  # 天头
LEFT_MM = 28.0  # 订口
TEXT_WIDTH_MM = 156.0  # 版心宽
TEXT_HEIGHT_MM = 225.0  # 版心高
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TEXT_WIDTH_MM  # 26 mm
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35 mm
PAGE_NUMBER_GAP_MM = 7.0  # 页码的一字线上距版心下边缘 7 mm

LINES_PER_PAGE = 22
# 22 lines in the 225 mm text block, rounded down to whole twips (1/20 pt) so 22 still fit: 579
# twips = 28.95 pt, the pitch Word templates of 公文 use.
LINE_PITCH_TWIPS = math.floor(TEXT_HEIGHT_MM / 25.4 * 1440 / LINES_PER_PAGE)
LINE_PITCH_PT = LINE_PITCH_TWIPS / 20

# 字号 (Chinese type sizes) in points.
SIZE_2 = 22.0  # 二号: the title
SIZE_3 = 16.0  # 三号: body text and headings
SIZE_4 = 14.0  # 四号: page numbers, captions
SIZE_SMALL_4 = 12.0  # 小四: table cells
TABLE_LINE_PT = 18.0  # exact line height inside tables

BODY_INDENT_CHARS = 2  # 每个自然段左空二字
CLOSING_RIGHT_CHARS = 2  # 发文机关署名右空二字


def page_number_text(number: int | str) -> str:
    """The page number as GB/T 9704 prints it: the number between two 一字线."""
    return f"— {number} —"


def addressee_line(addressee: str) -> str:
    """The 主送机关 line: the organs, ending with a full-width colon."""
    text = addressee.strip()
    return text if text.endswith(("：", ":")) else f"{text}："


def is_attachment_label(text: str) -> bool:
    """ "附件" or "附件2": set flush left in 黑体 at the top of the attachment (GB/T 9704 8), unindented."""
    return re.fullmatch(r"附件\s*[0-9０-９]*", text.strip()) is not None


def width_in_chars(text: str) -> float:
    """How many full-width characters `text` spans (half-width letters and digits count ½)."""
    return sum(0.5 if unicodedata.east_asian_width(ch) in ("Na", "H", "N") else 1.0 for ch in text)


def closing_right_indents(issuer: str, date: str) -> tuple[float, float]:
    """Right indents, in characters, of the 落款 and the 成文日期 below it.

    Without a seal (GB/T 9704 7.3.5.2) the issuer stands two characters in from the right edge and
    the date is centred under the issuer; a date longer than the issuer takes its place instead.
    """
    issuer_width, date_width = width_in_chars(issuer), width_in_chars(date)
    issuer_indent = CLOSING_RIGHT_CHARS + max(0.0, (date_width - issuer_width) / 2)
    date_indent = CLOSING_RIGHT_CHARS + max(0.0, (issuer_width - date_width) / 2)
    return issuer_indent, date_indent
