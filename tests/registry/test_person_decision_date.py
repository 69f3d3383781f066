"""The person page shows the decisions on a date the user picks."""

from __future__ import annotations

import pytest

from tests.factories import World

pytestmark = pytest.mark.django_db


def test_it_decides_on_the_picked_date(client) -> None:
    world = World()
    client.force_login(world.users["city"])
    response = client.get(f"/persons/{world.alice.pk}/", {"on": "2023-06-30"})
    assert response.status_code == 200
    assert "待遇资格判定（2023-06-30）" in response.content.decode()


@pytest.mark.parametrize("value", ["2023-13-01", "abc", "1800-01-01", "9999-01-01"])
def test_a_bad_date_falls_back_to_today_with_a_message(client, value: str) -> None:
    world = World()
    client.force_login(world.users["city"])
    response = client.get(f"/persons/{world.alice.pk}/", {"on": value})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and "按今天判定" in body
