"""The readable report as a Word document in 公文 form (GB/T 9704-2012), from the blocks of
reports.document, with python-docx.

A4 with the standard margins (reports.layout); the title in 2号 方正小标宋简体, body text in 3号
仿宋_GB2312 at a fixed 22 lines a page, headings 一、 in 黑体, （一） in 楷体_GB2312, 1. in bold 仿宋,
all black and real heading styles (the navigation pane and outline list them); page numbers
"— 1 —" in 4号 宋体, odd pages right and even pages left (a PAGE field). The file names the
official fonts, with the commoner Windows font each falls back to (fontTable altName); a machine
without them substitutes, as with any 公文 template. Tables repeat their header row on each page;
charts carry their text alternative (docPr descr) for screen readers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from huican.monitoring.reports import layout
from huican.monitoring.reports.build import ReportData
from huican.monitoring.reports.document import (
    Block,
    Bullets,
    Chart,
    Closing,
    Heading,
    Masthead,
    PageBreak,
    Paragraph,
    Table,
    document_blocks,
)
from huican.monitoring.reports.fonts import BODY, FACES, HEI, KAI, SONG, TITLE, Face

BLACK = RGBColor(0, 0, 0)
BODY_STYLE = "公文正文"
ADDRESSEE_STYLE = "主送机关"
CLOSING_STYLE = "落款"
TABLE_TEXT_STYLE = "表格文字"
FIGURE_STYLE = "图片"
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
# (face, bold) of the headings: 一、 黑体, （一） 楷体, 1. bold 仿宋 (GB/T 9704 7.3.3 and custom).
HEADING_FACES = {1: (HEI, False), 2: (KAI, False), 3: (BODY, True)}
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def write_docx(data: ReportData, target: Path) -> None:
    render_docx(document_blocks(data), target, title=data.title, author=data.plan.issuer)


def render_docx(blocks: list[Block], target: Path, *, title: str, author: str = "") -> None:
    """Write `blocks` to `target` as a 公文-form .docx."""
    document = Document()
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # the template's old copy of its styles
            document.part.drop_rel(rel_id)
    _page_setup(document)
    _styles(document)
    _font_table(document)
    _page_numbers(document)
    document.core_properties.title = title
    document.core_properties.author = author
    document.core_properties.language = "zh-CN"
    for block in blocks:
        _add_block(document, block)
    document.save(str(target))


# --- page ---------------------------------------------------------------------------------------


def _page_setup(document: Any) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(layout.PAGE_WIDTH_MM), Mm(layout.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(layout.TOP_MM), Mm(layout.BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(layout.LEFT_MM), Mm(layout.RIGHT_MM)
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    # The footer's bottom edge, so the page number's top sits 7 mm below the text block.
    section.footer_distance = Mm(layout.BOTTOM_MM - layout.PAGE_NUMBER_GAP_MM) - Pt(layout.SIZE_4 * 1.3)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(layout.LINE_PITCH_TWIPS))


def _page_numbers(document: Any) -> None:
    """ "— N —" in 4号 宋体: odd pages right-aligned, even pages left-aligned, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = Pt(layout.SIZE_4)
        else:
            fmt.left_indent = Pt(layout.SIZE_4)
        before, after = layout.page_number_text("|").split("|")
        _page_number_run(paragraph.add_run(before))
        _page_field(paragraph)
        _page_number_run(paragraph.add_run(after))


def _page_number_run(run: Any) -> Any:
    _set_face(run._element.get_or_add_rPr(), SONG)
    run.font.size = Pt(layout.SIZE_4)
    return run


def _page_field(paragraph: Any) -> None:
    """A PAGE field: Word puts the page's number there (the "1" is what shows before an update)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _page_number_run(paragraph.add_run())
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                char.set(qn("w:dirty"), "true")
            run._element.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._element.append(instruction)
        else:
            run.text = text


# --- styles -------------------------------------------------------------------------------------


def _set_face(rpr: Any, face: Face) -> None:
    """Name `face` for every script (ascii, hAnsi, eastAsia, cs), with no theme font overriding it."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), face.official)


