"""The access functions: region prefix, person scope in the query, 404 outside, `can` per role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from huican.accounts.access import can, region_prefix_for
from huican.exchange.selectors import list_records_for
from huican.registry.selectors import access_person_by_id, aggregate_persons_for, persons_for
from tests.factories import World

pytestmark = pytest.mark.django_db

PREFIXES = {
    "city": "1409",
    "county": "140902",
    "township": "140902001",
    "department": "1409",
    "evaluator": "1409",
    "system": None,
    "security": None,
    "audit": None,
}


@pytest.mark.parametrize(("role", "prefix"), PREFIXES.items())
def test_region_prefix_for_each_role(world: World, role: str, prefix: str | None) -> None:
    assert region_prefix_for(world.users[role]) == prefix


def test_anonymous_and_inactive_users_see_nothing(world: World) -> None:
    assert region_prefix_for(AnonymousUser()) is None
    assert not persons_for(AnonymousUser()).exists()
    user = world.users["city"]
    user.is_active = False
    assert region_prefix_for(user) is None
    assert not can(user, "browse_registry")


def test_staff_without_region_see_nothing(world: World) -> None:
    user = world.users["county"]
    user.region = None
    assert region_prefix_for(user) is None
    assert not persons_for(user).exists()


VISIBLE = {
    "city": {"alice", "bob", "carol", "dave"},
    "county": {"alice", "bob", "carol"},
    "township": {"alice", "bob"},
    "department": set(),
    "evaluator": set(),
    "system": set(),
    "security": set(),
    "audit": set(),
}


@pytest.mark.parametrize(("role", "names"), VISIBLE.items())
def test_persons_for_filters_in_the_query(world: World, role: str, names: set[str]) -> None:
    user = world.users[role]
    visible = set(persons_for(user).values_list("pk", flat=True))
    expected = {getattr(world, name).pk for name in names}
    assert visible == expected
    for name in ("alice", "bob", "carol", "dave"):
        person = getattr(world, name)
        if name in names:
            assert access_person_by_id(user, person.pk) == person
        else:
            with pytest.raises(Http404):
                access_person_by_id(user, person.pk)


def test_scope_is_part_of_the_sql(world: World) -> None:
    sql = str(persons_for(world.users["county"]).query)
    assert "140902" in sql


def test_missing_person_is_404_like_an_outsider(world: World) -> None:
    with pytest.raises(Http404):
        access_person_by_id(world.users["city"], 10**9)


def test_evaluator_counts_but_never_lists(world: World) -> None:
    evaluator = world.users["evaluator"]
    assert aggregate_persons_for(evaluator).count() == 4
    assert not persons_for(evaluator).exists()
    assert not aggregate_persons_for(world.users["system"]).exists()


ACTIONS = [
    "browse_registry",
    "view_full_id",
    "import",
    "import:dibao",
    "import:registry",
    "import:nonsense",
    "manage_standards",
    "view_standards",
    "view_findings",
    "view_aggregates",
    "read_audit",
    "manage_users",
    "manage_security",
    "view_employment",
    "manage_employment",
    "employment_aid",
]
ALLOWED = {
    "city": {
        "browse_registry",
        "view_full_id",
        "import",
        "import:dibao",
        "import:registry",
        "manage_standards",
        "view_standards",
        "view_findings",
        "view_aggregates",
        "view_employment",
        "manage_employment",
        "employment_aid",
    },
    "county": {
        "browse_registry",
        "view_full_id",
        "view_standards",
        "view_findings",
        "view_aggregates",
        "view_employment",
        "manage_employment",
        "employment_aid",
    },
    "township": {
        "browse_registry",
        "view_standards",
        "view_findings",
        "view_aggregates",
        "view_employment",
        "employment_aid",
    },
    "department": {"import", "import:dibao", "view_findings"},
    "evaluator": {"view_standards", "view_aggregates"},
    "system": {"manage_users"},
    "security": {"manage_security"},
    "audit": {"read_audit"},
}


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize("action", ACTIONS)
def test_can_matrix(world: World, role: str, action: str) -> None:
    assert can(world.users[role], action) is (action in ALLOWED[role])


def test_three_administrators_are_separated(world: World) -> None:
    """三员分立: the system administrator cannot read the audit log; the auditor does nothing else."""
    assert not can(world.users["system"], "read_audit")
    assert not can(world.users["security"], "read_audit")
    assert [a for a in ACTIONS if can(world.users["audit"], a)] == ["read_audit"]


def test_unknown_action_is_a_programming_error(world: World) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        can(world.users["city"], "launch_rockets")


def test_list_records_scope(world: World) -> None:
    from huican.core.crypto import encrypt
    from huican.exchange.models import ImportBatch, ListRecord

    batch = ImportBatch.objects.create(kind="dibao", file_name="d.csv", checksum="x", status="done")
    for person in (world.alice, world.dave):
        ListRecord.objects.create(
            batch=batch,
            kind="dibao",
            row_number=2,
            id_hash=person.id_hash,
            id_number_encrypted=encrypt("x"),
            id_masked=person.id_masked,
            in_registry=True,
        )
    assert list_records_for(world.users["county"]).count() == 1
    assert list_records_for(world.users["city"]).count() == 2
    assert list_records_for(world.users["department"]).count() == 2  # its own kind, dibao
    assert list_records_for(world.users["evaluator"]).count() == 0
    world.users["department"].import_kinds = ["deaths"]
    assert list_records_for(world.users["department"]).count() == 0
