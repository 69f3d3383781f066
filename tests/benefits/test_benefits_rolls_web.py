"""The roll pages: the draft computed in the background with its progress, who may see and approve
which roll, the confirmation naming the totals, an approved roll shown from what was stored, and its
exports (.xlsx for signing, the bank file) with their permissions and audit entries."""

from __future__ import annotations

import csv
import io
import re

import pytest
from python_calamine import CalamineWorkbook

from huican.accounts.models import Role
from huican.benefits.models import Application, Entitlement, Roll, RollLine
from huican.core import tasks
from huican.core.audit import AuditEntry
from huican.core.crypto import encrypt
from huican.core.models import Job
from huican.registry.models import Person
from tests.benefits.web_world import load_small_world, roll_users
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path):
    return load_small_world(tmp_path)


@pytest.fixture
def users(world):
    return roll_users()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def draft(client, user, month="2025-03", region="140902") -> Job:
    login(client, user)
    response = client.post("/benefits/rolls/", {"month": month, "region": region})
    assert response.status_code == 302, response.content.decode()[:2000]
    job_id = int(re.search(r"/rolls/draft/(\d+)/", response["Location"]).group(1))
    return Job.objects.get(pk=job_id)


def person(world, key) -> Person:
    return Person.objects.get(name=f"测试{key}")


def test_the_draft_is_computed_in_the_background_and_shown_with_masked_ids(client, world, users):
    login(client, users["county"])
    with tasks.always_queue():
        response = client.post("/benefits/rolls/", {"month": "2025-03", "region": "140902"})
    job = Job.objects.get(pk=int(re.search(r"/draft/(\d+)/", response["Location"]).group(1)))
    assert job.status == Job.Status.PENDING and job.kind == "benefits.roll_draft"
    waiting = client.get(response["Location"])
    assert waiting.status_code == 200
    page = waiting.content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page
    assert tasks.run_job(job.pk) == Job.Status.DONE
    page = client.get(response["Location"]).content.decode()
    a, b, f = (world.persons[k] for k in "ABF")
    assert not {a, b, f} & set(re.findall(r"\d{17}[\dX]", page))  # masked: no full ID numbers
    assert a not in page and f"{a[:4]}**********{a[-4:]}" in page  # masked: no full ID numbers
    assert "测试A" in page and "2024-11：100.00" in page and "530.00" in page
    assert "停发" in page and "不符合：持有效残疾人证" in page  # B died
    assert "暂缓" in page and "择高享受待确认" in page  # F
    assert "2025-01、2025-02" in page and "200.00" in page  # B's recovery
    assert "资金申请汇总" in page
    # the county staff sees no approve button
    assert "/approve/" not in page
    summary = Job.objects.get(pk=job.pk).result
    assert (summary["pay"], summary["hold"], summary["stop"], summary["paid_total"]) == (1, 1, 1, "530.00")
    # only pay lines when filtered
    paying = client.get(response["Location"] + "?status=pay").content.decode()
    assert "测试A" in paying and "测试F" not in paying
    assert paying.count("测试B") == 1 and page.count("测试B") == 2  # B's recovery stays listed


def test_full_ids_for_users_allowed_them(client, world, users):
    job = draft(client, users["county_full"])
    page = client.get(f"/benefits/rolls/draft/{job.pk}/").content.decode()
    assert world.persons["A"] in page


def test_who_may_see_and_approve_a_draft(client, world, users):
    job = draft(client, users["county"])
    url = f"/benefits/rolls/draft/{job.pk}/"
    for key in ("county", "city"):  # they see it, but may not approve
        login(client, users[key])
        assert client.get(url).status_code == 200
        assert client.get(url + "approve/").status_code == 403
        assert client.post(url + "approve/", {"expected_total": "530.00", "confirm": "on"}).status_code == 403
    for key in ("township", "other_county", "other_officer"):  # a wider or another region: not there
        login(client, users[key])
        assert client.get(url).status_code == 404
        assert client.get(url + "approve/").status_code == 404
    # a township clerk may not even draft the county's roll
    login(client, users["township"])
    assert client.post("/benefits/rolls/", {"month": "2025-03", "region": "140902"}).status_code == 400
    # the city's draft is not a county officer's to approve
    city_job = draft(client, users["city"], region="140900")
    login(client, users["officer"])
    assert client.get(f"/benefits/rolls/draft/{city_job.pk}/").status_code == 404
    assert Roll.objects.count() == 0


