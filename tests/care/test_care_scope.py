"""Who sees which services: staff their region; a service organisation only the persons it serves
(a record of its organisation, or assigned to it by staff), inside its region, and never the
registry; other roles nothing. Outside the scope is a 404."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.accounts.access import can
from huican.accounts.models import Role, User
from huican.care import selectors, services
from huican.care.models import ServiceRecord
from tests.factories import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db

ORG = "忻府区阳光康复中心"


@pytest.fixture
def world():
    return World()


@pytest.fixture
def org_user(world):
    return make_user(Role.SERVICE_ORG, "140902", username="t_org", organisation=ORG)


def record(person, *, organisation: str, kind: str = "康复服务") -> ServiceRecord:
    return ServiceRecord.objects.create(
        person=person, kind=kind, service_date=dt.date(2025, 1, 5), organisation=organisation,
        recorded_by_name="test",
    )  # fmt: skip


def test_a_service_organisation_sees_only_the_persons_it_serves(client, world, org_user):
    served = record(world.alice, organisation=ORG)
    other_org = record(world.bob, organisation="别的机构")
    services.assignment_add(actor=world.users["county"], person=world.carol, organisation=ORG)
    record(world.dave, organisation=ORG)  # another county: outside the region

    assert set(selectors.care_persons_for(org_user)) == {world.alice, world.carol}
    assert list(selectors.services_for(org_user)) == [served]

    client.login(username=org_user.username, password=PASSWORD)
    assert client.get(f"/care/persons/{world.alice.pk}/").status_code == 200
    assert client.get(f"/care/persons/{world.carol.pk}/").status_code == 200
    assert client.get(f"/care/persons/{world.bob.pk}/").status_code == 404
    assert client.get(f"/care/persons/{world.dave.pk}/").status_code == 404
    assert client.get(f"/care/services/{other_org.pk}/").status_code == 404
    assert client.get(f"/care/persons/{world.bob.pk}/new/rehabilitation/").status_code == 404
    listing = client.get("/care/").content.decode()
    assert world.alice.name in listing and world.bob.name not in listing


def test_a_service_organisation_never_reaches_the_registry(client, world, org_user):
    record(world.alice, organisation=ORG)
    assert not can(org_user, "browse_registry")
    client.login(username=org_user.username, password=PASSWORD)
    assert client.get("/search/").status_code == 403
    assert client.get(f"/persons/{world.alice.pk}/").status_code == 404
    nav = client.get("/care/").content.decode()
    assert 'href="/search/"' not in nav and 'href="/care/"' in nav


def test_a_service_organisation_records_under_its_own_name(client, world, org_user):
    services.assignment_add(actor=world.users["township"], person=world.alice, organisation=ORG)
    client.login(username=org_user.username, password=PASSWORD)
    page = client.get(f"/care/persons/{world.alice.pk}/new/rehabilitation/").content.decode()
    assert 'name="organisation"' not in page
    response = client.post(
        f"/care/persons/{world.alice.pk}/new/rehabilitation/",
        {"service_date": "2025-02-01", "result": "完成", "organisation": "冒名机构"},
    )
    assert response.status_code == 302
    assert ServiceRecord.objects.get().organisation == ORG
    # nor may it hand persons to anyone
    assert (
        client.post(f"/care/persons/{world.alice.pk}/assignments/", {"organisation": "X"}).status_code == 400
    )


def test_staff_assign_a_person_and_the_organisation_then_sees_them(client, world, org_user):
    client.login(username=world.users["county"].username, password=PASSWORD)
    assert client.post(f"/care/persons/{world.bob.pk}/assignments/", {"organisation": ORG}).status_code == 302
    assert world.bob in selectors.care_persons_for(org_user)
    assignment = selectors.assignments_of(world.bob).get()
    client.post(f"/care/persons/{world.bob.pk}/assignments/{assignment.pk}/remove/")
    assert world.bob not in selectors.care_persons_for(org_user)


@pytest.mark.parametrize(
    ("who", "alice", "dave"),
    [("city", 200, 200), ("county", 200, 404), ("township", 200, 404)],
)
def test_staff_see_their_region(client, world, who, alice, dave):
    client.login(username=world.users[who].username, password=PASSWORD)
    assert client.get(f"/care/persons/{world.alice.pk}/").status_code == alice
    assert client.get(f"/care/persons/{world.dave.pk}/").status_code == dave


@pytest.mark.parametrize("who", ["department", "evaluator", "system", "security", "audit"])
def test_other_roles_see_no_services(client, world, who):
    record(world.alice, organisation=ORG)
    client.login(username=world.users[who].username, password=PASSWORD)
    assert client.get("/care/").status_code == 403
    assert client.get(f"/care/persons/{world.alice.pk}/").status_code == 403
    assert not selectors.services_for(world.users[who]).exists()


def test_an_organisation_account_without_an_organisation_sees_nothing(world):
    nameless = make_user(Role.SERVICE_ORG, "140902", username="t_nameless")
    record(world.alice, organisation="")
    assert not can(nameless, "record_services")
    assert not selectors.care_persons_for(nameless).exists()


def test_the_system_administrator_creates_a_service_organisation_account(client, world):
    client.login(username=world.users["system"].username, password=PASSWORD)
    form = {
        "username": "kangfu1",
        "role": "service_org",
        "region_code": "140902",
        "password": "Kangfu#Center2025",
        "organisation": ORG,
    }
    missing = client.post("/accounts/users/new/", {**form, "organisation": ""})
    assert missing.status_code == 400 and "服务机构名称" in missing.content.decode()

    assert client.post("/accounts/users/new/", form).status_code == 302
    created = User.objects.get(username="kangfu1")
    assert (created.role, created.organisation, created.region_id, created.is_active) == (
        "service_org", ORG, "140902", True,
    )  # fmt: skip
    assert not created.may_view_full


def test_a_city_wide_service_organisation_needs_a_second_person(client, world):
    client.login(username=world.users["system"].username, password=PASSWORD)
    client.post(
        "/accounts/users/new/",
        {"username": "kangfu2", "role": "service_org", "region_code": "140900",
         "password": "Kangfu#Center2025", "organisation": ORG},
    )  # fmt: skip
    created = User.objects.get(username="kangfu2")
    assert not created.is_active and created.grants.get().reasons == ["city_region"]


def test_the_cli_creates_a_service_organisation_account(world, monkeypatch, capsys):
    from huican.cli import main

    monkeypatch.setenv("HUICAN_NEW_PASSWORD", "Kangfu#Center2025")
    assert main(["users", "create", "kangfu3", "--role", "service_org", "--region", "140902"]) == 2
    assert "服务机构名称" in capsys.readouterr().err
    assert main(["users", "create", "kangfu3", "--role", "service_org", "--region", "140902",
                 "--organisation", ORG]) == 0  # fmt: skip
    assert User.objects.get(username="kangfu3").organisation == ORG


def test_a_service_organisation_has_a_home_page(client, org_user):
    client.login(username=org_user.username, password=PASSWORD)
    assert client.get("/").status_code == 200
