"""The letters' tagged PDF (``core.tagged_pdf``) and the Chinese font it needs (``core.cjk_fonts``):
opened and read back — marked, a structure tree with headings, paragraphs and tables, the language,
the title for the title bar, embedded fonts, the text escaped — and refused without a Chinese font."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from huican.core import cjk_fonts
from huican.core.tagged_pdf import html_to_tagged_pdf, text
from tests.tagged_pdfs import read_tagged

BODY = (
    f"<h1>{text('测试通知书')}</h1>"
    f"<p>{text('申请人：张三 <b>不是标签</b> & 其他')}</p>"
    '<p class="indent">经审核，决定不予批准。</p>'
    "<table><caption>审核情况</caption>"
    '<thead><tr><th scope="col">姓名</th><th scope="col">结论</th></tr></thead>'
    '<tbody><tr><th scope="row">张三</th><td>不计入</td></tr></tbody></table>'
    '<p class="right gap">忻府区残疾人联合会</p>'
)


def test_the_pdf_is_tagged_titled_and_readable() -> None:
    pdf = read_tagged(html_to_tagged_pdf(BODY, title="测试通知书（编号 1）", author="忻府区残疾人联合会"))
    assert pdf.title == "测试通知书（编号 1）"
    assert str(pdf.reader.metadata["/Author"]) == "忻府区残疾人联合会"
    for kind in ("/H1", "/P", "/Table", "/TR", "/TH", "/TD", "/Caption"):
        assert pdf.kinds[kind] >= 1, kind
    assert pdf.kinds["/TH"] == 3 and pdf.kinds["/P"] >= 3
    # Each data cell names its headers (the row's <th scope="row"> and the column's), read aloud with it.
    headers = {str(e["/ID"]) for e in pdf.elements if e["/S"] == "/TH"}
    (cell,) = (e for e in pdf.elements if e["/S"] == "/TD")
    assert len(cell["/A"]["/Headers"]) == 2 and {str(h) for h in cell["/A"]["/Headers"]} <= headers
    order = [str(e["/S"]) for e in pdf.elements if e["/S"] in ("/H1", "/P", "/Table")]
    assert order[0] == "/H1" and order.index("/Table") < len(order) - 1  # reading order kept
    assert "申请人：张三 <b>不是标签</b> & 其他" in pdf.text  # data shown, never markup
    assert "审核情况" in pdf.text and "不计入" in pdf.text
    assert len(pdf.reader.pages) == 1


def test_subject_and_language_go_into_the_file() -> None:
    content = html_to_tagged_pdf("<h1>标题</h1><p>正文</p>", title="标题", subject="主题")
    pdf = read_tagged(content)
    assert str(pdf.reader.metadata["/Subject"]) == "主题"


def test_without_a_chinese_font_the_pdf_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.HUICAN_CJK_FONT = str(tmp_path / "missing.ttf")
    with pytest.raises(cjk_fonts.CJKFontMissing, match="fonts-noto-cjk"):
        html_to_tagged_pdf(BODY, title="测试")


def test_the_monitoring_report_finds_the_same_font() -> None:
    from huican.monitoring.reports import fonts

    assert fonts.CJKFontMissing is cjk_fonts.CJKFontMissing
    assert fonts.cjk_font_path() == cjk_fonts.cjk_font_path()