def test_the_officer_approves_after_a_confirmation_naming_the_totals(client, world, users):
    job = draft(client, users["officer"])
    page = client.get(f"/benefits/rolls/draft/{job.pk}/").content.decode()
    assert f"/benefits/rolls/draft/{job.pk}/approve/" in page
    confirm = client.get(f"/benefits/rolls/draft/{job.pk}/approve/").content.decode()
    assert "发放合计 530.00 元" in confirm and "合计 200.00 元" in confirm
    unchecked = client.post(f"/benefits/rolls/draft/{job.pk}/approve/", {"expected_total": "530.00"})
    assert unchecked.status_code == 400 and "请勾选确认" in unchecked.content.decode()
    assert Roll.objects.count() == 0
    done = client.post(
        f"/benefits/rolls/draft/{job.pk}/approve/", {"expected_total": "530.00", "confirm": "on"}, follow=True
    )
    roll = Roll.objects.get()
    assert (roll.region_code, f"{roll.month:%Y-%m}", roll.paid_total) == ("140902", "2025-03", 530)
    assert roll.approved_by == users["officer"]
    assert done.redirect_chain[-1][0] == f"/benefits/rolls/{roll.pk}/"
    assert "发放名册已审批" in done.content.decode()
    assert AuditEntry.objects.filter(action="benefits.roll_approve", object_id=str(roll.pk)).count() == 1
    # a second approval of the month is refused, and the refusal is shown
    again = client.post(
        f"/benefits/rolls/draft/{job.pk}/approve/", {"expected_total": "530.00", "confirm": "on"}, follow=True
    )
    assert "未能审批" in again.content.decode() and "已审批" in again.content.decode()
    assert Roll.objects.count() == 1


def test_the_approval_says_when_the_data_changed_since_the_draft(client, world, users):
    job = draft(client, users["officer"])
    Entitlement.objects.filter(person=person(world, "A")).update(start_month="2025-01-01")
    done = client.post(
        f"/benefits/rolls/draft/{job.pk}/approve/", {"expected_total": "530.00", "confirm": "on"}, follow=True
    )
    page = done.content.decode()
    assert Roll.objects.get().paid_total == 330  # 110 + arrears 2025-01 and 2025-02
    assert "330.00" in page and "530.00" in page and "不同" in page


def approve(client, users) -> Roll:
    job = draft(client, users["officer"])
    client.post(f"/benefits/rolls/draft/{job.pk}/approve/", {"expected_total": "530.00", "confirm": "on"})
    return Roll.objects.get()


def test_an_approved_roll_is_shown_from_what_was_stored(client, world, users):
    roll = approve(client, users)
    lines_before = list(RollLine.objects.filter(roll=roll).values_list("person_id", "status", "total"))
    # the data change after approval: A's entitlement is stopped before March
    Entitlement.objects.filter(person=person(world, "A")).update(end_month="2025-01-01")
    page = client.get(f"/benefits/rolls/{roll.pk}/").content.decode()
    assert "已审批" in page and "530.00" in page and "2024-11：100.00" in page
    assert (
        list(RollLine.objects.filter(roll=roll).values_list("person_id", "status", "total")) == lines_before
    )
    # a new draft sees the change; the approved roll does not
    login(client, users["county"])
    assert "/benefits/rolls/" in client.get("/benefits/rolls/").content.decode()
    assert client.get(f"/benefits/rolls/{roll.pk}/").status_code == 200
    for key in ("other_county", "other_officer"):
        login(client, users[key])
        assert client.get(f"/benefits/rolls/{roll.pk}/").status_code == 404
        assert client.post(f"/benefits/rolls/{roll.pk}/export/xlsx/").status_code == 404


