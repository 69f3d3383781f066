"""Letters and certificates as accessible tagged PDFs (``benefits.letters``, ``employment.papers``).

The body is semantic HTML (h1, p, table with caption and ``<th scope>``) laid out by WeasyPrint on
A4 and written with PDF tags, as the monitoring report is (``monitoring.reports.pdf``): the file has
/MarkInfo Marked, a structure tree (H1, P, Table, TR, TH, TD) in reading order, the language (zh-CN)
and a title the PDF reader shows in its title bar, so a screen reader reads it as a document. The
Chinese font is embedded (subset): the free Noto CJK fonts when fontconfig knows them, and the font
file ``core.cjk_fonts.cjk_font_path`` finds as the last resort; without any Chinese font the PDF is
refused (``CJKFontMissing``, saying what to install).

The caller escapes its data (``text``); ``html_to_tagged_pdf`` escapes the title and metadata.
"""

from __future__ import annotations

import html

from huican.core.cjk_fonts import cjk_font_path

# The font file cjk_font_path finds (HUICAN_CJK_FONT, or the first free font present), last in the
# font list, so a font fontconfig does not know still serves.
FOUND_FAMILY = "Huican CJK"
SERIF = ("Noto Serif CJK SC", "Noto Sans CJK SC", FOUND_FAMILY)  # 宋体-like first, as the letters were


def text(value: object) -> str:
    """Plain text for the HTML of a letter: &, <, >, and quotes as entities."""
    return html.escape(str(value), quote=True)


def stylesheet(*, margin_mm: float = 25) -> str:
    family = ", ".join(f'"{name}"' for name in SERIF) + ", serif"
    url = cjk_font_path().resolve().as_uri()
    return f"""
    @font-face {{ font-family: "{FOUND_FAMILY}"; src: url("{url}"); }}
    @page {{ size: A4; margin: {margin_mm}mm; }}
    html {{ color: #000; }}
    body {{ margin: 0; font-family: {family}; font-size: 12pt; line-height: 22pt; }}
    h1 {{
        font-size: 18pt; line-height: 28pt; font-weight: bold; text-align: center;
        margin: 0 0 18pt 0;
    }}
    p {{ margin: 0 0 8pt 0; }}
    p.indent {{ text-indent: 2em; }}
    p.right {{ text-align: right; }}
    .gap {{ margin-top: 24pt; }}
    table {{
        width: 100%; border-collapse: collapse; font-size: 10pt; line-height: 15pt;
        margin: 0 0 12pt 0; text-align: left;
    }}
    caption {{ caption-side: top; text-align: left; font-size: 12pt; padding: 0 0 6pt 0; }}
    th, td {{ border: 0.5pt solid #444; padding: 2pt 4pt; vertical-align: top; }}
    thead th {{ text-align: center; }}
    tbody th {{ font-weight: normal; }}
    tr {{ break-inside: avoid; }}
    """


def html_document(
    body_html: str,
    *,
    title: str,
    author: str = "",
    subject: str = "",
    lang: str = "zh-CN",
    margin_mm: float = 25,
) -> str:
    """The whole HTML document: the language, the title and author for the PDF's metadata."""
    meta = (f'<meta name="author" content="{text(author)}">' if author else "") + (
        f'<meta name="description" content="{text(subject)}">' if subject else ""
    )
    return (
        f'<!DOCTYPE html><html lang="{text(lang)}"><head><meta charset="utf-8">'
        f"<title>{text(title)}</title>{meta}<style>{stylesheet(margin_mm=margin_mm)}</style></head>"
        f"<body>{body_html}</body></html>"
    )


def html_to_tagged_pdf(
    body_html: str,
    *,
    title: str,
    author: str = "",
    lang: str = "zh-CN",
    subject: str = "",
    margin_mm: float = 25,
) -> bytes:
    """`body_html` (escaped already) as a tagged A4 PDF with `title` (shown in the title bar),
    `author`, `subject` and `lang`; CJKFontMissing when the server has no Chinese font."""
    from weasyprint import HTML

    cjk_font_path()  # refuse (CJKFontMissing, saying what to install) before laying anything out
    document = html_document(
        body_html, title=title, author=author, subject=subject, lang=lang, margin_mm=margin_mm
    )
    return bytes(HTML(string=document).write_pdf(pdf_tags=True))  # no target: the bytes
