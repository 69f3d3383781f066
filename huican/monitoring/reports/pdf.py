"""The readable report as a tagged PDF in 公文 form (GB/T 9704-2012), from the blocks of
reports.document: the blocks become semantic HTML (h1–h4, p, ul, table with th, figure with alt)
laid out by WeasyPrint with the page of reports.layout and written with PDF tags, so a screen
reader reads headings, tables and the charts' text alternatives, in the document language zh-CN,
with the report's title in the title bar.

The official fonts are named first in each font list; a server without them (the usual case) uses
the free Noto CJK fonts (fonts-noto-cjk) and AR PL UKai (fonts-arphic-ukai) for 楷体, embedded as
subsets, so the file reads the same everywhere. The font file fonts.cjk_font_path finds (the one
HUICAN_CJK_FONT names, else the first free one present) is the last resort of every list. Without
any Chinese font the PDF is refused (fonts.CJKFontMissing).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

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
from huican.monitoring.reports.fonts import BODY, HEI, KAI, SONG, TITLE, Face, cjk_font_path

# The Chinese font file found (fonts.cjk_font_path: HUICAN_CJK_FONT, or the first free font present),
# last in every font list, so a font fontconfig does not know still serves.
FOUND_FAMILY = "Huican CJK"


def write_pdf(data: ReportData, target: Path) -> None:
    render_pdf(document_blocks(data), target, title=data.title, author=data.plan.issuer)


def render_pdf(blocks: list[Block], target: Path, *, title: str, author: str = "") -> None:
    """Write `blocks` to `target` as a tagged, 公文-form PDF."""
    from weasyprint import HTML

    cjk_font_path()  # refuse (CJKFontMissing, saying what to install) before laying anything out
    document = report_html(blocks, title=title, author=author)
    HTML(string=document, base_url=str(target.parent)).write_pdf(str(target), pdf_tags=True)


def _family(face: Face) -> str:
    names = [face.official, *face.free, FOUND_FAMILY]
    return ", ".join(f'"{name}"' for name in names) + ", serif"


def stylesheet() -> str:
    mm, pt = "mm", "pt"
    page_number = f"""
        font-family: {_family(SONG)}; font-size: {layout.SIZE_4}{pt};
        vertical-align: top; padding-top: {layout.PAGE_NUMBER_GAP_MM}{mm};"""
    url = cjk_font_path().resolve().as_uri()
    font_face = f'@font-face {{ font-family: "{FOUND_FAMILY}"; src: url("{url}"); }}'
    return f"""
    {font_face}
    @page {{
        size: A4;
        margin: {layout.TOP_MM}{mm} {layout.RIGHT_MM}{mm} {layout.BOTTOM_MM}{mm} {layout.LEFT_MM}{mm};
    }}
    @page :right {{
        @bottom-right {{ content: "— " counter(page) " —"; padding-right: 1em; {page_number} }}
    }}
    @page :left {{
        @bottom-left {{ content: "— " counter(page) " —"; padding-left: 1em; {page_number} }}
    }}
    html {{ color: #000; }}
    body {{
        margin: 0; font-family: {_family(BODY)}; font-size: {layout.SIZE_3}{pt};
        line-height: {layout.LINE_PITCH_PT}{pt}; text-align: justify;
    }}
    h1, h2, h3, h4, p, ul, figure, table {{ margin: 0; }}
    h1 {{
        font-family: {_family(TITLE)}; font-size: {layout.SIZE_2}{pt}; font-weight: bold;
        text-align: center; line-height: {layout.LINE_PITCH_PT}{pt};
        margin-bottom: {layout.LINE_PITCH_PT}{pt};
    }}
    h2, h3, h4 {{
        font-size: {layout.SIZE_3}{pt}; text-indent: {layout.BODY_INDENT_CHARS}em; font-weight: normal;
        break-after: avoid;
    }}
    h2 {{ font-family: {_family(HEI)}; }}
    h3 {{ font-family: {_family(KAI)}; }}
    h4 {{ font-family: {_family(BODY)}; font-weight: bold; }}
    .attachment {{ text-indent: 0; }}
    p {{ text-indent: {layout.BODY_INDENT_CHARS}em; }}
    p.addressee {{ text-indent: 0; text-align: left; }}
    p.closing {{ text-indent: 0; text-align: right; }}
    p.closing.issuer {{ margin-top: {layout.LINE_PITCH_PT}{pt}; break-after: avoid; }}
    ul {{ padding-left: 4em; }}
    figure {{ text-align: center; margin: 6{pt} 0; break-inside: avoid; }}
    figure img {{ max-width: 100%; }}
    figcaption, caption {{
        font-size: {layout.SIZE_4}{pt}; line-height: 1.4; text-align: center; text-indent: 0;
        padding: 4{pt} 0;
    }}
    table {{
        width: 100%; border-collapse: collapse; font-size: {layout.SIZE_SMALL_4}{pt};
        line-height: {layout.TABLE_LINE_PT}{pt}; margin-bottom: {layout.LINE_PITCH_PT}{pt};
        text-align: left;
    }}
    caption {{ caption-side: top; break-after: avoid; }}
    th, td {{ border: 0.5pt solid #000; padding: 1{pt} 3{pt}; vertical-align: top; }}
    th {{ font-weight: bold; text-align: center; }}
    tr {{ break-inside: avoid; }}
    .page-break {{ break-before: page; }}
    """


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _block_html(block: Block) -> str:
    if isinstance(block, Masthead):
        parts = [f"<h1>{_text(block.title)}</h1>"]
        if block.addressee:
            parts.append(f'<p class="addressee">{_text(layout.addressee_line(block.addressee))}</p>')
        return "\n".join(parts)
    if isinstance(block, Heading):
        tag = f"h{min(max(block.level, 0) + 1, 4)}"  # the title is h1, 一、 h2, （一） h3, 1. h4
        flush = ' class="attachment"' if layout.is_attachment_label(block.text) else ""
        return f"<{tag}{flush}>{_text(block.text)}</{tag}>"
    if isinstance(block, Paragraph):
        return f"<p>{_text(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_text(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Chart):
        width = min(block.width_cm * 10, layout.TEXT_WIDTH_MM)
        source = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        return (
            f'<figure><img src="{source}" alt="{_text(block.alt or block.caption)}" '
            f'style="width: {width:.1f}mm"><figcaption>{_text(block.caption)}</figcaption></figure>'
        )
    if isinstance(block, Table):
        return _table_html(block)
    if isinstance(block, Closing):
        issuer_indent, date_indent = layout.closing_right_indents(block.issuer, block.date)
        return (
            f'<p class="closing issuer" style="padding-right: {issuer_indent}em">{_text(block.issuer)}</p>'
            f'<p class="closing date" style="padding-right: {date_indent}em">{_text(block.date)}</p>'
        )
    if isinstance(block, PageBreak):
        return '<div class="page-break"></div>'
    raise TypeError(f"unknown block {type(block).__name__}")


def _table_html(block: Table) -> str:
    weights = block.widths or [1.0] * len(block.header)
    total = sum(weights)
    columns = "".join(f'<col style="width: {100 * w / total:.2f}%">' for w in weights)
    caption = f"<caption>{_text(block.caption)}</caption>" if block.caption else ""
    head = "".join(f'<th scope="col">{_text(h)}</th>' for h in block.header)
    body = "".join("<tr>" + "".join(f"<td>{_text(v)}</td>" for v in row) + "</tr>" for row in block.rows)
    return (
        f"<table>{caption}<colgroup>{columns}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def report_html(blocks: list[Block], *, title: str, author: str = "") -> str:
    """The blocks as one HTML document (lang zh-CN, the title in <title> for the PDF's metadata)."""
    body = "\n".join(_block_html(block) for block in blocks)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_text(title)}</title>"
        + (f'<meta name="author" content="{_text(author)}">' if author else "")
        + f"<style>{stylesheet()}</style></head><body>{body}</body></html>"
    )
