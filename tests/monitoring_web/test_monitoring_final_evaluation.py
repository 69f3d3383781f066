"""The final evaluation (终期评估) read back from its .docx and .pdf: the 公文 sections in order, the
indicators in the plan's order with the figures `huican indicators` gives, the base year with its
reasons, the task progress of every year, the 专栏 project figures and the annexes."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from docx import Document
from pypdf import PdfReader

from huican.cli import main
from huican.monitoring.narratives import narrative_save, project_figure_set
from huican.monitoring.reports.build import build_report, write_report
from huican.monitoring.reports.document import Closing, Masthead, document_blocks
from huican.monitoring.tasks_progress import task_progress_submit
from tests.factories import make_list_record, make_person

TODAY = dt.date(2026, 3, 1)
SECTIONS = ["一、总体情况", "二、主要指标完成情况", "三、重点任务进展", "四、专栏项目完成情况", "五、存在的问题",
            "六、下一步建议", "附件1", "主要指标定义", "附件2", "数据来源"]  # fmt: skip


@pytest.fixture
def evaluated(world):
    """The world plus progress reports in two years, a staff-entered project figure and a person
    with a 精神 certificate served with rehabilitation in 原平市 in 2025."""
    city = world.users["city"]
    task_progress_submit(task_code="3.3.3", year=2022, unit="市残联", text="举办培训班 12 期",
                         figures=[{"name": "培训人数", "value": "860", "unit": "人"}], actor=city)  # fmt: skip
    task_progress_submit(task_code="3.3.3", year=2025, unit="市人社局", text="新建培训基地 2 个",
                         figures=[], actor=city)  # fmt: skip
    plan = build_report(year=2025, final=True, today=TODAY).plan
    project_figure_set(plan=plan, target_code="federation_disabled_staff", year=2024, value="16.5",
                       source="市残联人事科 2024 年统计", actor=city)  # fmt: skip
    mental = make_person(region_code="140981001001", category=6, grade=2, name="测试戊")
    make_list_record("services", mental, category="康复服务", start=dt.date(2025, 5, 6))
    return world


def docx_lines(path) -> list[str]:
    document = Document(str(path))
    return [p.text.strip() for p in document.paragraphs if p.text.strip()]


def docx_tables(path) -> list[list[list[str]]]:
    return [
        [[cell.text.strip() for cell in row.cells] for row in table.rows]
        for table in Document(str(path)).tables
    ]


def number(text: str) -> Decimal | None:
    """「75%」「1,502 户」→ the number; "—" or 无数据 → None."""
    match = re.match(r"^[≥>]?(-?[\d,]+(?:\.\d+)?)", text)
    return Decimal(match.group(1).replace(",", "")) if match else None


def cli_indicators(capsys) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["indicators", "--year", "2025", "--region", "140900"]) == 0
    return {row["code"]: row for row in json.loads(capsys.readouterr().out) if row["region"] == "140900"}


def positions(lines: list[str], wanted: list[str]) -> list[int]:
    return [next(i for i, line in enumerate(lines) if line == text) for text in wanted]


def test_docx_has_the_sections_in_order_and_the_figures_of_huican_indicators(evaluated, tmp_path, capsys):
    data = build_report(year=2025, final=True, today=TODAY)
    out = tmp_path / "final.docx"
    from huican.monitoring.reports.build import write_report_data

    write_report_data(data, out)
    lines = docx_lines(out)
    at = positions(lines, SECTIONS)
    assert at == sorted(at), "the sections come in the order 一 … 六, then the annexes"
    head = positions(lines, ["忻州市“十四五”残疾人保障和发展规划终期评估报告", "忻州市人民政府："])
    assert head == sorted(head) and head[-1] < at[0]  # masthead and 主送机关 before 一
    closing = lines.index("忻州市残疾人联合会")
    assert at[5] < closing < at[6]  # 落款 after 六, before 附件1
    assert (
        lines[closing + 1]
        == f"{data.generated_at.year}年{data.generated_at.month}月{data.generated_at.day}日"
    )

    plan = data.plan
    main_table = next(
        t for t in docx_tables(out) if t[0][:3] == ["序号", "指标", "属性"] and "终期值" in t[0]
    )
    header = main_table[0]
    assert header[4:10] == ["2020 年", "2021 年", "2022 年", "2023 年", "2024 年", "2025 年"]
    body = main_table[1:]
    assert [row[0] for row in body] == [str(n) for n in range(1, 12)]
    assert [row[1] for row in body] == [indicator.name for indicator in plan.indicators]

    cli = cli_indicators(capsys)
    final_column, met_column = header.index("终期值"), header.index("达标情况")
    for indicator, row in zip(plan.indicators, body, strict=True):
        expected = cli[indicator.code]
        printed = number(row[final_column])
        assert printed == (Decimal(str(expected["value"])) if expected["value"] is not None else None), (
            indicator.code
        )
        assert row[met_column] == {True: "达标", False: "未达标", None: "—"}[expected["met"]]
    medical = body[6]
    assert medical[final_column] == "60%" and medical[met_column] == "未达标"  # 3 of 5 insured (戊 is not)

    annex = next(t for t in docx_tables(out) if t[0][-1] == "定义（计算口径）")
    from huican.monitoring.reports.final import docstring_definitions

    for indicator, row in zip(plan.indicators, annex[1:], strict=True):
        expected_definition = getattr(indicator, "description", "") or docstring_definitions()[indicator.code]
        assert row[1] == indicator.name and row[4] == expected_definition.strip() and row[4]

    baseline = next(t for t in docx_tables(out) if t[0][:3] == ["序号", "指标", "2020 年（基期）"])
    by_name = {row[1]: row for row in baseline[1:]}
    assert by_name["残疾人城乡居民基本医疗保险参保率"][2:] == [
        "无数据",
        "2020 年的医疗保险参保名单从未导入系统",
    ]
    assert by_name["城乡残疾人职业技能培训人数"][2] == "无数据"  # a count since 2021, not 0
    assert "累计数" in by_name["城乡残疾人职业技能培训人数"][3]
    previous = next(t for t in docx_tables(out) if t[0][0] == "“十三五”指标")
    assert len(previous) == 1 + len(plan.baseline)
    assert all(row[1] and row[3] and row[4] for row in previous[1:])  # no empty cell: a value or 无数据 + why
    assert ["残疾人基本康复服务覆盖率", "80%以上"] == previous[5][:2]


def test_docx_prints_task_progress_of_every_year_and_project_figures(evaluated, tmp_path):
    out = write_report(year=2025, out=tmp_path / "final.docx", final=True, today=TODAY)
    lines = docx_lines(out)
    three, four = lines.index("三、重点任务进展"), lines.index("四、专栏项目完成情况")
    tasks = lines[three:four]
    assert "2022 年 市残联：举办培训班 12 期（数据：培训人数 860 人）" in tasks
    assert "2025 年 市人社局：新建培训基地 2 个" in tasks
    assert "2023 年：没有进展报告。" in tasks
    assert any(line.startswith("成效：2022—2025 年共收到 2 份进展报告") for line in tasks)
    assert "成效：2021—2025 年没有单位报告本任务的进展。" in tasks  # e.g. 3.1.1

    projects = next(t for t in docx_tables(out) if t[0][:3] == ["专栏", "项目", "目标"])
    rows = {row[2]: row for row in projects[1:]}
    assert rows["困难重度残疾人家庭无障碍改造户数"][3:5] == ["≥1,502 户", "0 户"]
    assert rows["困难重度残疾人家庭无障碍改造户数"][6] == "未完成"
    staff = rows["县级及以上残联机关干部队伍中残疾人比例"]
    assert staff[4] == "16.5%" and "市残联人事科 2024 年统计" in staff[5] and staff[6] == "完成"
    mental = rows["开展精神障碍社区康复服务的县（市、区）和五台山风景名胜区比例"]
    assert mental[4] == "6.67%" and mental[6] == "未完成"  # 1 of 15 units (原平市)
    assert rows["特殊教育学校普遍使用国家通用手语"][4] == "待录入"

    problems = lines[lines.index("五、存在的问题") + 1]
    assert (
        problems.startswith("1. 部分主要指标未达到规划目标") and "差 35个百分点" in problems
    )  # medical 60 vs 95


def test_masthead_closing_and_narratives_in_force(evaluated):
    city = evaluated.users["city"]
    data = build_report(year=2025, final=True, today=TODAY)
    blocks = document_blocks(data)
    assert blocks[0] == Masthead(
        title="忻州市“十四五”残疾人保障和发展规划终期评估报告", addressee="忻州市人民政府："
    )
    closing = next(block for block in blocks if isinstance(block, Closing))
    assert closing.issuer == "忻州市残疾人联合会"

    for section, text in (("signatory", "忻州市残疾人联合会（盖章）"), ("date", "2026-01-05"),
                          ("problems", "一是培训人数不足。\n二是改造进度慢。")):  # fmt: skip
        narrative_save(plan=data.plan, year=2025, final=True, section=section, text=text, actor=city)
    blocks = document_blocks(build_report(year=2025, final=True, today=TODAY))
    assert next(b for b in blocks if isinstance(b, Closing)) == Closing(
        "忻州市残疾人联合会（盖章）", "2026年1月5日"
    )
    texts = [getattr(block, "text", "") for block in blocks]
    five, six = texts.index("五、存在的问题"), texts.index("六、下一步建议")
    assert texts[five + 1 : six] == ["一是培训人数不足。", "二是改造进度慢。"]


def test_charts_have_captions_and_alt_texts_with_their_figures(evaluated):
    from huican.monitoring.reports.document import Chart

    charts = [
        b for b in document_blocks(build_report(year=2025, final=True, today=TODAY)) if isinstance(b, Chart)
    ]
    assert len(charts) == 11
    medical = next(chart for chart in charts if "医疗保险" in chart.caption)
    assert medical.caption and "2025 年 60%" in medical.alt and "目标 >95%" in medical.alt


def test_pdf_reads_back_with_the_sections_and_indicators_in_order(evaluated, tmp_path):
    out = write_report(year=2025, out=tmp_path / "final.pdf", final=True, today=TODAY)
    text = "".join(page.extract_text() or "" for page in PdfReader(str(out)).pages)
    flat = re.sub(r"\s+", "", text)
    at = [flat.index(re.sub(r"\s+", "", section)) for section in SECTIONS[:6]]
    assert at == sorted(at)
    assert flat.index("忻州市人民政府：") < at[0] < at[-1] < flat.index("忻州市残疾人联合会", at[-1])
    assert flat.index("附件1") > at[-1] and flat.index("附件2") > flat.index("附件1")
    two, three = at[1], at[2]
    names = [indicator.name for indicator in build_report(year=2025, final=True, today=TODAY).plan.indicators]
    found = [flat.index(name, two) for name in names[:8]]  # 9, 10 share their first words with each other
    assert found == sorted(found) and found[-1] < three


def test_annual_report_has_masthead_closing_and_plan_order(world):
    blocks = document_blocks(build_report(year=2025, today=TODAY))
    assert isinstance(blocks[0], Masthead) and blocks[0].title.endswith("2025年度监测报告")
    assert any(isinstance(block, Closing) for block in blocks)
    subsections = [b.text for b in blocks if getattr(b, "level", None) == 2]
    assert subsections[0].startswith("（一）残疾人家庭人均收入年均增速")
    assert subsections[2].startswith("（三）符合条件的残疾人纳入最低生活保障比例")


def test_xlsx_holds_the_project_figures_and_the_progress_of_every_year(evaluated, tmp_path):
    import polars as pl

    out = write_report(year=2025, out=tmp_path / "final.xlsx", final=True, today=TODAY)
    projects = pl.read_excel(out, sheet_name="专栏项目")
    staff = projects.filter(pl.col("目标代码") == "federation_disabled_staff").row(0, named=True)
    assert (str(staff["完成值"]), staff["完成情况"]) == ("16.5", "完成")
    progress = pl.read_excel(out, sheet_name="历年任务进展")
    assert progress.select("任务", "年度", "报告单位").rows() == [
        ("3.3.3", 2022, "市残联"),
        ("3.3.3", 2025, "市人社局"),
    ]
    trend = pl.read_excel(out, sheet_name="全市趋势")
    assert trend.columns[2] == "2020 年（基期）"
    assert trend.get_column("指标").to_list() == [
        i.name for i in build_report(year=2025, final=True, today=TODAY).plan.indicators
    ]
