"""我的待办 (issue 13, point 4): findings assigned to me and applications at my step, overdue first
then by urgency, filters, bulk assign and bulk status change through the work list's rules, and the
contact details of my persons (audited)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.urls import reverse

from huican.core.models import AuditEntry
from huican.matching import services
from huican.matching.models import Finding, FindingDeadline
from huican.registry.models import Person

INBOX = reverse("inbox:index")


def _assign(finding: Finding, user) -> None:
    Finding.objects.filter(pk=finding.pk).update(assigned_to=user)


def test_my_findings_overdue_first_with_contacts(client, fworld):
    county = fworld.users["county"]
    pension = fworld.finding(fworld.near, "pension_not_enrolled")
    medical = fworld.finding(fworld.near, "medical_not_enrolled")
    _assign(pension, county)
    _assign(medical, county)
    Person.objects.filter(pk=fworld.near.pk).update(household_number="HH-42")
    from huican.core.crypto import encrypt

    Person.objects.filter(pk=fworld.near.pk).update(phone_encrypted=encrypt("13700001234"))
    FindingDeadline.objects.create(code="pension_not_enrolled", working_days=2)
    client.force_login(county)
    with mock.patch.object(services, "today", return_value=fworld.run.on_date + dt.timedelta(days=20)):
        page = client.get(INBOX)
    html = page.content.decode()
    assert page.status_code == 200
    rows = [row[0] for row in page.context["rows"]]
    assert [r.code for r in rows] == ["pension_not_enrolled", "medical_not_enrolled"]  # the overdue one first
    assert page.context["rows"][0][2] is True and page.context["rows"][1][2] is False
    assert "13700001234" in html and "HH-42" in html and "已超期" in html
    entry = AuditEntry.objects.get(action="inbox.contact_view")
    assert entry.detail["persons"] == [fworld.near.pk]
    # somebody else's inbox does not show them
    client.force_login(fworld.users["county_plain"])
    assert client.get(INBOX).context["total"] == 0


def test_filters(client, fworld):
    county = fworld.users["county"]
    for finding in Finding.objects.filter(person=fworld.near):
        _assign(finding, county)
    client.force_login(county)
    all_rows = client.get(INBOX).context["page"].paginator.count
    only = client.get(INBOX, {"code": "medical_not_enrolled"}).context["page"].paginator.count
    assert all_rows >= 2 and only == 1
    assert client.get(INBOX, {"township": "140902002"}).context["page"].paginator.count == 0


def test_bulk_assign_and_status_follow_the_work_list_rules(client, fworld):
    county = fworld.users["county"]
    mine = list(Finding.objects.filter(person=fworld.near))
    for finding in mine:
        _assign(finding, county)
    ids = [str(f.pk) for f in mine]
    client.force_login(county)
    # closing without a note is refused for each, nothing changes
    client.post(INBOX, {"findings": ids, "action": "status", "status": "已处理", "note": ""})
    assert not Finding.objects.filter(pk__in=ids, status="已处理").exists()
    client.post(INBOX, {"findings": ids, "action": "status", "status": "已处理", "note": "已逐户核实办理"})
    assert Finding.objects.filter(pk__in=ids, status="已处理").count() == len(ids)
    assert AuditEntry.objects.filter(action="finding.update").count() == len(ids)


def test_bulk_assign_inside_the_region_only(client, fworld):
    county = fworld.users["county"]
    finding = fworld.finding(fworld.near)
    _assign(finding, county)
    client.force_login(county)
    township = fworld.users["township"]
    response = client.post(
        INBOX, {"findings": [str(finding.pk)], "action": "assign", "assignee": str(township.pk)}
    )
    assert response.status_code == 302
    assert Finding.objects.get(pk=finding.pk).assigned_to_id == township.pk
    other = fworld.users["other_county"]
    _assign(finding, county)
    response = client.post(
        INBOX, {"findings": [str(finding.pk)], "action": "assign", "assignee": str(other.pk)}
    )
    assert response.status_code == 400  # not a choice: outside the county
    assert Finding.objects.get(pk=finding.pk).assigned_to_id == county.pk


def test_roles_without_work_get_403(client, fworld):
    client.force_login(fworld.users["admin"])
    assert client.get(INBOX).status_code == 403


def test_city_staff_set_the_deadline_of_each_code(client, fworld):
    url = reverse("matching:deadlines")
    client.force_login(fworld.users["county"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"medical_not_enrolled": "3"}).status_code == 403
    client.force_login(fworld.users["city"])
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["medical_not_enrolled"] = 3
    assert client.post(url, data).status_code == 302
    assert FindingDeadline.objects.get(code="medical_not_enrolled").working_days == 3
    assert AuditEntry.objects.filter(action="finding.deadlines").exists()
