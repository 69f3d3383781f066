"""The registry is editable on the web (issue 13, point 1): a new person, corrections, certificate
changes and documents — each with a reason, before/after kept, audited, inside the user's region."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from huican.accounts.models import Role
from huican.core.models import AuditEntry
from huican.policy.facts import load_facts
from huican.registry.models import Person, PersonChange
from tests.factories import PASSWORD, id_number, make_person, make_region, make_user

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"secret-scan"


@pytest.fixture
def clerk(client):
    make_region("140902001001")
    user = make_user(Role.TOWNSHIP_STAFF, "140902001")
    client.login(username=user.username, password=PASSWORD)
    return user


def _create_form(**overrides):
    form = {
        "id_number": id_number("140902", dt.date(1975, 4, 3), 17),
        "name": "新登记",
        "category": "4",
        "grade": "2",
        "issue_date": "2024-05-06",
        "region_id": "140902001001",
        "urban_rural": "农村",
        "household_number": "H-NEW-1",
        "relation": "户主",
        "phone": "13912345678",
        "reason": "新办证人员补录",
    }
    form.update(overrides)
    return form


def test_create_a_person(client, clerk):
    response = client.post("/persons/new/", _create_form())
    person = Person.objects.get(name="新登记")
    assert response.status_code == 302 and response["Location"] == f"/persons/{person.pk}/"
    assert (person.grade, person.county_code, person.township_code, person.sex) == (
        2,
        "140902",
        "140902001",
        "男",
    )
    change = PersonChange.objects.get(person=person)
    assert change.kind == "create" and change.reason == "新办证人员补录"
    assert "13912345678" not in str(change.after) and change.after["phone"] == person.phone_masked
    assert AuditEntry.objects.filter(action="registry.person_create", object_id=str(person.pk)).exists()
    # the whole-city facts see the new person at once
    assert person.pk in load_facts(on=dt.date(2025, 1, 1)).persons["person_id"].to_list()


def test_create_refuses_what_the_import_refuses(client, clerk):
    existing = make_person(region_code="140902001001")
    from huican.core.crypto import decrypt

    taken = decrypt(existing.id_number_encrypted)
    cases = {
        "id_number": {"id_number": taken},
        "region_id": {"region_id": "140902002001"},  # another township: outside the clerk's region
        "issue_date": {"issue_date": "1970-01-01"},  # before the birth date
    }
    for field, change in cases.items():
        response = client.post("/persons/new/", _create_form(**change))
        assert response.status_code == 400, field
        assert field in response.context["form"].errors, field
    bad_check = _create_form()["id_number"][:-1] + ("0" if _create_form()["id_number"][-1] != "0" else "1")
    response = client.post("/persons/new/", _create_form(id_number=bad_check))
    assert "校验码" in str(response.context["form"].errors["id_number"])
    response = client.post("/persons/new/", _create_form(reason=""))
    assert response.status_code == 400
    assert Person.objects.count() == 1


def test_corrections_keep_before_and_after(client, clerk):
    person = make_person(region_code="140902001001", name="旧名", phone="13800001111")
    response = client.post(
        f"/persons/{person.pk}/edit/",
        {"name": "新名", "relation": "子女", "phone": "", "reason": "户口簿姓名更正"},
    )
    assert response.status_code == 302
    change = PersonChange.objects.get(person=person)
    assert change.before == {"name": "旧名", "relation": ""} and change.after == {
        "name": "新名",
        "relation": "子女",
    }
    page = client.get(f"/persons/{person.pk}/").content.decode()
    assert "姓名：旧名 → 新名" in page and "户口簿姓名更正" in page
    client.post(
        f"/persons/{person.pk}/edit/",
        {"name": "新名", "relation": "子女", "phone": "13999998888", "reason": "电话变更"},
    )
    phone_change = PersonChange.objects.filter(person=person).first()
    assert phone_change.after["phone"].endswith("8888") and "13999998888" not in str(phone_change.after)


def test_household_change_stays_inside_the_region(client, clerk):
    make_region("140902001002")
    person = make_person(region_code="140902001001")
    response = client.post(
        f"/persons/{person.pk}/household/",
        {"region_id": "140981001001", "urban_rural": "城镇", "household_number": "H9", "reason": "迁居"},
    )
    assert response.status_code == 400
    client.post(
        f"/persons/{person.pk}/household/",
        {"region_id": "140902001002", "urban_rural": "城镇", "household_number": "H9", "reason": "村内调整"},
    )
    person.refresh_from_db()
    assert (person.region_id, person.township_code, person.urban_rural) == (
        "140902001002",
        "140902001",
        "城镇",
    )


def test_certificate_change(client, clerk):
    person = make_person(region_code="140902001001", grade=3)
    response = client.post(
        f"/persons/{person.pk}/certificate/",
        {
            "category": "4",
            "grade": "3",
            "issue_date": "2020-01-01",
            "status": "死亡",
            "status_date": "",
            "reason": "死亡",
        },
    )
    assert response.status_code == 400 and "status_date" in response.context["form"].errors
    client.post(
        f"/persons/{person.pk}/certificate/",
        {
            "category": "4",
            "grade": "1",
            "issue_date": "2020-01-01",
            "status": "死亡",
            "status_date": "2025-03-02",
            "reason": "民政死亡信息核实",
        },
    )
    person.refresh_from_db()
    assert (person.grade, person.status, person.status_date) == (1, "死亡", dt.date(2025, 3, 2))
    change = PersonChange.objects.get(person=person)
    assert change.before == {"grade": 3, "status": "正常", "status_date": None}
    assert change.after == {"grade": 1, "status": "死亡", "status_date": "2025-03-02"}
    facts = load_facts(on=dt.date(2025, 6, 1))
    row = facts.persons.filter(facts.persons["person_id"] == person.pk).row(0, named=True)
    assert (row["grade"], row["status"]) == (1, "死亡")


def test_outside_the_region_is_a_404_and_other_roles_cannot_edit(client, clerk):
    other = make_person(region_code="140981001001")
    assert client.get(f"/persons/{other.pk}/edit/").status_code == 404
    assert client.post(f"/persons/{other.pk}/certificate/", {}).status_code == 404
    client.logout()
    evaluator = make_user(Role.EVALUATOR, "140900")
    client.login(username=evaluator.username, password=PASSWORD)
    assert client.get("/persons/new/").status_code == 403


def test_documents_are_encrypted_at_rest_and_audited(client, clerk):
    person = make_person(region_code="140902001001")
    upload = Path(settings.MEDIA_ROOT).parent / "scan.png"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(PNG)
    with upload.open("rb") as f:
        assert client.post(f"/persons/{person.pk}/documents/", {"file": f}).status_code == 302
    document = person.documents.get()
    stored = Path(settings.MEDIA_ROOT) / "registry" / document.stored_name
    assert stored.exists() and b"secret-scan" not in stored.read_bytes()
    response = client.get(f"/persons/{person.pk}/documents/{document.pk}/")
    assert response.content == PNG and response["Content-Type"] == "image/png"
    assert AuditEntry.objects.filter(action="registry.document_view").exists()
    text = Path(settings.MEDIA_ROOT).parent / "note.txt"
    text.write_text("hello")
    with text.open("rb") as f:
        client.post(f"/persons/{person.pk}/documents/", {"file": f})
    assert person.documents.count() == 1
