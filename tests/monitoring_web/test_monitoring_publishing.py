"""Published reports (发布): frozen figures with their data version, produced again identically,
and the dashboard saying how current data would change them. Only city staff publish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from docx import Document

from huican.cli import main
from huican.core.models import AuditEntry
from huican.exchange.models import ImportBatch
from huican.monitoring.models import PublishedReport
from huican.monitoring.publishing import (
    latest_publication,
    publication_changes,
    publish_report,
    published_report_data,
)
from huican.monitoring.reports.build import build_report, write_report
from tests.factories import make_list_record

Y = 2025
D = dt.date(Y, 12, 31)


def sheets(path: Path) -> dict[str, pl.DataFrame]:
    return pl.read_excel(path, sheet_id=0)


def docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def city_value(rows: list[dict], code: str) -> object:
    [row] = [r for r in rows if r["code"] == code and r["region"] == "140900"]
    return row["value"]


def change_the_data(world) -> None:
    """bob gets insured for 2025: medical_enrolment goes from 3/4 (75) to 4/4 (100)."""
    make_list_record("medical", world.bob, year=Y, category="城乡居民")


def test_city_staff_publish_on_the_web_with_the_data_version_and_an_audit_entry(world, as_user, tmp_var):
    client = as_user("city")
    page = client.get(reverse("monitoring:report"))
    assert "发布报告" in page.content.decode() and "尚未发布任何报告" in page.content.decode()

    response = client.post(reverse("monitoring:report_publish"), {"publish-year": str(Y)})
    assert response.status_code == 302

    published = PublishedReport.objects.get()
    assert (published.year, published.final, published.on) == (Y, False, D)
    assert published.published_by == world.users["city"]
    runs = {(run["year"], run["on"]): run["rows"] for run in published.figures["runs"]}
    assert set(runs) == {(year, f"{year}-12-31") for year in range(2021, Y + 1)}
    assert city_value(runs[(Y, D.isoformat())], "medical_enrolment") == 75
    medical = ImportBatch.objects.get(kind="medical")
    assert published.batches["medical"] == [medical.pk]
    assert set(published.copies) == {"registry_person", "registry_survey"}
    entry = AuditEntry.objects.get(action="monitoring.report_publish")
    assert entry.detail["batches"]["medical"] == [medical.pk] and entry.detail["year"] == Y
    listed = client.get(reverse("monitoring:report")).content.decode()
    assert f"{Y} 年度监测报告" in listed and "t_city" in listed


@pytest.mark.parametrize("role", ["county", "evaluator", "township"])
def test_only_city_staff_publish(world, as_user, role):
    response = as_user(role).post(reverse("monitoring:report_publish"), {"publish-year": str(Y)})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        publish_report(year=Y, final=False, actor=world.users[role])
    assert not PublishedReport.objects.exists()
    page = as_user("evaluator").get(reverse("monitoring:report")).content.decode()
    assert "发布报告</button>" not in page  # the button is only shown to those who may publish


def test_a_published_report_is_produced_again_identically_after_the_data_change(world, tmp_path, capsys):
    published = publish_report(year=Y, final=False, actor=world.users["city"], today=dt.date(2026, 3, 1))
    before = {suffix: write_report(year=Y, out=tmp_path / f"before{suffix}") for suffix in (".xlsx", ".docx")}

    change_the_data(world)
    assert city_value(build_report(year=Y).units[0][2], "medical_enrolment") == 100  # current data moved

    after = {suffix: write_report(year=Y, out=tmp_path / f"after{suffix}") for suffix in (".xlsx", ".docx")}
    then, now = sheets(before[".xlsx"]), sheets(after[".xlsx"])
    assert list(then) == list(now)
    for name in then:
        assert then[name].equals(now[name]), name
    medical = now["全市指标"].filter(pl.col("指标代码") == "medical_enrolment").row(0, named=True)
    assert str(medical["数值"]) == "75"
    assert docx_text(before[".docx"]) == docx_text(after[".docx"])
    sources = now["数据来源"].filter(pl.col("文件") == "medical.csv").row(0, named=True)
    # the day of the import in local time (Asia/Shanghai), as the report prints it — not the UTC day
    assert sources["数据日期"] == str(timezone.localdate(ImportBatch.objects.get(kind="medical").imported_at))

    # The PDF holds the same report data; the CLI uses the published figures unless --current.
    data = published_report_data(published)
    assert data.generated_at == published.published_at
    assert city_value(data.units[0][2], "medical_enrolment") == 75
    assert main(["report", "--year", str(Y), "--out", str(tmp_path / "cli.xlsx")]) == 0
    assert main(["report", "--year", str(Y), "--out", str(tmp_path / "cli.pdf")]) == 0
    assert main(["report", "--year", str(Y), "--out", str(tmp_path / "now.xlsx"), "--current"]) == 0
    capsys.readouterr()
    assert sheets(tmp_path / "cli.xlsx")["全市指标"].equals(then["全市指标"])
    current = sheets(tmp_path / "now.xlsx")["全市指标"].filter(pl.col("指标代码") == "medical_enrolment")
    assert str(current.row(0, named=True)["数值"]) == "100"


def test_the_final_evaluation_is_published_on_its_own(world, tmp_path):
    publish_report(year=Y, final=True, actor=world.users["city"])
    assert latest_publication(year=Y, final=True) is not None
    assert latest_publication(year=Y, final=False) is None
    change_the_data(world)
    final = sheets(write_report(year=Y, out=tmp_path / "final.xlsx", final=True))
    rows = final["十三五基线对照"]
    assert any(name.startswith("建档立卡贫困残疾人脱贫人数") for name in rows.get_column("“十三五”末指标"))
    medical = final["全市指标"].filter(pl.col("指标代码") == "medical_enrolment").row(0, named=True)
    assert str(medical["数值"]) == "75"
    annual = sheets(write_report(year=Y, out=tmp_path / "annual.xlsx"))["全市指标"]
    assert str(annual.filter(pl.col("指标代码") == "medical_enrolment").row(0, named=True)["数值"]) == "100"


def test_a_later_publication_supersedes_the_earlier(world):
    first = publish_report(year=Y, final=False, actor=world.users["city"])
    change_the_data(world)
    second = publish_report(year=Y, final=False, actor=world.users["city"])
    assert latest_publication(year=Y, final=False) == second
    assert PublishedReport.objects.filter(pk=first.pk).exists()  # every publication is kept
    assert not publication_changes(second).changed


def test_the_dashboard_says_how_current_data_would_change_a_publication(world, as_user):
    published = publish_report(year=Y, final=False, actor=world.users["city"])
    client = as_user("city")
    url = reverse("monitoring:dashboard", args=["140900"]) + f"?year={Y}"
    page = client.get(url).content.decode()
    assert "已发布报告与当前数据" in page and "当前数据不会改变已发布的数字" in page
    assert not publication_changes(published).changed

    change_the_data(world)
    check = publication_changes(published)
    [medical] = [f for f in check.changes if f.code == "medical_enrolment"]
    assert (medical.published, medical.current, medical.difference) == (75, 100, 25)
    assert check.units_changed >= 1  # 忻府区 too
    unchanged = [f for f in check.figures if f.code == "dibao_coverage"]
    assert unchanged and not unchanged[0].changed

    page = client.get(url).content.decode()
    assert "全市有 1 项指标会改变" in page
    assert "75" in page and "100" in page and "+25" in page
    # Only the city page of a city-wide viewer lists them.
    county_page = as_user("county").get(reverse("monitoring:dashboard", args=["140902"])).content.decode()
    assert "已发布报告与当前数据" not in county_page
