"""The annual re-check (年度复核): who is listed by each rule and who is not, the run and its items,
the follow-up per township, the pages' scope, and the scheduler's January entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huican.accounts.models import Role
from huican.benefits.models import Entitlement, RecheckItem, RecheckRun
from huican.benefits.recheck import recheck_frame, recheck_run
from huican.core.audit import AuditEntry
from huican.core.models import Job, ScheduledRun
from tests.factories import PASSWORD, make_list_record, make_person, make_standard, make_survey, make_user

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 1, 5)


def recipient(name, *, benefit="living_subsidy", dibao=True, survey=2025, issue=dt.date(2020, 1, 1), **kw):
    region = kw.pop("region", "140902001001")
    p = make_person(name=name, region_code=region, issue_date=issue, **kw)
    if dibao:
        make_list_record("dibao", p, start=dt.date(2023, 1, 1))
    if survey:
        make_survey(p, year=survey, income="3000.00", long_term_care=True)
    Entitlement.objects.create(
        person=p,
        benefit=benefit,
        start_month=dt.date(2025, 6, 1),
        effective_from=dt.date(2025, 6, 20),
    )
    return p


@pytest.fixture
def people(db):
    make_standard()
    p = {
        "fine": recipient("测试合格"),
        "ineligible": recipient("测试不符", dibao=False),
        "expiring": recipient("测试到期", issue=dt.date(2016, 4, 5)),  # expires 2026-04-05 = ON + 90
        "not_yet": recipient("测试未到期", issue=dt.date(2016, 4, 6)),  # expires ON + 91
        "old_survey": recipient("测试旧调查", survey=2024),  # neither 2026 nor 2025
        "this_year": recipient("测试本年调查", survey=2026),  # "fine" has the previous year's
        "unknown": recipient("测试护理", benefit="nursing_subsidy", survey=None, grade=1),
        "other_township": recipient("测试二乡", dibao=False, region="140902002001"),
        "other_county": recipient("测试原平", dibao=False, region="140981001001"),
    }
    ended = recipient("测试已停", dibao=False)
    Entitlement.objects.filter(person=ended).update(end_month=dt.date(2025, 12, 1))
    not_yet_effective = recipient("测试未生效", dibao=False)
    Entitlement.objects.filter(person=not_yet_effective).update(effective_from=dt.date(2026, 1, 6))
    imported = make_person(name="测试导入", region_code="140902001001")
    make_survey(imported, year=2025)
    make_list_record(
        "subsidy_recipients", imported, start=dt.date(2025, 1, 1), category="生活补贴", amount="80"
    )
    p["imported"] = imported
    return p


def listed(on=ON):
    rows, in_force = recheck_frame(on)
    return {(r["person_id"], r["benefit"]): list(r["reasons"]) for r in rows.iter_rows(named=True)}, in_force


def test_who_is_listed_and_why(people):
    found, in_force = listed()
    by_name = {
        name: (pid, b, reasons) for (pid, b), reasons in found.items() for name in [_name(people, pid)]
    }
    assert set(by_name) == {
        "ineligible",
        "expiring",
        "old_survey",
        "unknown",
        "other_township",
        "other_county",
        "imported",
    }
    assert by_name["ineligible"][2] == ["ineligible"]
    assert by_name["expiring"][2] == ["certificate_expiring"]
    assert by_name["old_survey"][2] == ["no_recent_survey"]
    assert by_name["unknown"][1:] == ("nursing_subsidy", ["unknown", "no_recent_survey"])
    assert by_name["imported"][2] == ["ineligible"]  # an imported roll row in force, not in 低保
    # in force: 9 of the 11 granted (the ended one and the one not yet effective left out) + the imported row
    assert in_force == 10


def _name(people, pid):
    return next((k for k, v in people.items() if v.pk == pid), "?")


def test_the_run_is_stored_and_audited(people):
    run = recheck_run(on=ON, actor="system")
    assert (run.status, run.entitlements, run.items_count) == (RecheckRun.Status.DONE, 10, 7)
    item = RecheckItem.objects.get(run=run, person=people["expiring"])
    assert (item.county_code, item.township_code, item.expiry_date) == (
        "140902",
        "140902001",
        dt.date(2026, 4, 5),
    )
    assert item.status == "待核实"
    assert RecheckItem.objects.get(run=run, person=people["old_survey"]).survey_year == 2024
    assert AuditEntry.objects.filter(action="benefits.recheck_run", object_id=str(run.pk)).exists()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_pages_list_items_per_township_with_follow_up(client, people):
    county = make_user(Role.COUNTY_STAFF, "140902", username="cl")
    township = make_user(Role.TOWNSHIP_STAFF, "140902001", username="xz")
    other = make_user(Role.COUNTY_STAFF, "140981", username="yp")
    login(client, county)
    response = client.post("/benefits/recheck/", {"on": "2026-01-05"}, follow=True)
    run = RecheckRun.objects.get()
    assert response.redirect_chain[-1][0] == f"/benefits/recheck/{run.pk}/"
    page = response.content.decode()
    assert "测试不符" in page and "测试二乡" in page and "测试原平" not in page
    assert "残疾人证 90 天内到期" in page and "本年度和上一年度均无入户调查" in page
    only = client.get(f"/benefits/recheck/{run.pk}/?township=140902002").content.decode()
    assert "测试二乡" in only and "测试不符" not in only

    login(client, township)
    page = client.get(f"/benefits/recheck/{run.pk}/").content.decode()
    assert "测试不符" in page and "测试二乡" not in page
    item = RecheckItem.objects.get(run=run, person=people["ineligible"])
    client.post(f"/benefits/recheck/items/{item.pk}/", {"status": "已核实", "note": "已入户核实，低保已退出"})
    item.refresh_from_db()
    assert (item.status, item.note, item.updated_by) == ("已核实", "已入户核实，低保已退出", township)
    assert AuditEntry.objects.filter(action="benefits.recheck_item_update", object_id=str(item.pk)).exists()
    # someone else's township's item is not theirs to follow up
    elsewhere = RecheckItem.objects.get(run=run, person=people["other_township"])
    assert client.post(f"/benefits/recheck/items/{elsewhere.pk}/", {"status": "已处理"}).status_code == 404
    assert client.get("/benefits/recheck/").status_code == 200

    login(client, other)
    page = client.get(f"/benefits/recheck/{run.pk}/").content.decode()
    assert "测试原平" in page and "测试不符" not in page


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_the_scheduler_runs_the_recheck_each_january(settings):
    from huican.server.schedule import tick

    settings.HUICAN_TASKS_SYNC = False  # enqueued only
    spec = "audit.checkpoint=off,findings.nightly=off,uploads.purge=off,portal.purge=off"
    assert tick(_at(dt.date(2027, 1, 4), 23, 59), spec=spec) == []
    assert tick(_at(dt.date(2027, 1, 5), 1, 59), spec=spec) == []
    assert tick(_at(dt.date(2027, 1, 5), 2, 0), spec=spec) == ["benefits.recheck"]
    assert tick(_at(dt.date(2027, 1, 6), 2, 0), spec=spec) == []  # once a year
    assert tick(_at(dt.date(2027, 6, 1), 2, 0), spec=spec) == []
    assert tick(_at(dt.date(2028, 1, 20), 9, 0), spec=spec) == ["benefits.recheck"]  # late, still January
    assert tick(_at(dt.date(2029, 2, 1), 9, 0), spec=spec) == []  # January missed: not in February
    job = Job.objects.filter(kind="benefits.recheck").first()
    assert job.arguments == {"on": "2027-01-05", "actor_id": None}
    assert list(ScheduledRun.objects.filter(name="benefits.recheck").values_list("period", flat=True)) == [
        "2027",
        "2028",
    ]
    assert tick(_at(dt.date(2027, 1, 5), 2, 0), spec=spec + ",benefits.recheck=off") == []


def test_the_scheduled_recheck_runs_as_the_system(people, settings):
    from huican.server.schedule import tick

    spec = "audit.checkpoint=off,findings.nightly=off,uploads.purge=off,portal.purge=off"
    assert tick(_at(dt.date(2027, 1, 5), 3, 0), spec=spec) == ["benefits.recheck"]
    run = RecheckRun.objects.get()
    assert (run.on_date, run.started_by_name, run.status) == (dt.date(2027, 1, 5), "system", "done")
