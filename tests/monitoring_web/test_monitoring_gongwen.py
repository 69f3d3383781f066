"""The reports in 公文 form (GB/T 9704-2012): the .docx and the .pdf opened and read back — page
geometry, fonts, page numbers, tags for screen readers — first from blocks made here, then the real
report, whose figures must be those of `huican indicators`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader

from huican.cli import main
from huican.core import cjk_fonts
from huican.core.tasks import job_status, submit
from huican.monitoring.charts import format_value
from huican.monitoring.checks import cjk_font_check
from huican.monitoring.plan import load_plan
from huican.monitoring.reports import fonts
from huican.monitoring.reports.build import build_report, report_job, write_report
from huican.monitoring.reports.charts import trend_png
from huican.monitoring.reports.document import (
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
from huican.monitoring.reports.pdf import render_pdf
from huican.monitoring.reports.word import render_docx
from tests.factories import make_user
from tests.tagged_pdfs import struct_elements

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
ALT = "2021年70%，2022年75%，2023年80%；目标90%"
SENTENCE = "全市十一项指标中，达标五项，未达标四项，因缺少数据或目标无法判断二项。"


def sample_blocks() -> list[Any]:
    chart = trend_png(years=[2021, 2022, 2023], values=[70, 75, 80], unit="%", target=90)
    return [
        Masthead("忻州市残疾人事业发展规划2025年度监测报告", "各县（市、区）残联"),
        Heading(1, "一、总体情况"),
        *[Paragraph(SENTENCE * 3) for _ in range(14)],
        Heading(2, "（一）社会保障"),
        Heading(3, "1. 最低生活保障"),
        Paragraph("低保覆盖率为 75%。"),
        Chart(chart, "图：低保覆盖率趋势", alt=ALT),
        Table(
            ["年度", "数值"], [[str(2000 + i), f"{i}%"] for i in range(70)], caption="表：逐年", widths=[1, 2]
        ),
        Bullets(["忻府区", "原平市"]),
        Closing("忻州市残疾人联合会", "2026年1月5日"),
        PageBreak(),
        Heading(1, "附件"),
    ]


# --- Word ---------------------------------------------------------------------------------------


def east_asian_font(style: Any) -> str | None:
    fonts_element = style.element.rPr.find(qn("w:rFonts")) if style.element.rPr is not None else None
    return None if fonts_element is None else fonts_element.get(qn("w:eastAsia"))


def test_docx_has_the_gongwen_page_and_type(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    render_docx(sample_blocks(), out, title="测试报告")
    document = Document(str(out))

    section = document.sections[0]  # Word keeps twips: equal to within a twip (0.018 mm)
    assert (section.page_width.mm, section.page_height.mm) == (
        pytest.approx(210, abs=0.02),
        pytest.approx(297, abs=0.02),
    )
    assert (section.top_margin.mm, section.left_margin.mm) == (
        pytest.approx(37, abs=0.02),
        pytest.approx(28, abs=0.02),
    )  # 天头, 订口
    assert (section.page_width - section.left_margin - section.right_margin) / Mm(1) == pytest.approx(
        156, abs=0.04
    )  # 版心
    assert (section.page_height - section.top_margin - section.bottom_margin) / Mm(1) == pytest.approx(
        225, abs=0.04
    )

    styles = document.styles
    expected = {
        "Title": ("方正小标宋简体", 22, False),
        "Heading 1": ("黑体", 16, False),
        "Heading 2": ("楷体_GB2312", 16, False),
        "Heading 3": ("仿宋_GB2312", 16, True),
        "公文正文": ("仿宋_GB2312", 16, False),
    }
    for name, (font, size, bold) in expected.items():
        style = styles[name]
        assert (east_asian_font(style), style.font.size, bool(style.font.bold)) == (font, Pt(size), bold), (
            name
        )
    body = styles["公文正文"].paragraph_format
    assert body.first_line_indent == Pt(32)  # 2 characters of 3号
    assert body.line_spacing == Pt(28.95)  # fixed: 22 lines in the 225 mm text block
    for level in (1, 2, 3):  # real headings: the navigation pane lists them
        outline = styles[f"Heading {level}"].element.pPr.find(qn("w:outlineLvl"))
        assert outline is not None and outline.get(qn("w:val")) == str(level - 1)
    for element in styles.element.iter(qn("w:color")):  # no template blue left in any style
        assert element.get(qn("w:val")) == "000000" and element.get(qn("w:themeColor")) is None
    language = styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert language.get(qn("w:eastAsia")) == "zh-CN"
    assert document.core_properties.language == "zh-CN"
    assert document.core_properties.title == "测试报告"

    paragraphs = document.paragraphs
    by_text = {p.text: p for p in paragraphs}
    assert by_text["忻州市残疾人事业发展规划2025年度监测报告"].style.name == "Title"
    addressee = paragraphs[2]
    assert addressee.text == "各县（市、区）残联：" and addressee.style.name == "主送机关"
    assert by_text["一、总体情况"].style.name == "Heading 1"
    assert by_text["（一）社会保障"].style.name == "Heading 2"
    assert by_text["1. 最低生活保障"].style.name == "Heading 3"
    issuer, date = by_text["忻州市残疾人联合会"], by_text["2026年1月5日"]
    assert issuer.style.paragraph_format.alignment == 2 and date.style.name == "落款"  # right-aligned
    assert issuer.paragraph_format.right_indent == Pt(32)  # 右空二字
    assert date.paragraph_format.right_indent > issuer.paragraph_format.right_indent  # centred under it
    attachment = by_text["附件"]  # flush left, on a page of its own
    assert attachment.paragraph_format.first_line_indent == 0
    before = paragraphs[paragraphs.index(attachment) - 1]._p
    assert any(br.get(qn("w:type")) == "page" for br in before.iter(qn("w:br")))


def test_docx_page_numbers_tables_and_pictures(tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    render_docx(sample_blocks(), out, title="测试报告")
    document = Document(str(out))

    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in ((section.footer, 2), (section.even_page_footer, 0)):  # odd right, even left
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment == alignment
        fonts_used = {r.get(qn("w:eastAsia")) for r in paragraph._p.iter(qn("w:rFonts"))}
        assert fonts_used == {"宋体"}
        assert {r.font.size for r in paragraph.runs} == {Pt(14)}  # 4号

    table = document.tables[0]
    header = table.rows[0]
    assert [c.text for c in header.cells] == ["年度", "数值"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page, read as header
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    cell_style = table.rows[1].cells[0].paragraphs[0].style
    assert east_asian_font(cell_style) == "仿宋_GB2312" and cell_style.font.size == Pt(12)

    pictures = list(document.element.body.iter(qn("wp:docPr")))
    assert [p.get("descr") for p in pictures] == [ALT]


# --- PDF ----------------------------------------------------------------------------------------


def text_positions(page: Any) -> list[tuple[float, float, str, float]]:
    """(x, y, text, size in pt) of each piece of text on the page, in PDF points from bottom left."""
    found = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text.strip(), size * abs(cm[3] or 1)))

    page.extract_text(visitor_text=visit)
    return found


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: Any) -> PdfReader:
    out = tmp_path_factory.mktemp("pdf") / "r.pdf"
    render_pdf(sample_blocks(), out, title="测试报告")
    return PdfReader(out)


def test_pdf_is_a4_with_gongwen_page_numbers(sample_pdf: PdfReader) -> None:
    assert len(sample_pdf.pages) >= 4
    for number, page in enumerate(sample_pdf.pages, start=1):
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4[0], abs=0.5)
        assert float(box.height) == pytest.approx(A4[1], abs=0.5)
        marks = [p for p in text_positions(page) if p[2] == f"— {number} —"]
        assert len(marks) == 1, number
        x, y, _, size = marks[0]
        assert size == pytest.approx(14, abs=0.1)  # 4号
        assert y < (35 - 7) * MM  # 7 mm or more below the text block
        if number % 2:  # odd pages right, even pages left, one character in
            assert x > A4[0] / 2
        else:
            assert x == pytest.approx(28 * MM + 14, abs=1)


def test_pdf_body_text_sits_in_the_text_block(sample_pdf: PdfReader) -> None:
    page = sample_pdf.pages[1]  # a page of body text only
    body = [p for p in text_positions(page) if not p[2].startswith("—")]
    assert {round(size, 1) for *_, size in body} == {16.0}  # 3号
    left = min(x for x, *_ in body)
    assert left == pytest.approx(28 * MM, abs=0.5)  # 订口 28 mm
    top_line = max(y for _, y, *_ in body)
    text_top = A4[1] - 37 * MM  # 天头 37 mm
    assert text_top - 28.95 < top_line < text_top
    lines = sorted({round(y, 1) for _, y, *_ in body}, reverse=True)
    assert len(lines) == 22  # 22 lines a page
    assert lines[0] - lines[1] == pytest.approx(28.95, abs=0.1)
    assert min(lines) > 35 * MM  # above the 35 mm bottom margin

    last = [p for p in text_positions(sample_pdf.pages[-1]) if not p[2].startswith("—")]
    assert [p[2] for p in last] == ["附件"]  # after the page break, flush left
    assert last[0][0] == pytest.approx(28 * MM, abs=0.5)


def test_pdf_is_tagged_for_screen_readers_with_embedded_fonts(sample_pdf: PdfReader) -> None:
    catalog = sample_pdf.trailer["/Root"]
    assert catalog["/Lang"] == "zh-CN"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # the title bar shows the title
    assert sample_pdf.metadata.title == "测试报告"
    elements = struct_elements(catalog["/StructTreeRoot"])
    kinds = Counter(str(e["/S"]) for e in elements)
    for kind in ("/H1", "/H2", "/H3", "/H4", "/P", "/Table", "/TR", "/TH", "/TD", "/Figure", "/L", "/LI"):
        assert kinds[kind] >= 1, kind
    assert kinds["/TH"] >= 2
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert [str(f["/Alt"]) for f in figures] == [ALT]

    embedded = {}
    for page in sample_pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile2", "/FontFile3"))
    assert embedded and all(embedded.values()), embedded
    assert any("CJK" in name for name in embedded)  # the free stand-ins of the official fonts

    text = "\n".join(page.extract_text() for page in sample_pdf.pages)
    for expected in (
        "各县（市、区）残联：",
        "一、总体情况",
        "（一）社会保障",
        "忻州市残疾人联合会",
        "2026年1月5日",
    ):
        assert expected in text


# --- fonts --------------------------------------------------------------------------------------


def test_without_a_chinese_font_reports_are_refused_with_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    latin = next(Path("/usr/share/fonts/truetype/dejavu").glob("DejaVuSans.ttf"), None)
    settings.HUICAN_CJK_FONT = str(latin or tmp_path / "missing.ttf")
    assert cjk_font_check in checks.registry.registry.get_checks()  # run by `check` and `huican serve`
    errors = cjk_font_check()
    assert [e.id for e in errors] == ["monitoring.E001"] and errors[0].level == checks.ERROR
    assert "fonts-noto-cjk" in errors[0].msg and "HUICAN_CJK_FONT" in errors[0].msg
    with pytest.raises(fonts.CJKFontMissing, match="fonts-noto-cjk"):
        trend_png(years=[2021], values=[1], unit="%")
    with pytest.raises(fonts.CJKFontMissing):
        render_pdf([Paragraph("正文")], tmp_path / "r.pdf", title="测试")
    assert not (tmp_path / "r.pdf").exists()

    monkeypatch.setattr(cjk_fonts, "FONT_CANDIDATES", ())  # where the search reads them
    settings.HUICAN_CJK_FONT = ""
    assert [e.id for e in cjk_font_check()] == ["monitoring.E001"]


def test_the_report_command_refuses_without_a_chinese_font(
    db: Any, tmp_path: Path, settings: Any, capsys: Any
) -> None:
    settings.HUICAN_CJK_FONT = str(tmp_path / "missing.ttf")
    for suffix in (".pdf", ".docx"):  # both have charts
        assert main(["report", "--year", "2024", "--out", str(tmp_path / f"r{suffix}")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "fonts-noto-cjk" in err and "HUICAN_CJK_FONT" in err
        assert not (tmp_path / f"r{suffix}").exists()
    assert main(["report", "--year", "2024", "--out", str(tmp_path / "r.xlsx")]) == 0  # no fonts needed


def test_the_report_job_fails_with_the_font_message(db: Any, settings: Any) -> None:
    settings.HUICAN_CJK_FONT = "/nonexistent/font.ttc"
    job = submit(
        kind="monitoring_report", actor=make_user(), func=report_job, year=2024, suffix=".pdf", final=False
    )
    status = job_status(job.pk)
    assert status["status"] == "failed"
    assert "服务器上没有可用的中文字体" in status["message"] and "fonts-noto-cjk" in status["message"]


def test_the_font_check_passes_and_names_a_chosen_font(settings: Any) -> None:
    assert cjk_font_check() == []
    settings.HUICAN_CJK_FONT = str(fonts.cjk_font_path())
    assert fonts.cjk_font_path() == Path(settings.HUICAN_CJK_FONT)


# --- the real report ----------------------------------------------------------------------------


def test_the_report_in_both_formats_says_the_figures_of_huican_indicators(
    world: Any, tmp_path: Path, capsys: Any
) -> None:
    assert main(["indicators", "--year", "2025", "--region", "140900"]) == 0
    rows = json.loads(capsys.readouterr().out)
    units = {i.code: i.unit for i in load_plan().indicators}
    figures = {r["code"]: format_value(r["value"], units[r["code"]]) for r in rows if r["value"] is not None}
    assert figures["medical_enrolment"] == "75%"  # the world's 3 of 4 insured

    data = build_report(year=2025)
    blocks = document_blocks(data)
    headings = [b.text for b in blocks if isinstance(b, Heading)] + [
        b.title for b in blocks if isinstance(b, Masthead)
    ]
    assert len(headings) > 5

    docx = write_report(year=2025, out=tmp_path / "r.docx")
    document = Document(str(docx))
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.02)
    docx_text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for row in t.rows for c in row.cells]
    )
    pdf = PdfReader(write_report(year=2025, out=tmp_path / "r.pdf"))
    pages = [page.extract_text() for page in pdf.pages]
    pdf_text = "\n".join(pages)
    for number, page in enumerate(pages, start=1):
        assert f"— {number} —" in page
    assert pdf.metadata.title == data.title
    for text in (docx_text, pdf_text.replace("\n", "")):
        for heading in headings:
            assert heading.replace("\n", "") in text, heading
        for code, value in figures.items():
            assert value in text, (code, value)
