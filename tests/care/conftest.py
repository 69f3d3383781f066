from __future__ import annotations

import datetime as dt

import pytest

from huican.accounts.models import Role
from tests.factories import PASSWORD, make_person, make_user


@pytest.fixture
def county(db):
    """忻府区 staff."""
    return make_user(Role.COUNTY_STAFF, "140902", username="care_county")


@pytest.fixture
def person(db):
    return make_person(region_code="140902001001", name="服务对象", birth=dt.date(1970, 3, 4))


@pytest.fixture
def staff_client(client, county):
    client.login(username=county.username, password=PASSWORD)
    return client
