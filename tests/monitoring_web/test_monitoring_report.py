"""`huican report` and the web download: each format opens and says what it should; empty
databases give "—"; exit codes."""

from __future__ import annotations

import datetime as dt
import zipfile

import polars as pl
import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from huican.cli import main
from huican.core.models import AuditEntry
from huican.monitoring.reports.build import build_report, write_report
from huican.monitoring.tasks_progress import task_progress_submit


def sheet(path, name: str) -> pl.DataFrame:
    return pl.read_excel(path, sheet_name=name)


def docx_text(path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_xlsx_holds_the_indicator_tables_counties_findings_tasks_and_sources(world, tmp_path):
    task_progress_submit(task_code="3.3.3", year=2025, unit="市残联", text="培训", figures=[],
                         actor=world.users["city"])  # fmt: skip
    out = write_report(year=2025, out=tmp_path / "r.xlsx")

    city = sheet(out, "全市指标")
    medical = city.filter(pl.col("指标代码") == "medical_enrolment").row(0, named=True)
    figures = [str(medical[column]) for column in ("分子", "分母", "数值", "是否达标")]
    assert figures == ["3", "4", "75", "未达标"]  # numbers stay numbers in Excel; "—" makes a text column
    assert city.get_column("指标代码").to_list()[:3] == [
        "income_growth",
        "training_persons",
        "dibao_coverage",
    ]
    units = sheet(out, "县区指标")
    assert set(units.get_column("区划代码").unique().to_list()) >= {"140900", "140902", "140981", "140971"}
    assert units.height == 11 * 16
    findings = sheet(out, "比对发现汇总")
    medical_missing = findings.filter(pl.col("代码") == "medical_not_enrolled").row(0, named=True)
    assert medical_missing["忻府区"] == 1 and medical_missing["合计"] == 1  # bob
    tasks = sheet(out, "任务进展")
    assert tasks.filter(pl.col("任务") == "3.3.3").row(0, named=True)["2025 年已报告"] == "是"
    sources = sheet(out, "数据来源")
    assert "medical.csv" in sources.get_column("文件").to_list()
    assert "十三五基线对照" not in pl.read_excel(out, sheet_id=0)


def test_docx_and_pdf_are_readable_reports(world, tmp_path):
    docx = write_report(year=2025, out=tmp_path / "r.docx")
    text = docx_text(docx)
    for expected in ("2025年度监测报告", "一、总体情况", "符合条件的残疾人纳入最低生活保障比例", "未达标",
                     "三、未达到目标的县（市、区）", "没有进展报告的任务", "数据来源", "medical.csv"):  # fmt: skip
        assert expected in text
    with zipfile.ZipFile(docx) as archive:
        assert any(name.startswith("word/media/") and name.endswith(".png") for name in archive.namelist())

    pdf = write_report(year=2025, out=tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "/StructTreeRoot" in PdfReader(tmp_path / "r.pdf").trailer["/Root"]  # see test_monitoring_gongwen
    assert len(pdf) > 20_000


def test_final_evaluation_compares_with_the_baseline(world, tmp_path):
    out = write_report(year=2025, out=tmp_path / "final.xlsx", final=True)

    baseline = sheet(out, "十三五基线对照")
    assert any(
        name.startswith("建档立卡贫困残疾人脱贫人数") for name in baseline.get_column("“十三五”末指标")
    )
    rehab = baseline.filter(pl.col("代码") == "rehab_coverage").row(0, named=True)
    assert rehab["基线"] == 80
    assert (
        sheet(out, "摘要").get_column("内容").to_list()[0] == "忻州市“十四五”残疾人保障和发展规划终期评估报告"
    )
    trend = sheet(out, "全市趋势")
    assert [c for c in trend.columns if c.endswith(" 年")] == [f"{y} 年" for y in range(2021, 2026)]
    text = docx_text(write_report(year=2025, out=tmp_path / "final.docx", final=True))
    assert "“十三五”主要数据" in text and "二、主要指标完成情况" in text


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_an_empty_database_gives_a_report_of_dashes(db, tmp_path, suffix):
    out = write_report(year=2024, out=tmp_path / f"empty{suffix}")
    assert out.stat().st_size > 0
    if suffix == ".xlsx":
        city = sheet(out, "全市指标")
        medical = city.filter(pl.col("指标代码") == "medical_enrolment").row(0, named=True)
        # no 2024 medical list sent: numerator, denominator and value are all null (RULES.md)
        assert (medical["分子"], medical["分母"], medical["数值"], medical["是否达标"]) == (
            "—",
            "—",
            "—",
            "—",
        )
        renovations = city.filter(pl.col("指标代码") == "home_renovations").row(0, named=True)
        assert (renovations["数值"], renovations["是否达标"]) == ("0", "未达标")  # a count: 0 < 1502
    if suffix == ".docx":
        assert "—" in docx_text(out)


def test_report_data_lists_tasks_without_progress(world):
    data = build_report(year=2025, today=dt.date(2026, 3, 1))
    assert len(data.tasks_without_report) == len(data.plan.tasks)
    assert data.on == dt.date(2025, 12, 31)


def test_cli_writes_each_format_and_refuses_unknown_suffixes(world, tmp_path, capsys):
    for suffix in (".xlsx", ".docx", ".pdf"):
        assert main(["report", "--year", "2025", "--out", str(tmp_path / f"a{suffix}")]) == 0
        assert (tmp_path / f"a{suffix}").stat().st_size > 0
    assert main(["report", "--year", "2025", "--final", "--out", str(tmp_path / "f.pdf")]) == 0
    capsys.readouterr()

    assert main(["report", "--year", "2025", "--out", str(tmp_path / "a.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".xlsx" in err and "Traceback" not in err
    assert not (tmp_path / "a.txt").exists()
    assert main(["report", "--year", "2999", "--out", str(tmp_path / "b.xlsx")]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--out", str(tmp_path / "c.xlsx")])
    assert exit_info.value.code == 2


def test_web_download_for_city_wide_users(as_user, tmp_var):
    client = as_user("evaluator")
    assert client.get(reverse("monitoring:report")).status_code == 200

    response = client.post(reverse("monitoring:report"), {"year": "2025", "format": ".xlsx"})
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert "报告已生成" in job_page.content.decode()
    download = client.get(reverse("monitoring:report_download", args=[job_page.context["job"].pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert content.startswith(b"PK")  # an xlsx is a zip
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="monitoring.report_download").exists()

    other = as_user("city")  # another user's job is not theirs to fetch
    assert (
        other.get(reverse("monitoring:report_download", args=[job_page.context["job"].pk])).status_code == 404
    )


@pytest.mark.parametrize("role", ["county", "township"])
def test_county_users_may_not_generate_the_city_report(as_user, role):
    client = as_user(role)
    assert client.get(reverse("monitoring:report")).status_code == 403
    assert client.post(reverse("monitoring:report"), {"year": "2025", "format": ".pdf"}).status_code == 403
