"""The papers of a verification: the 按比例就业审核确认书 (PDF, per employer) and the list the tax
bureau needs (xlsx: code, name, staff, required, arranged, base wage, due).

The PDF is made like the benefits notices (``benefits.letters``, both with ``core.pdf``): reportlab
with the CID font STSong-Light (no font file needed), title, author, subject and language (zh-CN)
set. The workbook's text cells are neutralised (``core.frames.neutralize_cell``) like every other
export.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from huican.core.dates import chinese_date
from huican.core.frames import neutralize_cell
from huican.core.pdf import FONT, escape, paragraph_styles
from huican.employment.verification import REASONS, STATUSES
from huican.regions.names import region_names

TAX_HEADER = [
    "统一社会信用代码",
    "单位名称",
    "在职职工人数",
    "应安排人数",
    "已安排人数",
    "计征工资基数（元）",
    "应缴残保金（元）",
]


def _number(value: float, places: int) -> str:
    return f"{value:,.{places}f}"


def certificate_pdf(element: dict[str, Any], persons: list[dict[str, Any]], *, today: Any) -> bytes:
    """按比例就业审核确认书 of one employer and year: the verified figures and each declared person
    (masked ID number) with the reasons a person does not count."""
    styles = paragraph_styles()
    buffer = io.BytesIO()
    county = region_names({element["county"]}).get(element["county"], element["county"])
    issuer = f"{county}残疾人联合会"
    title = "按比例安排残疾人就业审核确认书"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"{title}（{element['name']}，{element['year']} 年度）",
        author=issuer,
        subject="按比例就业年审",
        lang="zh-CN",
    )
    figures = [
        ("统一社会信用代码", element["credit_code"]),
        ("单位名称", element["name"]),
        ("统计年度", str(element["year"])),
        ("在职职工人数", f"{element['staff']:g}"),
        ("应安排残疾人就业人数", _number(element["required"], 4)),
        ("已安排（审核确认）人数", _number(element["arranged"], 4)),
        ("实际安排比例", f"{element['ratio']:.2f}%"),
        ("计征工资基数（元）", _number(element["base_wage"], 2)),
        ("审核结论", STATUSES[element["status"]]),
        ("应缴残疾人就业保障金（元）", _number(element["due"], 2)),
    ]
    cell = styles["body"]
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 10),
            ("GRID", (0, 0), (-1, -1), 0.5, "#444444"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story: list[Any] = [
        Paragraph(escape(title), styles["title"]),
        Table(
            [[Paragraph(escape(k), cell), Paragraph(escape(v), cell)] for k, v in figures],
            colWidths=[6 * cm, 11 * cm],
            style=table_style,
        ),
        Spacer(1, 12),
        Paragraph("申报的残疾职工审核情况", styles["body"]),
    ]
    rows = [["姓名", "身份证号", "是否计入", "权重", "月数", "不计入的原因"]]
    for person in persons:
        rows.append(
            [
                person["name"],
                person["id_masked"],
                "是" if person["counted"] else "否",
                str(person["weight"]),
                str(person["months"]),
                "；".join(REASONS[r] for r in person["reasons"]) or "—",
            ]
        )
    story.append(
        Table(
            [[Paragraph(escape(c), cell) for c in row] for row in rows],
            colWidths=[2.3 * cm, 3.6 * cm, 1.6 * cm, 1.2 * cm, 1.2 * cm, 7.1 * cm],
            style=table_style,
            repeatRows=1,
        )
    )
    story += [
        Spacer(1, 24),
        Paragraph(escape(issuer), styles["right"]),
        Paragraph(escape(chinese_date(today)), styles["right"]),
    ]
    document.build(story)
    return buffer.getvalue()


def tax_workbook(elements: list[dict[str, Any]]) -> bytes:
    """The tax bureau's list: one row per employer, numbers as numbers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("残保金审核结果")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    four = workbook.add_format({"num_format": "0.0000"})
    for column, name in enumerate(TAX_HEADER):
        sheet.write_string(0, column, name, bold)
    for row, e in enumerate(elements, start=1):
        sheet.write_string(row, 0, str(neutralize_cell(e["credit_code"])))
        sheet.write_string(row, 1, str(neutralize_cell(e["name"])))
        sheet.write_number(row, 2, e["staff"])
        sheet.write_number(row, 3, e["required"], four)
        sheet.write_number(row, 4, e["arranged"], four)
        sheet.write_number(row, 5, e["base_wage"], money)
        sheet.write_number(row, 6, e["due"], money)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 6, 16)
    workbook.close()
    return buffer.getvalue()
