"""Runs: 立即比对 in the background with a progress page, the run history and a run's counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huican.core.models import AuditEntry, Job
from huican.matching import runs as runs_module
from huican.matching import services
from huican.matching.models import FindingRun
from huican.matching.runs import JOB_KIND, start_findings_run
from huican.matching.services import findings_run
from tests.factories import make_list_record
from tests.matching_web.world import D, FindingsWorld

START = reverse("matching:run_start")
RUNS = reverse("matching:runs")


def run_url(run: FindingRun) -> str:
    return reverse("matching:run_detail", args=[run.pk])


def test_run_now_starts_a_background_run_and_shows_its_result(client, fworld: FindingsWorld):
    client.force_login(fworld.users["county"])

    started = client.post(START, {"on": D.isoformat()})

    job = Job.objects.get(kind=JOB_KIND)
    assert started.status_code == 302 and started["Location"] == reverse(
        "matching:run_progress", args=[job.pk]
    )
    run = FindingRun.objects.latest("id")
    assert run != fworld.run and run.on_date == D and run.triggered_by == fworld.users["county"]
    assert job.result["run_id"] == run.pk
    done = client.get(started["Location"])
    assert done.status_code == 302 and done["Location"] == run_url(run) + "#message"
    assert AuditEntry.objects.filter(action="findings.run", object_id=str(run.pk)).exists()


def test_the_run_form_defaults_to_today(client, fworld: FindingsWorld):
    client.force_login(fworld.users["city"])
    page = client.get(START)
    assert page.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请填写比对日期"),
        ("2025-13-01", "日期格式应为"),
        ("abc", "日期格式应为"),
        ("\x00", "日期格式应为"),
        ((dt.date.today() + dt.timedelta(days=400)).isoformat(), "不能晚于今天"),
        ("1999-12-31", "不能早于"),
    ],
)
def test_bad_run_dates_are_a_400_with_a_chinese_message(client, fworld: FindingsWorld, value, message):
    client.force_login(fworld.users["city"])
    page = client.post(START, {"on": value})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert FindingRun.objects.count() == 1
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["medical", "evaluator", "admin"])
def test_only_staff_start_runs(client, fworld: FindingsWorld, role):
    client.force_login(fworld.users[role])
    assert client.post(START, {"on": D.isoformat()}).status_code == 403
    assert client.get(START).status_code == 403
    assert FindingRun.objects.count() == 1


def test_a_township_users_run_is_a_read_only_view(client, fworld: FindingsWorld):
    client.force_login(fworld.users["township"])
    assert "只读查看" in client.get(START).content.decode()
    assert client.post(START, {"on": D.isoformat()}).status_code == 302
    run = FindingRun.objects.order_by("-id").first()
    assert run is not None and run.mode == FindingRun.Mode.READ_ONLY
    assert fworld.finding(fworld.near).last_seen_run == fworld.run


def test_the_progress_page_refreshes_until_the_run_is_done(client, fworld: FindingsWorld):
    job = Job.objects.create(kind=JOB_KIND, status=Job.Status.RUNNING, progress=55, message="比对")
    client.force_login(fworld.users["township"])

    page = client.get(reverse("matching:run_progress", args=[job.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "55%" in html and "比对" in html
    assert "<script" not in html and "style=" not in html


def test_a_failed_run_says_why(client, fworld: FindingsWorld):
    job = Job.objects.create(kind=JOB_KIND, status=Job.Status.FAILED, message="ValueError: 坏数据")
    client.force_login(fworld.users["city"])
    html = client.get(reverse("matching:run_progress", args=[job.pk])).content.decode()
    assert "比对失败" in html and "坏数据" in html and "refresh" not in html


def test_progress_of_other_jobs_or_for_other_roles_is_a_404(client, fworld: FindingsWorld):
    imported = Job.objects.create(kind="import", status=Job.Status.RUNNING)
    mine = Job.objects.create(kind=JOB_KIND, status=Job.Status.RUNNING)
    client.force_login(fworld.users["city"])
    assert client.get(reverse("matching:run_progress", args=[imported.pk])).status_code == 404
    assert client.get(reverse("matching:run_progress", args=[99999])).status_code == 404
    client.force_login(fworld.users["admin"])
    assert client.get(reverse("matching:run_progress", args=[mine.pk])).status_code == 404


def test_auto_resolve_and_reopen_show_in_the_work_list(client, fworld: FindingsWorld):
    record = make_list_record("medical", fworld.near, year=2025)
    findings_run(on=D, actor=fworld.users["city"])
    client.force_login(fworld.users["county"])
    finding = fworld.finding(fworld.near)
    index = reverse("matching:index")

    closed = client.get(index, {"status": "已处理", "code": "medical_not_enrolled"}).content.decode()
    assert reverse("matching:detail", args=[finding.pk]) in closed
    assert "系统自动办结" in closed
    assert "系统自动办结" in client.get(reverse("matching:detail", args=[finding.pk])).content.decode()
    still_open = client.get(index, {"status": "open", "code": "medical_not_enrolled"}).content.decode()
    assert reverse("matching:detail", args=[finding.pk]) not in still_open

    record.delete()
    findings_run(on=D, actor=fworld.users["city"])
    reopened = client.get(index, {"status": "待核实", "code": "medical_not_enrolled"}).content.decode()
    assert reverse("matching:detail", args=[finding.pk]) in reopened
    assert "系统自动办结" not in reopened


def test_the_history_shows_the_change_and_a_chart_with_its_data(client, fworld: FindingsWorld):
    make_list_record("medical", fworld.near, year=2025)
    second = findings_run(on=D, actor=fworld.users["city"])
    client.force_login(fworld.users["county"])

    page = client.get(RUNS)

    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="findings-chart"' in html and 'role="img"' in html and "<title" in html
    assert "图中数据" in html
    assert run_url(second) in html and run_url(fworld.run) in html
    assert "减少 1" in html  # the county's medical finding went away
    assert "css/matching.css" in html
    assert "style=" not in html and "<script" not in html


def test_a_runs_counts_are_per_code_and_county_within_scope(client, fworld: FindingsWorld):
    make_list_record("medical", fworld.far, year=2025)
    second = findings_run(on=D, actor=fworld.users["city"])

    client.force_login(fworld.users["county"])
    county = client.get(run_url(second)).content.decode()
    assert "忻府区" in county and "定襄县" not in county
    assert "全市发现总数" not in county
    assert "医疗保险参保名单" in county  # the snapshots read

    client.force_login(fworld.users["city"])
    city = client.get(run_url(second)).content.decode()
    assert "定襄县" in city and "减少 1" in city and "全市发现总数" in city
    assert "医保未参保 · 定襄县" in city

    client.force_login(fworld.users["evaluator"])
    assert client.get(run_url(second)).status_code == 200
    assert client.get(RUNS).status_code == 200


def test_run_pages_refuse_administrators_and_unknown_runs(client, fworld: FindingsWorld):
    client.force_login(fworld.users["admin"])
    assert client.get(RUNS).status_code == 403
    assert client.get(run_url(fworld.run)).status_code == 403
    client.force_login(fworld.users["city"])
    assert client.get(reverse("matching:run_detail", args=[99999])).status_code == 404


def test_start_findings_run_runs_and_reports_the_run(fworld: FindingsWorld):
    job = start_findings_run(actor=fworld.users["city"], on=D)
    assert job.status == Job.Status.DONE
    run = FindingRun.objects.get(pk=job.result["run_id"])
    assert run.on_date == D and run.status == FindingRun.Status.DONE
    assert job.result["total"] == run.total


def test_start_findings_run_defaults_to_today_and_accepts_a_name(fworld: FindingsWorld):
    job = start_findings_run(actor="导入后自动比对", automatic=True)
    run = FindingRun.objects.get(pk=job.result["run_id"])
    assert run.on_date == services.today() == D  # the fixture's today
    assert run.mode == FindingRun.Mode.RECONCILE  # the system's run after an import
    assert run.triggered_by is None and run.triggered_by_name == "导入后自动比对"


def test_runs_waiting_to_start_are_coalesced(fworld: FindingsWorld, monkeypatch):
    submitted: list[dict] = []

    def fake_submit(*, kind, actor, func, **kwargs):
        submitted.append(kwargs)
        return Job.objects.create(kind=kind, status=Job.Status.PENDING)

    monkeypatch.setattr(runs_module, "submit", fake_submit)
    monkeypatch.setattr(runs_module, "_waiting", {})

    first = start_findings_run(actor=fworld.users["city"], on=D)
    again = start_findings_run(actor=fworld.users["city"], on=D)
    other_day = start_findings_run(actor=fworld.users["city"], on=D - dt.timedelta(days=1))
    assert again == first and other_day != first and len(submitted) == 2

    # once the waiting run starts reading, a new submission is a new run
    result = runs_module.run_job(progress=lambda *a: None, **submitted[0])
    assert result["run_id"]
    assert start_findings_run(actor=fworld.users["city"], on=D) != first
