"""The findings work list: runs reconcile findings, staff follow up, each user sees their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from huican.accounts.models import Role, User
from huican.core.models import AuditEntry
from huican.matching.models import Finding, FindingRun
from huican.matching.selectors import (
    access_finding_by_id,
    finding_codes_for,
    finding_counts_for,
    findings_for,
    run_counts_for,
)
from huican.matching.services import FindingError, finding_update, findings_run
from huican.regions.models import Region
from tests.factories import make_entitlement, make_list_record, make_person, make_standard
from tests.matching.yearly_lists import send_yearly_lists

D = dt.date(2025, 6, 30)


def user(name: str, role: str, region: str, **extra) -> User:
    if not Region.objects.filter(code=region).exists():
        Region.objects.create(
            code=region,
            name=f"乡镇{region}",
            level=Region.Level.TOWNSHIP,
            county_code=region[:6],
            parent_id=region[:6],
        )
    return User.objects.create_user(username=name, password="x", role=role, region_id=region, **extra)


def finding(person, code: str) -> Finding:
    return Finding.objects.get(person=person, code=code)


@pytest.fixture
def city_staff(db, monkeypatch):
    # City staff's runs on today's date reconcile the work list: these runs are "today" on D.
    monkeypatch.setattr("huican.matching.services.today", lambda: D)
    send_yearly_lists()
    return user("city", Role.CITY_STAFF, "140900")


def test_a_run_stores_new_findings_with_counts_and_audit(city_staff):
    make_standard()
    p = make_person(region_code="140921001001")

    run = findings_run(on=D, actor=city_staff)

    assert run.status == FindingRun.Status.DONE and run.progress == 100
    f = finding(p, "medical_not_enrolled")
    assert (f.status, f.first_seen_run, f.last_seen_run, f.county_code) == ("待核实", run, run, "140921")
    assert run.counts["medical_not_enrolled"] == {"140921": 1}
    assert run.township_counts["medical_not_enrolled"] == {"140921001": 1}
    assert run.new_count == run.total
    assert "dibao" in run.batch_ids
    assert AuditEntry.objects.filter(action="findings.run", object_id=str(run.pk), actor=city_staff).exists()


def test_findings_resolve_when_gone_and_reopen_when_back(city_staff):
    make_standard()
    p = make_person()
    first = findings_run(on=D, actor=city_staff)
    record = make_list_record("medical", p, year=2025)

    second = findings_run(on=D, actor=city_staff)
    f = finding(p, "medical_not_enrolled")
    assert (f.status, f.auto_resolved, f.last_seen_run) == ("已处理", True, first)
    assert f.resolved_at is not None
    assert second.resolved_count >= 1

    record.delete()
    third = findings_run(on=D, actor=city_staff)
    f.refresh_from_db()
    assert (f.status, f.auto_resolved, f.resolved_at, f.last_seen_run) == ("待核实", False, None, third)
    assert third.reopened_count == 1


def test_staff_decisions_survive_runs(city_staff):
    make_standard()
    handled, false_positive = make_person(), make_person()
    findings_run(on=D, actor=city_staff)
    finding_update(
        finding=finding(handled, "medical_not_enrolled"),
        actor=city_staff,
        status="已处理",
        assigned_to=None,
        note="已通知",
    )
    finding_update(
        finding=finding(false_positive, "medical_not_enrolled"),
        actor=city_staff,
        status="误报",
        assigned_to=None,
        note="参保地在外省",
    )

    run = findings_run(on=D, actor=city_staff)

    assert finding(handled, "medical_not_enrolled").status == "已处理"
    kept = finding(false_positive, "medical_not_enrolled")
    assert (kept.status, kept.last_seen_run, kept.note) == ("误报", run, "参保地在外省")


def test_finding_update_is_audited_and_validated(city_staff):
    make_standard()
    p = make_person()
    findings_run(on=D, actor=city_staff)
    f = finding(p, "medical_not_enrolled")
    worker = user("worker", Role.COUNTY_STAFF, "140902")

    updated = finding_update(
        finding=f, actor=city_staff, status="已核实-需处理", assigned_to=worker, note=" 请核实 "
    )

    assert (updated.status, updated.assigned_to, updated.note) == ("已核实-需处理", worker, "请核实")
    entry = AuditEntry.objects.get(action="finding.update", object_id=str(f.pk))
    assert entry.detail["before"]["status"] == "待核实"
    assert entry.detail["after"]["status"] == "已核实-需处理"
    assert entry.reason == "请核实"
    with pytest.raises(FindingError):
        finding_update(finding=f, actor=city_staff, status="done", assigned_to=None, note="")
    outsider = user("outsider", Role.COUNTY_STAFF, "140921")
    with pytest.raises(PermissionDenied):
        finding_update(finding=f, actor=outsider, status="已处理", assigned_to=None, note="")


def test_scope_by_region_and_department(city_staff):
    make_standard()
    here = make_person(region_code="140902003004", grade=1)
    make_entitlement(here, benefit="nursing_subsidy", start=dt.date(2024, 1, 1))
    make_list_record("deaths", here, start=dt.date(2025, 1, 1))
    there = make_person(region_code="140921001001")
    run = findings_run(on=D, actor=city_staff)

    county = user("county", Role.COUNTY_STAFF, "140902")
    township = user("township", Role.TOWNSHIP_STAFF, "140902003")
    other_township = user("other", Role.TOWNSHIP_STAFF, "140902005")
    civil = user("civil", Role.DEPARTMENT_OFFICER, "140900", department="市民政局")
    health = user("health", Role.DEPARTMENT_OFFICER, "140900", import_kinds=["medical"])
    evaluator = user("eval", Role.EVALUATOR, "140900")
    admin = User.objects.create_user(username="admin", password="x", role=Role.SYSTEM_ADMIN)

    assert findings_for(city_staff).filter(person=there).exists()
    assert not findings_for(county).filter(person=there).exists()
    assert findings_for(township).filter(person=here).exists()
    assert not findings_for(other_township).exists()
    assert set(findings_for(civil).values_list("code", flat=True)) == {"paid_after_death"}
    assert set(findings_for(health).values_list("code", flat=True)) == {"medical_not_enrolled"}
    assert "name_mismatch" not in finding_codes_for(civil)
    assert not findings_for(evaluator).exists()
    assert not findings_for(admin).exists()

    f = finding(there, "medical_not_enrolled")
    assert access_finding_by_id(city_staff, f.pk) == f
    with pytest.raises(Http404):
        access_finding_by_id(county, f.pk)

    assert run_counts_for(county, run) == {"paid_after_death": {"140902": 1}}
    assert run_counts_for(township, run)["paid_after_death"] == {"140902003": 1}
    assert run_counts_for(evaluator, run)["medical_not_enrolled"] == {"140921": 1}
    assert run_counts_for(civil, run) == {"paid_after_death": {"140902": 1}}
    assert run_counts_for(admin, run) == {}
    assert {row["code"] for row in finding_counts_for(health)} == {"medical_not_enrolled"}


@pytest.mark.django_db(transaction=True)
def test_reconciliation_excludes_other_processes():
    """While one run reconciles, another connection (another process) cannot start reconciling."""
    from django.db import connection, transaction

    from huican.matching.services import RUN_LOCK_KEY, serialise_reconciliation

    with transaction.atomic():
        serialise_reconciliation()
        if connection.vendor == "postgresql":
            import psycopg

            params = connection.get_connection_params()
            with psycopg.connect(**params, autocommit=True) as other:
                taken = other.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY]).fetchone()
                assert taken == (False,)
        else:
            import sqlite3

            other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    # once the transaction ends, the next run may reconcile
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY]).fetchone() == (True,)