def test_the_xlsx_export(client, world, users, tmp_path):
    roll = approve(client, users)
    login(client, users["county"])
    response = client.post(f"/benefits/rolls/{roll.pk}/export/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "roll.xlsx"
    path.write_bytes(response.content)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["发放名册", "追缴", "资金申请汇总"]
    rows = book.get_sheet_by_name("发放名册").to_python()
    assert "2025年03月" in rows[0][0] and "发放名册" in rows[0][0]
    header = rows[3]
    assert header[:3] == ["序号", "姓名", "公民身份号码"]
    body = {r[1]: r for r in rows[4:] if r[1] in ("测试A", "测试B", "测试F")}
    a = world.persons["A"]
    assert body["测试A"][2] == f"{a[:4]}**********{a[-4:]}"  # masked for staff without full rights
    assert (body["测试A"][6], body["测试A"][9]) == ("发放", 530.0)
    assert "2024-11：100.00" in body["测试A"][8]
    assert body["测试B"][6] == "停发" and "持有效残疾人证" in body["测试B"][10]
    flat = [str(c) for r in rows for c in r]
    assert any(c.startswith("制表人：cl_xinfu") for c in flat)
    assert any(c.startswith("审核人：") for c in flat)
    assert any(c == "审批人：mz_xinfu" for c in flat)
    assert sum(1 for c in flat if c.startswith("日期：")) == 3
    recoveries = book.get_sheet_by_name("追缴").to_python()
    assert recoveries[1][1:] == [
        "测试B",
        f"{world.persons['B'][:4]}**********{world.persons['B'][-4:]}",
        "困难残疾人生活补贴",
        "2025-01、2025-02",
        200.0,
    ]
    totals = [r[:4] for r in book.get_sheet_by_name("资金申请汇总").to_python() if r and r[0] == "合计"]
    assert totals == [["合计", "困难残疾人生活补贴", 1.0, 530.0]]
    entry = AuditEntry.objects.get(action="export.roll_xlsx")
    assert entry.detail["full_id_numbers"] is False and entry.detail["rows"] == 3
    # full ID numbers only when asked by someone allowed them
    assert world.persons["A"].encode() not in response.content
    client.post(f"/benefits/rolls/{roll.pk}/export/xlsx/", {"full": "1"})
    assert AuditEntry.objects.filter(action="export.roll_xlsx").last().detail["full_id_numbers"] is False
    login(client, users["county_full"])
    full = client.post(f"/benefits/rolls/{roll.pk}/export/xlsx/", {"full": "1"})
    path.write_bytes(full.content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("发放名册").to_python()
    assert a in [r[2] for r in rows]
    assert AuditEntry.objects.filter(action="export.roll_xlsx").last().detail["full_id_numbers"] is True


def test_the_bank_file(client, world, users):
    a = person(world, "A")
    Application.objects.create(
        person=a,
        benefit="nursing_subsidy",
        applied_on="2025-02-01",
        status=Application.Status.APPROVED,
        decided_on="2025-02-20",
        county_code="140902",
        account_name="=HYPERLINK(1)",
        account_encrypted=encrypt("6222020200112233445"),
        account_masked="****3445",
    )
    roll = approve(client, users)
    for key in ("county", "township"):
        login(client, users[key])
        assert client.post(f"/benefits/rolls/{roll.pk}/export/bank/").status_code == 403
    assert not AuditEntry.objects.filter(action="export.roll_bank").exists()
    for key in ("officer", "county_full", "city"):
        login(client, users[key])
        response = client.post(f"/benefits/rolls/{roll.pk}/export/bank/")
        assert response.status_code == 200
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == [
            ["户名", "公民身份号码", "账号", "金额"],
            ["'=HYPERLINK(1)", world.persons["A"], "6222020200112233445", "530.00"],
        ]
    entry = AuditEntry.objects.filter(action="export.roll_bank").last()
    assert entry.detail == {"month": "2025-03", "rows": 1, "full_id_numbers": True}
    login(client, users["officer"])
    page = client.get(f"/benefits/rolls/{roll.pk}/").content.decode()
    assert "银行代发文件" in page
    login(client, users["county"])
    assert "银行代发文件" not in client.get(f"/benefits/rolls/{roll.pk}/").content.decode()


def test_the_bank_file_names_the_person_without_an_account(client, world, users):
    roll = approve(client, users)
    login(client, users["officer"])
    response = client.post(f"/benefits/rolls/{roll.pk}/export/bank/")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["测试A", world.persons["A"], "", "530.00"]


def test_an_unknown_export_kind_is_not_found(client, world, users):
    roll = approve(client, users)
    login(client, users["officer"])
    assert client.post(f"/benefits/rolls/{roll.pk}/export/pdf/").status_code == 404


def test_other_roles_see_no_rolls(client, world):
    evaluator = make_user(Role.EVALUATOR, "140900", username="eval")
    login(client, evaluator)
    assert client.get("/benefits/rolls/").status_code == 403
