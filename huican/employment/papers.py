"""The papers of a verification: the 按比例就业审核确认书 (PDF, per employer) and the list the tax
bureau needs (xlsx: code, name, staff, required, arranged, base wage, due).

The PDF is an accessible tagged PDF like the benefits notices (``benefits.letters``, both with
``core.tagged_pdf``): a heading, the figures as a table with row headers, the declared persons as a
table with a caption and column headers, the language zh-CN, the title shown in the PDF reader's title
bar, author and subject set. The workbook's text cells are neutralised (``core.frames.neutralize_cell``)
like every other export.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from huican.core.dates import chinese_date
from huican.core.frames import neutralize_cell
from huican.core.tagged_pdf import html_to_tagged_pdf, text
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
    county = region_names({element["county"]}).get(element["county"], element["county"])
    issuer = f"{county}残疾人联合会"
    title = "按比例安排残疾人就业审核确认书"
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
    figures_html = (
        '<table><colgroup><col style="width: 35%"><col style="width: 65%"></colgroup><tbody>'
        + "".join(f'<tr><th scope="row">{text(k)}</th><td>{text(v)}</td></tr>' for k, v in figures)
        + "</tbody></table>"
    )
    header = ["姓名", "身份证号", "是否计入", "权重", "月数", "不计入的原因"]
    widths = [2.3, 3.6, 1.6, 1.2, 1.2, 7.1]  # cm, as the columns were
    rows = "".join(
        f'<tr><th scope="row">{text(person["name"])}</th>'
        + "".join(
            f"<td>{text(value)}</td>"
            for value in (
                person["id_masked"],
                "是" if person["counted"] else "否",
                str(person["weight"]),
                str(person["months"]),
                "；".join(REASONS[r] for r in person["reasons"]) or "—",
            )
        )
        + "</tr>"
        for person in persons
    )
    persons_html = (
        f"<table><caption>{text('申报的残疾职工审核情况')}</caption><colgroup>"
        + "".join(f'<col style="width: {100 * w / sum(widths):.2f}%">' for w in widths)
        + "</colgroup><thead><tr>"
        + "".join(f'<th scope="col">{text(h)}</th>' for h in header)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    body = (
        f"<h1>{text(title)}</h1>{figures_html}{persons_html}"
        f'<p class="right gap">{text(issuer)}</p><p class="right">{text(chinese_date(today))}</p>'
    )
    return html_to_tagged_pdf(
        body,
        title=f"{title}（{element['name']}，{element['year']} 年度）",
        author=issuer,
        subject="按比例就业年审",
        lang="zh-CN",
        margin_mm=20,
    )


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
