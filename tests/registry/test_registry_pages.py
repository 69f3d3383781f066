"""Registry pages: home counts, search (scoped in the query), person page, full-value view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from huican.core.crypto import decrypt
from huican.core.models import AuditEntry
from tests.factories import World, make_person

pytestmark = pytest.mark.django_db


def full_id(person) -> str:  # type: ignore[no-untyped-def]
    return decrypt(person.id_number_encrypted)


def search(client: Client, q: str) -> str:
    """The page's text after the search form (the query itself is echoed in the form). The form is
    POSTed; the results are on the page it redirects to, whose URL never carries the query."""
    posted = client.post(reverse("registry:search"), {"q": q})
    assert posted.status_code == 302 and q.strip() not in posted["Location"]
    response = client.get(posted["Location"])
    assert response.status_code == 200
    return response.content.decode().split("</form>", 2)[-1]


def test_county_user_finds_own_person_by_id_certificate_and_name(world: World, client: Client) -> None:
    client.force_login(world.users["county"])
    number = full_id(world.alice)
    assert world.alice.name in search(client, number)
    assert world.alice.name in search(client, f" {number.lower()} ")
    assert world.alice.name in search(client, f"{number}{world.alice.category}{world.alice.grade}")
    assert world.alice.name in search(client, "测试甲")
    html = search(client, "测试")
    assert world.carol.name in html and world.dave.name not in html


def test_county_user_cannot_find_another_countys_person(world: World, client: Client) -> None:
    client.force_login(world.users["county"])
    number = full_id(world.dave)
    html = search(client, number)
    assert world.dave.name not in html
    assert "没有找到" in html
    assert world.dave.name not in search(client, world.dave.name)
    assert client.get(reverse("registry:person", args=[world.dave.pk])).status_code == 404


def test_township_user_sees_only_own_township(world: World, client: Client) -> None:
    client.force_login(world.users["township"])
    assert world.carol.name not in search(client, full_id(world.carol))
    assert world.alice.name in search(client, full_id(world.alice))


def test_certificate_number_must_match_category_and_grade(world: World, client: Client) -> None:
    client.force_login(world.users["city"])
    wrong = f"{full_id(world.alice)}{world.alice.category}{(world.alice.grade % 4) + 1}"
    assert world.alice.name not in search(client, wrong)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("140902197005060010", "校验码"),
        ("1.40902E+17", None),
        ("140902700101001", "15 位"),
        ("12345", "18 位"),
        ("14090219700506001399", None),
    ],
)
def test_malformed_numbers_get_a_clear_message(
    world: World, client: Client, query: str, message: str | None
) -> None:
    client.force_login(world.users["city"])
    html = search(client, query)
    assert "查询结果" in html
    if message:
        assert message in html


def test_search_is_audited_without_the_full_id(world: World, client: Client) -> None:
    client.force_login(world.users["county"])
    number = full_id(world.alice)
    search(client, number)
    entry = AuditEntry.objects.filter(action="registry.search").latest("sequence")
    assert entry.actor_name == "t_county"
    assert entry.detail["mode"] == "id"
    assert entry.detail["results"] == 1
    assert number not in str(entry.detail)
    assert entry.detail["query"] == world.alice.id_masked


def test_search_paginates(world: World, client: Client) -> None:
    for i in range(25):
        make_person(name=f"分页{i:02d}", region_code="140902001001")
    client.force_login(world.users["county"])
    first = search(client, "分页")
    assert "分页00" in first and "分页24" not in first and "下一页" in first
    second = client.get(reverse("registry:search"), {"q": "分页", "page": "2"}).content.decode()
    assert "分页24" in second
    assert client.get(reverse("registry:search"), {"q": "分页", "page": "abc"}).status_code == 200


def test_person_page_shows_certificate_household_and_masks(world: World, client: Client) -> None:
    client.force_login(world.users["township"])
    response = client.get(reverse("registry:person", args=[world.alice.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.alice.certificate_masked in html
    assert full_id(world.alice) not in html
    assert "138****1234" in html and "13812341234" not in html
    assert world.alice.expiry_date.isoformat() in html
    assert world.bob.name in html  # same household
    assert "查看完整身份证号" not in html  # township user may not reveal
    entry = AuditEntry.objects.filter(action="registry.person_view").latest("sequence")
    assert entry.object_id == str(world.alice.pk)
    assert entry.region_code == world.alice.region_id


def test_household_members_are_scoped(world: World, client: Client) -> None:
    """A household member registered in another county is not shown to a county user."""
    make_person(name="外县同户", region_code="140981001001", household_number="H-A1")
    client.force_login(world.users["county"])
    html = client.get(reverse("registry:person", args=[world.alice.pk])).content.decode()
    assert world.bob.name in html and "外县同户" not in html


def test_person_page_shows_surveys_and_lists(world: World, client: Client) -> None:
    from huican.core.crypto import encrypt
    from huican.exchange.models import ImportBatch, ListRecord
    from huican.registry.models import Survey

    Survey.objects.create(person=world.alice, year=2024, income=3600, long_term_care=True, rehab_need=None)
    batch = ImportBatch.objects.create(kind="dibao", file_name="低保2025.csv", checksum="c", status="done")
    ListRecord.objects.create(
        batch=batch,
        kind="dibao",
        row_number=2,
        id_hash=world.alice.id_hash,
        id_number_encrypted=encrypt("x"),
        id_masked=world.alice.id_masked,
        in_registry=True,
        start_date=dt.date(2023, 1, 1),
    )
    client.force_login(world.users["county"])
    html = client.get(reverse("registry:person", args=[world.alice.pk])).content.decode()
    assert "2024" in html and "3600" in html and "未填" in html
    assert "低保2025.csv" in html and "现行" in html


def test_expired_certificate_is_marked(world: World, client: Client) -> None:
    old = make_person(name="过期证", region_code="140902001001", issue_date=dt.date(2010, 3, 1))
    client.force_login(world.users["county"])
    html = client.get(reverse("registry:person", args=[old.pk])).content.decode()
    assert "当前无效" in html


def test_reveal_requires_a_reason_and_is_audited(world: World, client: Client) -> None:
    client.force_login(world.users["county"])
    url = reverse("registry:reveal", args=[world.alice.pk])
    number = full_id(world.alice)
    form = client.get(url)
    assert form.status_code == 200 and number not in form.content.decode()
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert "请填写查看理由" in empty.content.decode()
    assert number not in empty.content.decode()
    assert not AuditEntry.objects.filter(action="registry.reveal").exists()
    done = client.post(url, {"reason": "核对低保申请材料"})
    assert done.status_code == 200
    html = done.content.decode()
    assert number in html and "13812341234" in html
    entry = AuditEntry.objects.get(action="registry.reveal")
    assert entry.reason == "核对低保申请材料"
    assert entry.actor_name == "t_county"
    assert entry.object_id == str(world.alice.pk)
    assert number not in str(entry.detail)


def test_home_counts_by_township_for_a_county_user(world: World, client: Client) -> None:
    make_person(name="过期", region_code="140902001001", issue_date=dt.date(2010, 3, 1))
    make_person(name="注销", region_code="140902001001", status="注销", status_date=dt.date(2024, 1, 1))
    client.force_login(world.users["county"])
    response = client.get(reverse("registry:home"))
    table = response.context["table"]
    assert table.unit_label == "乡镇（街道）"
    assert {row.code: row.total for row in table.rows} == {"140902001": 2, "140902002": 1}
    assert table.total.total == 3
    assert table.total.by_category == {4: 2, 1: 1}
    assert table.total.by_grade == {2: 1, 4: 1, 1: 1}
    assert "测试乡镇（街道）001" in response.content.decode()


def test_home_counts_by_county_for_city_and_evaluator(world: World, client: Client) -> None:
    for role in ("city", "evaluator"):
        client.force_login(world.users[role])
        table = client.get(reverse("registry:home")).context["table"]
        assert table.unit_label == "县（市、区）"
        assert {row.name: row.total for row in table.rows} == {"忻府区": 3, "原平市": 1}


@pytest.mark.parametrize("role", ["department", "system", "security", "audit"])
def test_home_without_aggregates_shows_no_counts(world: World, client: Client, role: str) -> None:
    client.force_login(world.users[role])
    response = client.get(reverse("registry:home"))
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "欢迎" in response.content.decode()


def test_certificate_validity_boundaries() -> None:
    from huican.registry.selectors import valid_certificate_q

    make_person(name="闰日", region_code="140902001001", issue_date=dt.date(2016, 2, 29))
    from huican.registry.models import Person

    assert Person.objects.filter(valid_certificate_q(dt.date(2026, 2, 28))).count() == 1
    assert Person.objects.filter(valid_certificate_q(dt.date(2026, 3, 1))).count() == 0
    assert Person.objects.filter(valid_certificate_q(dt.date(2016, 2, 28))).count() == 0


def test_id_numbers_never_travel_in_a_url(world: World, client: Client) -> None:
    """Issue 10: the search is a POST; results and pagination carry a token, never the number."""
    for i in range(25):
        make_person(name=f"号码{i:02d}", region_code="140902001001")
    client.force_login(world.users["county"])
    number = full_id(world.alice)
    assert 'method="post"' in client.get(reverse("registry:search")).content.decode()
    posted = client.post(reverse("registry:search"), {"q": number})
    assert posted.status_code == 302 and "?s=" in posted["Location"]
    assert number not in posted["Location"] and number[:6] not in posted["Location"]
    page = client.get(posted["Location"])
    assert world.alice.name in page.content.decode()
    # The query is kept encrypted in the session, not in plaintext.
    assert number not in str(dict(client.session))
    # Pagination links carry the token too.
    listed = client.get(client.post(reverse("registry:search"), {"q": "号码"})["Location"]).content.decode()
    assert "下一页" in listed and "?s=" in listed and "q=" not in listed
    # A number sent in the URL is refused, not searched (and not audited as a search).
    searches = AuditEntry.objects.filter(action="registry.search").count()
    refused = client.get(reverse("registry:search"), {"q": number})
    assert refused.status_code == 400 and "不能放在网址中" in refused.content.decode()
    assert world.alice.name not in refused.content.decode().split("</form>", 2)[-1]
    assert AuditEntry.objects.filter(action="registry.search").count() == searches
    # Another session's token finds nothing.
    other = Client()
    other.force_login(world.users["county"])
    assert other.get(posted["Location"]).status_code == 404
