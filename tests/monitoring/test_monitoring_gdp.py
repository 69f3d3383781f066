from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from huican.accounts.models import Role, User
from huican.core.models import AuditEntry
from huican.monitoring.services import MonitoringError, gdp_growth_set


@pytest.mark.django_db
def test_city_staff_enter_gdp_growth_audited():
    staff = User.objects.create_user(username="city", password="x", role=Role.CITY_STAFF, region_id="140900")

    gdp_growth_set(year=2024, rate_percent="5.1", actor=staff, source="统计公报")
    entry = gdp_growth_set(year=2024, rate_percent=Decimal("5.30"), actor=staff)

    assert entry.rate_percent == Decimal("5.30")
    audits = AuditEntry.objects.filter(action="monitoring.gdp_growth").order_by("sequence")
    assert [a.detail["after"] for a in audits] == ["5.10", "5.30"]
    assert audits.last().detail["before"] == "5.10"


@pytest.mark.django_db
def test_gdp_growth_needs_city_staff_and_a_number():
    county = User.objects.create_user(
        username="county", password="x", role=Role.COUNTY_STAFF, region_id="140902"
    )
    with pytest.raises(PermissionDenied):
        gdp_growth_set(year=2024, rate_percent="5", actor=county)
    with pytest.raises(MonitoringError):
        gdp_growth_set(year=2024, rate_percent="五", actor="cli")