def _black(rpr: Any) -> None:
    color = rpr.get_or_add_color()  # inserted where the schema puts it (Word rejects disorder)
    color.attrib.clear()
    color.set(qn("w:val"), "000000")


def _first_line_chars(paragraph_format: Any, chars: int, size: float) -> None:
    """A first-line indent of `chars` characters (w:firstLineChars, which Word keeps per character)."""
    paragraph_format.first_line_indent = Pt(chars * size)
    indent = paragraph_format._element.get_or_add_pPr().find(qn("w:ind"))
    if indent is not None:
        indent.set(qn("w:firstLineChars"), str(chars * 100))


def _style(
    document: Any,
    name: str,
    face: Face,
    size: float,
    *,
    bold: bool = False,
    align: Any = None,
    indent_chars: int = 0,
    line_pt: float | None = layout.LINE_PITCH_PT,
    base: str | None = None,
) -> Any:
    styles = document.styles
    try:
        style = styles[name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE

        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base or "Normal"]
        style.quick_style = True
    rpr = style.element.get_or_add_rPr()
    _set_face(rpr, face)
    _black(rpr)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if line_pt is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    if align is not None:
        fmt.alignment = align
    _first_line_chars(fmt, indent_chars, size)
    ppr = style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))  # the template's Title has a blue rule under it
    if border is not None:
        ppr.remove(border)
    return style


AFTER_SNAP_TO_GRID = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
                      "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                      "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")  # fmt: skip


def _off_grid(style: Any) -> None:
    """Let the style's lines keep their own height instead of snapping to the page's 22-line grid
    (the 2号 title, tables, captions, pictures and page numbers: the grid would double their lines)."""
    ppr = style.element.get_or_add_pPr()
    if ppr.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        ppr.insert_element_before(snap, *AFTER_SNAP_TO_GRID)


