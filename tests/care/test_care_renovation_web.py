"""A household's 无障碍改造 project on the web: application → home assessment → construction →
acceptance (in order, dated, the cost at the acceptance), photos per stage stored encrypted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from huican.care.models import RenovationPhoto, RenovationProject, ServiceRecord
from huican.core.models import AuditEntry
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"kitchen-ramp-photo"


@pytest.fixture
def project(staff_client, person):
    response = staff_client.post(
        f"/care/persons/{person.pk}/new/renovation/",
        {"applied_on": "2025-01-10", "organisation": "忻府区残联", "project": "卫生间扶手、坡道"},
    )
    assert response.status_code == 302
    return RenovationProject.objects.get()


def stage(client, project, name: str, **fields):
    return client.post(f"/care/renovations/{project.pk}/stage/", {"stage": name, **fields})


def test_the_project_goes_through_its_stages_in_order(staff_client, project, person):
    record = project.record
    assert (project.stage, project.household_number, record.kind, record.result) == (
        "application", person.household_number, "无障碍改造", "进行中",
    )  # fmt: skip
    assert stage(staff_client, project, "construction", on="2025-02-01", contractor="X").status_code == 400
    assert (
        stage(staff_client, project, "assessment", on="2025-01-01").status_code == 400
    )  # before the application
    assert stage(staff_client, project, "assessment", on="2025-02-01", notes="加装扶手").status_code == 302
    assert stage(staff_client, project, "construction", on="2025-03-01").status_code == 400  # no contractor
    assert (
        stage(staff_client, project, "construction", on="2025-03-01", contractor="安居施工队").status_code
        == 302
    )
    assert stage(staff_client, project, "acceptance", on="2025-04-20").status_code == 400  # no cost
    assert stage(staff_client, project, "acceptance", on="2025-04-20", cost="8650.00").status_code == 302

    project.refresh_from_db()
    record.refresh_from_db()
    assert (project.stage, project.assessed_on, project.construction_started_on, project.accepted_on) == (
        "acceptance", dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 4, 20),
    )  # fmt: skip
    assert (project.assessment_notes, project.contractor, str(project.cost)) == (
        "加装扶手",
        "安居施工队",
        "8650.00",
    )
    # completed on the acceptance day, with its cost
    assert (record.result, record.service_date, str(record.amount)) == (
        "完成",
        dt.date(2025, 4, 20),
        "8650.00",
    )
    assert AuditEntry.objects.filter(action="care.renovation_stage").count() == 3
    page = staff_client.get(f"/care/renovations/{project.pk}/").content.decode()
    assert "2025-04-20" in page and "安居施工队" in page and "登记入户评估" not in page
    assert stage(staff_client, project, "acceptance", on="2025-04-21", cost="1").status_code == 400


def test_one_open_project_per_household(staff_client, project, person):
    member = make_person(region_code="140902001001", household_number=person.household_number)
    response = staff_client.post(f"/care/persons/{member.pk}/new/renovation/", {"applied_on": "2025-02-10"})
    assert response.status_code == 400 and "未验收" in response.content.decode()
    assert RenovationProject.objects.count() == 1
    # the household's project shows on each member's page
    assert (
        f"/care/renovations/{project.pk}/" in staff_client.get(f"/care/persons/{member.pk}/").content.decode()
    )


def test_photos_are_encrypted_at_rest_and_their_views_audited(staff_client, project, tmp_var):
    upload = tmp_var / "ramp.png"
    upload.write_bytes(PNG)
    with upload.open("rb") as f:
        response = staff_client.post(
            f"/care/renovations/{project.pk}/photos/", {"file": f, "caption": "改造前"}
        )
    assert response.status_code == 302
    photo = RenovationPhoto.objects.get()
    assert (photo.stage, photo.caption, photo.content_type) == ("application", "改造前", "image/png")
    stored = Path(settings.MEDIA_ROOT) / "care" / photo.stored_name
    assert stored.exists() and b"kitchen-ramp-photo" not in stored.read_bytes()

    download = staff_client.get(f"/care/renovations/{project.pk}/photos/{photo.pk}/")
    assert download.content == PNG and download["Content-Type"] == "image/png"
    assert AuditEntry.objects.filter(action="care.renovation_photo_view").exists()

    text = tmp_var / "note.txt"
    text.write_text("not a photo")
    with text.open("rb") as f:
        refused = staff_client.post(f"/care/renovations/{project.pk}/photos/", {"file": f})
    assert refused.status_code == 400 and RenovationPhoto.objects.count() == 1


def test_a_project_outside_the_region_is_a_404(client, project, db):
    from huican.accounts.models import Role
    from tests.factories import make_user

    other = make_user(Role.COUNTY_STAFF, "140981", username="yuanping")
    client.logout()
    client.login(username=other.username, password=PASSWORD)
    assert client.get(f"/care/renovations/{project.pk}/").status_code == 404
    assert client.get(f"/care/services/{project.record_id}/").status_code == 404
    assert ServiceRecord.objects.count() == 1
