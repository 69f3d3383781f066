"""One person's decisions through the web person page, `GET /api/v1/persons/{id}/decisions` and
`huican eligibility --region`: the same decision and amount per benefit (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from huican.accounts.models import Role, User
from huican.api import api_token_create
from huican.cli import main
from huican.policy.rules import BENEFIT_NAMES, BENEFITS
from tests.factories import id_number_of, make_list_record, make_person, make_standard, make_survey

ON = "2025-06-30"


def money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_one_persons_decisions_are_the_same_three_ways(client: Any, capsys: Any) -> None:
    make_standard(topup_rate="0.05", urban_dibao="615.30")
    person = make_person(grade=1, urban_rural="城镇", region_code="140981002003", birth=dt.date(1990, 1, 1))
    make_person(grade=3, category=5, region_code="140981001001", birth=dt.date(1970, 1, 1))
    make_survey(person, year=2025, income="1000.00", long_term_care=True)
    make_list_record("dibao", person, start=dt.date(2024, 1, 1))
    make_list_record("elderly_care", person, start=dt.date(2024, 1, 1))
    staff = User.objects.create_user(username="yp", password="x", role=Role.COUNTY_STAFF, region_id="140981")

    client.force_login(staff)
    page = client.get(f"/persons/{person.pk}/", {"on": ON})
    assert page.status_code == 200
    web = {row["benefit"]: (row["decision"], money(row["amount"])) for row in page.context["decisions"]}

    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=staff, name='测试')[1]}"}
    answer = client.get(f"/api/v1/persons/{person.pk}/decisions", {"on": ON}, **headers)
    assert answer.status_code == 200
    api = {BENEFIT_NAMES[r["benefit"]]: (r["decision"], money(r["amount"])) for r in answer.json()}

    assert main(["eligibility", "--on", ON, "--region", "140981"]) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r["id_number"] == id_number_of(person)]
    cli = {BENEFIT_NAMES[r["benefit"]]: (r["decision"], money(r["amount"])) for r in rows}

    assert len(cli) == len(BENEFITS) and cli[BENEFIT_NAMES["dibao_topup"]] == ("eligible", Decimal("30.77"))
    assert web == api == cli