def _styles(document: Any) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_face(rpr_default, BODY)
    lang = rpr_default.find(qn("w:lang"))
    lang.attrib.clear()
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    for tag, value in (("w:sz", layout.SIZE_3), ("w:szCs", layout.SIZE_3)):
        rpr_default.find(qn(tag)).set(qn("w:val"), str(int(value * 2)))
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(layout.LINE_PITCH_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")

    for element in styles.element.iter(qn("w:color"), qn("w:rFonts")):
        # No theme colour (the template's blue) nor theme font anywhere: black, and fonts named below.
        for attribute in ("w:themeColor", "w:themeShade", "w:themeTint", *THEME_ATTRIBUTES):
            element.attrib.pop(qn(attribute), None)
        if element.tag == qn("w:color"):
            element.set(qn("w:val"), "000000")
    _style(document, "Normal", BODY, layout.SIZE_3, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(document, BODY_STYLE, BODY, layout.SIZE_3, indent_chars=layout.BODY_INDENT_CHARS)
    _style(document, "Title", TITLE, layout.SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    for level, name in HEADING_STYLES.items():
        face, bold = HEADING_FACES[level]
        style = _style(document, name, face, layout.SIZE_3, bold=bold, indent_chars=layout.BODY_INDENT_CHARS)
        style.paragraph_format.keep_with_next = True
        style.font.color.rgb = BLACK
        _black(style.element.get_or_add_rPr())
    _style(document, ADDRESSEE_STYLE, BODY, layout.SIZE_3, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(document, CLOSING_STYLE, BODY, layout.SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT)
    caption = _style(document, "Caption", BODY, layout.SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=None)
    caption.paragraph_format.space_before = Pt(4)
    caption.paragraph_format.space_after = Pt(4)
    _style(document, TABLE_TEXT_STYLE, BODY, layout.SIZE_SMALL_4, line_pt=layout.TABLE_LINE_PT)
    # A picture's line must grow with it: a fixed line height would show a strip of the chart.
    _style(document, FIGURE_STYLE, BODY, layout.SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=None)
    _style(document, "List Bullet", BODY, layout.SIZE_3)
    for name in ("Header", "Footer"):
        _style(document, name, SONG, layout.SIZE_4, line_pt=None)
    for name in ("Title", "Caption", TABLE_TEXT_STYLE, FIGURE_STYLE, "Header", "Footer"):
        _off_grid(styles[name])


def _font_table(document: Any) -> None:
    """Declare each official font with the Windows font to fall back to and its GB2312 charset."""
    font_part = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")
    )
    from docx.oxml import parse_xml

    root = parse_xml(font_part.blob)
    for face in FACES:
        font = OxmlElement("w:font")
        font.set(qn("w:name"), face.official)
        for tag, value in (("w:altName", face.alternative), ("w:charset", "86"), ("w:family", "auto")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        pitch = OxmlElement("w:pitch")
        pitch.set(qn("w:val"), "variable")
        font.append(pitch)
        root.append(font)
    from lxml import etree

    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- blocks -------------------------------------------------------------------------------------


def _add_block(document: Any, block: Block) -> None:
    if isinstance(block, Masthead):
        document.add_paragraph(block.title, style="Title")
        document.add_paragraph("", style="Normal")  # 标题下空一行
        if block.addressee:
            document.add_paragraph(layout.addressee_line(block.addressee), style=ADDRESSEE_STYLE)
    elif isinstance(block, Heading):
        if block.level <= 0:
            document.add_paragraph(block.text, style="Title")
            document.add_paragraph("", style="Normal")
        else:
            paragraph = document.add_paragraph(block.text, style=HEADING_STYLES[min(block.level, 3)])
            if layout.is_attachment_label(block.text):
                _first_line_chars(paragraph.paragraph_format, 0, layout.SIZE_3)
    elif isinstance(block, Paragraph):
        document.add_paragraph(block.text, style=BODY_STYLE)
    elif isinstance(block, Bullets):
        for item in block.items:
            document.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Chart):
        _add_chart(document, block)
    elif isinstance(block, Table):
        _add_table(document, block)
    elif isinstance(block, Closing):
        _add_closing(document, block)
    elif isinstance(block, PageBreak):
        document.add_page_break()


def _add_chart(document: Any, block: Chart) -> None:
    paragraph = document.add_paragraph(style=FIGURE_STYLE)
    paragraph.paragraph_format.keep_with_next = True
    width = Cm(min(block.width_cm, layout.TEXT_WIDTH_MM / 10))
    shape = paragraph.add_run().add_picture(io.BytesIO(block.png), width=width)
    properties = shape._inline.docPr
    properties.set("descr", block.alt or block.caption)
    properties.set("title", block.caption)
    document.add_paragraph(block.caption, style="Caption")


def _add_table(document: Any, block: Table) -> None:
    if block.caption:
        caption = document.add_paragraph(block.caption, style="Caption")
        caption.paragraph_format.keep_with_next = True
    weights = block.widths or [1.0] * len(block.header)
    total = sum(weights)
    widths = [Mm(layout.TEXT_WIDTH_MM * w / total) for w in weights]
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text, width in zip(header.cells, block.header, widths, strict=True):
        cell.width = width
        paragraph = cell.paragraphs[0]
        paragraph.style = document.styles[TABLE_TEXT_STYLE]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for cell, value, width in zip(cells, row, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles[TABLE_TEXT_STYLE]
            paragraph.add_run(str(value))
    document.add_paragraph("", style="Normal")


def _repeat_as_header(row: Any) -> None:
    """Mark the row as the table's header: repeated on each page, read as headers by screen readers."""
    properties = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        properties.append(OxmlElement(tag))


def _add_closing(document: Any, block: Closing) -> None:
    document.add_paragraph("", style="Normal")  # 正文（或附件说明）下空一行
    issuer_indent, date_indent = layout.closing_right_indents(block.issuer, block.date)
    for text, indent in ((block.issuer, issuer_indent), (block.date, date_indent)):
        paragraph = document.add_paragraph(text, style=CLOSING_STYLE)
        paragraph.paragraph_format.right_indent = Pt(indent * layout.SIZE_3)
        paragraph.paragraph_format.keep_with_next = text == block.issuer
