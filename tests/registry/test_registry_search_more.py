"""Search (issue 13, point 6): ID typed with full-width digits, certificate, name, mobile number,
household number and village; county and age in the results; never outside the user's region."""

from __future__ import annotations

import datetime as dt

import pytest

from huican.accounts.models import Role
from huican.core.crypto import decrypt, encrypt, mask_phone, phone_indexes
from huican.registry.models import Person
from huican.registry.selectors import search_persons
from tests.factories import make_person, make_region, make_user

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def people():
    make_region("140902001001", name="测试一村")
    a = make_person(
        region_code="140902001001", name="张三", birth=dt.date(1960, 1, 2), household_number="H000777"
    )
    phone = "13812345678"
    Person.objects.filter(pk=a.pk).update(
        phone_encrypted=encrypt(phone), phone_masked=mask_phone(phone), phone_hash=phone_indexes([phone])[0]
    )
    b = make_person(region_code="140981001001", name="李四")
    return a, b


def test_every_way_to_find_a_person(people):
    a, _ = people
    user = make_user(Role.COUNTY_STAFF, "140902")
    number = decrypt(a.id_number_encrypted)
    cases = {
        "id": number.translate(FULL_WIDTH),
        "certificate": f"{number}{a.category}{a.grade}",
        "phone": "138-1234-5678",
        "household": "h000777",
        "name": "张",
    }
    for mode, query in cases.items():
        result = search_persons(user, query)
        assert result.mode == mode, mode
        assert list(result.persons) == [a], mode
    assert list(search_persons(user, "+86 138 1234 5678").persons) == [a]
    assert list(search_persons(user, "测试一村").persons) == [a]
    assert "13812345678" not in search_persons(user, "13812345678").audit_query


def test_never_outside_the_region(people):
    _, b = people
    user = make_user(Role.COUNTY_STAFF, "140902")
    assert list(search_persons(user, "李四").persons) == []
    assert list(search_persons(user, decrypt(b.id_number_encrypted)).persons) == []


def test_results_show_county_and_age(client, people):
    from tests.factories import PASSWORD

    user = make_user(Role.COUNTY_STAFF, "140902")
    client.login(username=user.username, password=PASSWORD)
    response = client.post("/search/", {"q": "张三"}, follow=True)
    html = response.content.decode()
    a, _ = people
    assert "忻府区" in html and f"<td>{a.age}</td>" in html
