"""就业援助: the aid list (the `employment_aid` findings with each person's progress), job seeking,
training (a 职业技能培训 service: indicator 2 and the finding read it), placement (closes the
registration and the finding), follow-up (ends a placement), new jobs per county and year, region
scope and the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from huican.accounts.models import Role
from huican.care.models import ServiceRecord
from huican.core.audit import AuditEntry
from huican.employment import aid
from huican.employment.models import JobSeeking, Placement
from huican.matching.models import Finding, FindingRun
from huican.matching.services import findings_run
from huican.monitoring.indicators import compute_indicators
from tests.factories import World, credit_code, make_person, make_standard, make_survey, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
DAY = TODAY - dt.timedelta(days=30)


def _finding(run: FindingRun, person, status: str = "待核实") -> Finding:
    return Finding.objects.create(
        person=person,
        code="employment_aid",
        county_code=person.county_code,
        township_code=person.township_code,
        detail="45 周岁，2025 年调查就业状况为未就业",
        first_seen_run=run,
        last_seen_run=run,
        status=status,
    )


@pytest.fixture
def world(db):
    world = World()
    run = FindingRun.objects.create(on_date=TODAY, status=FindingRun.Status.DONE)
    world.alice_finding = _finding(run, world.alice)
    world.carol_finding = _finding(run, world.carol)
    world.dave_finding = _finding(run, world.dave)
    return world


def _client(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


def _post(client, url, data):
    return client.post(url, data)


def test_the_aid_list_is_the_finding_in_the_users_region(world):
    county = _client(world, "county").get("/employment/aid/").content.decode()
    assert "测试甲" in county and "测试丙" in county and "测试丁" not in county
    township = _client(world, "township").get("/employment/aid/").content.decode()
    assert "测试甲" in township and "测试丙" not in township
    city = _client(world, "city").get("/employment/aid/").content.decode()
    assert all(name in city for name in ("测试甲", "测试丙", "测试丁"))
    assert "尚未服务" in city
    assert AuditEntry.objects.filter(action="finding.list", detail__list="employment_aid").exists()


def test_roles_without_aid_are_refused_and_other_regions_are_404(world):
    for role in ("department", "evaluator", "system"):
        assert _client(world, role).get("/employment/aid/").status_code == 403
        assert _client(world, role).get(f"/employment/aid/{world.alice.pk}/").status_code == 403
    county = _client(world, "county")
    assert county.get(f"/employment/aid/{world.dave.pk}/").status_code == 404
    response = county.post(
        f"/employment/aid/{world.dave.pk}/seeking/", {"seeking-registered_on": DAY.isoformat()}
    )
    assert response.status_code == 404
    assert not JobSeeking.objects.exists()
    township = _client(world, "township")
    assert township.get(f"/employment/aid/{world.carol.pk}/").status_code == 404
    assert township.get(f"/employment/aid/{world.alice.pk}/").status_code == 200
    assert township.post(f"/employment/aid/{world.alice.pk}/nonsense/", {}).status_code == 404
    person_page = township.get(f"/persons/{world.alice.pk}/").content.decode()
    assert f'href="/employment/aid/{world.alice.pk}/"' in person_page


def test_a_person_goes_from_seeking_to_training_to_work_and_back(world):
    client = _client(world, "township")
    base = f"/employment/aid/{world.alice.pk}/"

    response = client.post(
        base + "seeking/",
        {
            "seeking-registered_on": DAY.isoformat(),
            "seeking-wishes": "超市理货",
            "seeking-preferred_kind": "灵活",
        },
    )
    assert response.status_code == 302
    assert "已求职登记：超市理货" in client.get("/employment/aid/").content.decode()
    again = client.post(base + "seeking/", {"seeking-registered_on": DAY.isoformat()})
    assert again.status_code == 400 and "已有未结束的求职登记" in again.content.decode()

    response = client.post(
        base + "training/",
        {
            "training-service_date": DAY.isoformat(),
            "training-organisation": "市残疾人职业培训中心",
            "training-project": "电商客服",
            "training-result": "进行中",
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get(person=world.alice, kind="职业技能培训")
    assert record.result == "进行中" and record.organisation == "市残疾人职业培训中心"
    assert "培训中" in client.get("/employment/aid/").content.decode()

    code = credit_code("91140902MA0X12345")
    response = client.post(
        base + "placement/",
        {
            "placement-employer": "忻府区惠民超市",
            "placement-credit_code": code.lower(),
            "placement-kind": "按比例",
            "placement-started_on": DAY.isoformat(),
            "placement-job": "理货员",
        },
    )
    assert response.status_code == 302
    placement = Placement.objects.get(person=world.alice)
    assert (placement.credit_code, placement.kind, placement.ended_on) == (code, "按比例", None)
    seeking = JobSeeking.objects.get(person=world.alice)
    assert seeking.closed_on == DAY and "忻府区惠民超市" in seeking.closed_reason
    world.alice_finding.refresh_from_db()
    assert world.alice_finding.status == "已处理"
    assert "已就业：忻府区惠民超市（按比例就业" in world.alice_finding.note
    assert "测试甲" not in client.get("/employment/aid/").content.decode()  # the open list
    listed = client.get("/employment/aid/?status=&stage=placed").content.decode()
    assert "测试甲" in listed and "已就业：忻府区惠民超市" in listed

    prefix = f"followup{placement.pk}-"
    refused = client.post(
        f"/employment/aid/placements/{placement.pk}/follow-up/",
        {prefix + "followed_on": TODAY.isoformat(), prefix + "in_work": "no"},
    )
    assert refused.status_code == 400 and "离岗原因" in refused.content.decode()
    kept = client.post(
        f"/employment/aid/placements/{placement.pk}/follow-up/",
        {prefix + "followed_on": TODAY.isoformat(), prefix + "in_work": "yes", prefix + "notes": "适应良好"},
    )
    assert kept.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_on is None
    left = client.post(
        f"/employment/aid/placements/{placement.pk}/follow-up/",
        {prefix + "followed_on": TODAY.isoformat(), prefix + "in_work": "no", prefix + "notes": "合同到期"},
    )
    assert left.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_on == TODAY
    page = client.get(base).content.decode()
    assert "已离岗" in page and "合同到期" in page and "保存回访" not in page

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "employment.job_seeking",
        "employment.placement",
        "employment.follow_up",
        "finding.update",
    } <= actions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"placement-kind": "按比例", "placement-started_on": DAY.isoformat()}, "这个字段是必填项"),
        ({"placement-employer": "某单位", "placement-started_on": DAY.isoformat()}, "这个字段是必填项"),
        (
            {"placement-employer": "某单位", "placement-kind": "集中", "placement-started_on": "2999-01-01"},
            "日期不能晚于今天",
        ),
        (
            {
                "placement-employer": "某单位",
                "placement-kind": "集中",
                "placement-started_on": DAY.isoformat(),
                "placement-credit_code": "91140902MA0X12345X",
            },
            "统一社会信用代码不正确",
        ),
        (
            {"placement-employer": "某单位", "placement-kind": "集中", "placement-started_on": "1960-01-01"},
            "日期不能早于出生日期",
        ),
    ],
)
def test_a_placement_is_refused_with_the_reason(world, data, message):
    response = _client(world, "county").post(f"/employment/aid/{world.alice.pk}/placement/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Placement.objects.exists()
    world.alice_finding.refresh_from_db()
    assert world.alice_finding.status == "待核实"


def test_a_registration_is_closed_with_a_reason(world):
    client = _client(world, "county")
    client.post(f"/employment/aid/{world.alice.pk}/seeking/", {"seeking-registered_on": DAY.isoformat()})
    refused = client.post(
        f"/employment/aid/{world.alice.pk}/seeking/close/", {"close-closed_on": TODAY.isoformat()}
    )
    assert refused.status_code == 400
    closed = client.post(
        f"/employment/aid/{world.alice.pk}/seeking/close/",
        {"close-closed_on": TODAY.isoformat(), "close-reason": "本人暂不求职"},
    )
    assert closed.status_code == 302
    seeking = JobSeeking.objects.get(person=world.alice)
    assert (seeking.closed_on, seeking.closed_reason) == (TODAY, "本人暂不求职")
    assert AuditEntry.objects.filter(action="employment.job_seeking_close").exists()


def test_services_refuse_actors_outside_the_region(world):
    with pytest.raises(PermissionDenied):
        aid.placement_record(
            actor=world.users["county"], person=world.dave, employer="某单位", started_on=DAY, kind="集中"
        )
    with pytest.raises(PermissionDenied):
        aid.job_seeking_record(actor=world.users["evaluator"], person=world.alice, registered_on=DAY)
    assert not Placement.objects.exists() and not JobSeeking.objects.exists()


def test_new_jobs_count_distinct_persons_by_county_year_and_kind(world):
    city = world.users["city"]
    year = DAY.year
    aid.placement_record(actor=city, person=world.alice, employer="甲", started_on=DAY, kind="集中")
    aid.placement_record(actor=city, person=world.alice, employer="乙", started_on=DAY, kind="灵活")
    aid.placement_record(actor=city, person=world.carol, employer="丙", started_on=DAY, kind="集中")
    aid.placement_record(actor=city, person=world.dave, employer="丁", started_on=DAY, kind="公益性岗位")
    aid.placement_record(
        actor=city, person=world.bob, employer="戊", started_on=dt.date(year - 1, 12, 31), kind="集中"
    )

    counted = aid.new_jobs(region_prefix="1409", years=[year - 1, year])
    assert counted["by_county"] == {"140902": {year: 2, year - 1: 1}, "140981": {year: 1}}
    assert counted["total"] == {year: 3, year - 1: 1}
    assert counted["by_kind"] == {"集中": {year: 2, year - 1: 1}, "灵活": {year: 1}, "公益性岗位": {year: 1}}
    assert aid.new_jobs(region_prefix="140981", years=[year])["total"] == {year: 1}

    page = _client(world, "evaluator").get("/monitoring/jobs/").content.decode()
    assert "新增残疾人就业" in page and "忻府区" in page and "原平市" in page
    county = _client(world, "county").get("/monitoring/jobs/").content.decode()
    assert "忻府区" in county and "原平市" not in county
    assert _client(world, "department").get("/monitoring/jobs/").status_code == 403


def test_training_recorded_in_aid_counts_in_indicator_2_and_closes_the_finding(db, monkeypatch):
    """From a real findings run: the jobless person is on the list; a completed training recorded
    on the aid page counts in 城乡残疾人职业技能培训人数 and the next run closes the finding."""
    on = TODAY
    monkeypatch.setattr("huican.matching.services.today", lambda: on)
    make_standard()
    person = make_person(region_code="140902001001", birth=dt.date(1985, 3, 1), name="待就业")
    make_survey(person, year=on.year, income="20000.00", employment="未就业")
    city = make_user(Role.CITY_STAFF, "140900", username="aid_city")
    findings_run(on=on, actor=city)
    assert aid.aid_findings_for(city).filter(person=person).exists()

    client = Client()
    client.force_login(city)
    response = client.post(
        f"/employment/aid/{person.pk}/training/",
        {"training-service_date": on.isoformat(), "training-result": "完成", "training-project": "盲人按摩"},
    )
    assert response.status_code == 302
    rows = compute_indicators(year=on.year)
    [training] = [r for r in rows if r["code"] == "training_persons" and r["region"] == "140900"]
    assert training["value"] == 1

    findings_run(on=on, actor=city)
    assert not aid.aid_findings_for(city).filter(person=person).exists()  # closed: open ones only
    finding = Finding.objects.get(person=person, code="employment_aid")
    assert finding.status == "已处理" and finding.auto_resolved
