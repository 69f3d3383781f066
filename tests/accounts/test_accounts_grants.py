"""三员分立 for real (issue 10, point 1): rights that need a second person, and what the system
administrator can reach."""

from __future__ import annotations

import argparse

import pytest
from django.test import Client
from django.urls import reverse

from huican.accounts import grants
from huican.accounts.commands import run_users
from huican.accounts.models import Grant, Role, User
from huican.accounts.services import password_set_by_admin, user_change, user_create, user_set_active
from huican.api import api_token_create
from huican.core.models import AuditEntry
from tests.factories import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xinzhou#Staff2025"


def _create_on_web(client: Client, **fields: object) -> None:
    data = {"username": "quanshi", "display_name": "", "department": "", "password": NEW_PASSWORD, **fields}
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _can_log_in(username: str, password: str = NEW_PASSWORD) -> bool:
    return (
        Client().post(reverse("accounts:login"), {"username": username, "password": password}).status_code
        == 302
    )


def test_a_city_wide_full_id_account_waits_for_the_security_administrator(
    world: World, client: Client
) -> None:
    client.force_login(world.users["system"])
    _create_on_web(client, role=Role.CITY_STAFF, region_code="140900", may_view_full="on")
    user = User.objects.get(username="quanshi")
    assert not user.is_active  # the system administrator cannot log in as it and export the city
    assert not _can_log_in("quanshi")
    grant = Grant.objects.get(user=user)
    assert grant.status == Grant.Status.PENDING and grant.requested_by == world.users["system"]
    assert set(grant.reasons) == {"city_region", "full_id"}
    assert "有待批准的申请（未启用）" in client.get(reverse("accounts:users")).content.decode()

    # The system administrator cannot approve: the page is the security administrator's.
    assert client.post(reverse("accounts:grant_decide", args=[grant.pk, "approve"])).status_code == 403
    assert not User.objects.get(pk=user.pk).is_active

    security = Client()
    security.force_login(world.users["security"])
    page = security.get(reverse("accounts:grants")).content.decode()
    assert "quanshi" in page and "全市范围" in page
    response = security.post(reverse("accounts:grant_decide", args=[grant.pk, "approve"]), {"note": "经批准"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.region_id == "140900" and user.may_view_full
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.Grant").values_list("action", "actor_name")
    )
    assert actions == [("accounts.grant_request", "t_sys"), ("accounts.grant_approve", "t_sec")]
    # The account holder must choose their own password before anything else.
    fresh = Client()
    fresh.post(reverse("accounts:login"), {"username": "quanshi", "password": NEW_PASSWORD})
    assert fresh.get(reverse("registry:search")).url == reverse("accounts:password_change")


@pytest.mark.parametrize("role", [Role.AUDIT_ADMIN, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN])
def test_a_second_administrator_waits_for_approval(world: World, client: Client, role: str) -> None:
    client.force_login(world.users["system"])
    _create_on_web(client, role=role, region_code="")
    user = User.objects.get(username="quanshi")
    assert user.role == role and not user.is_active
    assert Grant.objects.get(user=user).reasons == ["admin_role"]


def test_an_ordinary_account_is_made_at_once(world: World, client: Client) -> None:
    client.force_login(world.users["system"])
    _create_on_web(client, role=Role.TOWNSHIP_STAFF, region_code="140902001")
    user = User.objects.get(username="quanshi")
    assert user.is_active and user.must_change_password and not Grant.objects.exists()


def test_a_reject_leaves_the_account_as_it_was(world: World) -> None:
    township = world.users["township"]
    grant = user_change(
        actor=world.users["system"],
        user=township,
        role=Role.CITY_STAFF,
        region_code="140900",
        may_view_full=True,
    )
    assert grant is not None
    township.refresh_from_db()
    assert township.role == Role.TOWNSHIP_STAFF and not township.may_view_full  # not until approved
    grants.grant_reject(grant_id=grant.pk, decider=world.users["security"], note="无依据")
    township.refresh_from_db()
    assert township.role == Role.TOWNSHIP_STAFF and township.region_id == "140902001"
    assert AuditEntry.objects.filter(action="accounts.grant_reject", reason="无依据").exists()
    with pytest.raises(grants.GrantError, match="已处理"):
        grants.grant_approve(grant_id=grant.pk, decider=world.users["security"])


def test_any_role_or_region_change_needs_approval_but_taking_full_id_away_does_not(world: World) -> None:
    township = world.users["township"]
    grant = user_change(
        actor=world.users["system"], user=township, role=Role.TOWNSHIP_STAFF, region_code="140902002",
        may_view_full=False,
    )  # fmt: skip
    assert grant is not None and grant.reasons == ["role_or_region_change"]
    county = world.users["county"]
    assert user_change(
        actor=world.users["system"], user=county, role=Role.COUNTY_STAFF, region_code="140902", may_view_full=False
    ) is None  # fmt: skip
    county.refresh_from_db()
    assert not county.may_view_full


def test_nobody_decides_their_own_grant(world: World) -> None:
    security = world.users["security"]
    own_request = grants.grant_request(
        actor=security, user=world.users["township"], role=Role.CITY_STAFF, region=None,
        may_view_full=False, activate=False, reasons=["role_or_region_change"],
    )  # fmt: skip
    with pytest.raises(grants.GrantError, match="自己提出"):
        grants.grant_approve(grant_id=own_request.pk, decider=security)
    about_me = grants.grant_request(
        actor=world.users["system"], user=security, role=Role.SECURITY_ADMIN, region=None,
        may_view_full=False, activate=True, reasons=["admin_role", "enable"],
    )  # fmt: skip
    with pytest.raises(grants.GrantError, match="自己账户"):
        grants.grant_approve(grant_id=about_me.pk, decider=security)
    with pytest.raises(grants.GrantError, match="只有安全管理员"):
        grants.grant_approve(grant_id=about_me.pk, decider=world.users["audit"])
    second = make_user(Role.SECURITY_ADMIN, None, username="t_sec2")
    assert grants.grant_approve(grant_id=own_request.pk, decider=second).status == Grant.Status.APPROVED


def test_switching_on_or_resetting_a_privileged_account_needs_approval(world: World) -> None:
    system, city = world.users["system"], world.users["city"]
    user_set_active(actor=system, user=city, active=False)
    city.refresh_from_db()
    assert not city.is_active  # switching off is at once
    grant = user_set_active(actor=system, user=city, active=True)
    assert grant is not None and "enable" in grant.reasons
    city.refresh_from_db()
    assert not city.is_active
    grants.grant_approve(grant_id=grant.pk, decider=world.users["security"])
    city.refresh_from_db()
    assert city.is_active

    # Setting the password of a city-wide account would hand its rights to whoever set it.
    reset = password_set_by_admin(actor=system, user=city, password="Another#Pass2026")
    assert reset is not None and "password_reset" in reset.reasons
    city.refresh_from_db()
    assert city.check_password(PASSWORD) and not city.check_password("Another#Pass2026")
    grants.grant_approve(grant_id=reset.pk, decider=world.users["security"])
    city.refresh_from_db()
    assert city.check_password("Another#Pass2026") and city.must_change_password


def _cli(username: str, role: str, region: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(
        users_command="create", username=username, role=role, region=region, password_env="TEST_NEW_PASSWORD"
    )


def test_the_cli_bootstraps_only_the_first_administrator_of_a_role(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TEST_NEW_PASSWORD", NEW_PASSWORD)
    assert run_users(_cli("shenji1", "audit_admin")) == 0
    first = User.objects.get(username="shenji1")
    assert first.is_active and not Grant.objects.exists()
    assert AuditEntry.objects.filter(action="accounts.bootstrap", actor_name="cli").count() == 1
    assert run_users(_cli("shenji2", "audit_admin")) == 0
    second = User.objects.get(username="shenji2")
    assert not second.is_active
    assert Grant.objects.get(user=second).requested_by_name == "cli"
    assert "安全管理员" in capsys.readouterr().out
    # A city-wide staff account from the CLI waits too.
    assert run_users(_cli("shi1", "city_staff", "140900")) == 0
    assert not User.objects.get(username="shi1").is_active


def test_user_create_service_from_the_cli_with_full_id_waits() -> None:
    user = user_create(
        actor="cli", username="xian", password=NEW_PASSWORD, role="county_staff", region_code="140902",
        may_view_full=True,
    )  # fmt: skip
    assert not user.is_active and Grant.objects.get(user=user).reasons == ["full_id"]


# --------------------------------------------------------------------------------------------
# The system administrator never reads personal data

SYSTEM_ADMIN_PAGES = {
    "/",
    "/accounts/password/",
    "/accounts/users/",
    "/accounts/users/new/",
    "/api/tokens/",
    "/api/v1/docs",
    "/api/v1/openapi.json",
}


def test_every_page_the_system_administrator_reaches_is_an_account_page(world: World, client: Client) -> None:
    from tests.web.test_web_all_urls import all_paths

    system = world.users["system"]
    client.force_login(system)
    reached = []
    for path in all_paths(world.alice.pk):
        response = client.get(path)
        if response.status_code == 200:
            reached.append(path)
            text = response.content.decode()
            assert world.alice.name not in text and world.alice.id_masked not in text, path
    # the citizen portal's own pages (public, or telling a staff login to sign out first) carry no
    # personal data (checked above); its staff pages (a person's certificate, guardians) stay out of reach
    public = {path for path in reached if path.startswith("/portal/")}
    public -= {path for path in public if path.startswith(("/portal/staff/", "/portal/cert/persons/"))}
    allowed = SYSTEM_ADMIN_PAGES | {f"/accounts/users/{world.alice.pk}/"} | public
    assert set(reached) <= allowed, set(reached) - allowed


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=测试",
        "/persons/{alice}/",
        "/persons/{alice}/reveal/",
        "/findings/",
        "/findings/export.xlsx",
        "/findings/export/full/",
        "/imports/",
        "/monitoring/",
        "/audit/",
    ],
)
def test_personal_data_pages_refuse_the_system_administrator(world: World, client: Client, path: str) -> None:
    client.force_login(world.users["system"])
    assert client.get(path.format(alice=world.alice.pk)).status_code in (403, 404)


@pytest.mark.parametrize("path", ["/api/v1/persons?q=测试", "/api/v1/findings", "/api/v1/persons/{alice}"])
def test_the_api_refuses_the_system_administrator(world: World, client: Client, path: str) -> None:
    _token, key = api_token_create(user=world.users["system"], name="试")
    response = client.get(path.format(alice=world.alice.pk), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code in (403, 404), response.content


def test_a_rejected_or_superseded_password_is_not_kept(world: World) -> None:
    system, city = world.users["system"], world.users["city"]
    first = password_set_by_admin(actor=system, user=city, password="Another#Pass2026")
    second = password_set_by_admin(actor=system, user=city, password="Yet#Another2026x")
    assert first is not None and second is not None
    first.refresh_from_db()
    assert first.status == Grant.Status.SUPERSEDED and first.password == ""
    grants.grant_reject(grant_id=second.pk, decider=world.users["security"])
    second.refresh_from_db()
    assert second.password == ""
    city.refresh_from_db()
    assert city.check_password(PASSWORD)
