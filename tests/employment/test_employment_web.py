"""The employment pages: region scope (404 across counties), the declaration with its reasons in
Chinese, web entry and correction (audited), the certificate PDF, the tax list, the findings page
and the federation staff ratio."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from huican.core.audit import AuditEntry
from huican.employment.models import Declaration, DeclaredPerson, FederationStaff
from tests.factories import (
    World,
    credit_code,
    declare,
    id_number,
    id_number_of,
    make_declaration,
    make_levy_standard,
    make_list_record,
)
from tests.tagged_pdfs import read_tagged

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = World()
    make_levy_standard()
    make_list_record("pension", world.alice, year=2025, category="职工")
    world.xinfu = make_declaration(name="忻府甲公司", region_code="140902", staff="100", average_wage="90000")
    declare(world.xinfu, world.alice, start=dt.date(2024, 1, 1))
    declare(world.xinfu, world.bob, start=dt.date(2024, 1, 1))  # no pension record
    world.yuanping = make_declaration(name="原平乙公司", region_code="140981")
    declare(world.yuanping, world.bob, start=dt.date(2024, 1, 1))  # declared twice
    return world


def _client(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


def test_county_staff_see_their_county_only(world):
    county = _client(world, "county")
    page = county.get("/employment/?year=2025").content.decode()
    assert "忻府甲公司" in page and "原平乙公司" not in page
    assert county.get(f"/employment/declarations/{world.yuanping.pk}/").status_code == 404
    assert county.get(f"/employment/declarations/{world.yuanping.pk}/certificate.pdf").status_code == 404
    assert county.get(f"/employment/declarations/{world.yuanping.pk}/edit/").status_code == 404
    city = _client(world, "city").get("/employment/?year=2025").content.decode()
    assert "忻府甲公司" in city and "原平乙公司" in city


def test_roles_without_the_right_are_refused(world):
    for role in ("department", "evaluator", "system"):
        assert _client(world, role).get("/employment/").status_code == 403
    assert _client(world, "township").get("/employment/new/").status_code == 403
    assert Client().get("/employment/").status_code == 302


def test_declaration_page_shows_each_reason_in_chinese(world):
    page = _client(world, "county").get(f"/employment/declarations/{world.xinfu.pk}/").content.decode()
    assert "另一单位同年度也申报了此人" in page
    assert "本年度没有职工养老保险参保缴费记录" in page
    assert "已达到安排比例" in page
    assert world.alice.id_masked in page


def test_certificate_pdf_is_audited(world):
    response = _client(world, "county").get(f"/employment/declarations/{world.xinfu.pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="employment.certificate", object_id=str(world.xinfu.pk)).exists()


def test_certificate_pdf_is_tagged_with_its_figures_and_persons(world):
    response = _client(world, "county").get(f"/employment/declarations/{world.xinfu.pk}/certificate.pdf")
    paper = read_tagged(response.content)  # zh-CN, marked, structure tree, fonts embedded
    assert paper.title == "按比例安排残疾人就业审核确认书（忻府甲公司，2025 年度）"
    assert paper.kinds["/H1"] == 1 and paper.kinds["/Table"] == 2
    assert paper.kinds["/TH"] >= 10 + 6 and paper.kinds["/TD"] >= 10 + 2 * 5  # row and column headers
    assert paper.kinds["/Caption"] == 1
    text = paper.text
    for expected in (
        "按比例安排残疾人就业审核确认书",
        "统一社会信用代码",
        "单位名称",
        "忻府甲公司",
        "在职职工人数",
        "应安排残疾人就业人数",
        "已安排（审核确认）人数",
        "实际安排比例",
        "计征工资基数（元）",
        "审核结论",
        "应缴残疾人就业保障金（元）",
        "申报的残疾职工审核情况",
        "不计入的原因",
        "本年度没有职工养老保险参保缴费记录",
        world.alice.id_masked,
        world.bob.id_masked,
        "残疾人联合会",
    ):
        assert expected in text, expected
    assert id_number_of(world.alice) not in text


def test_tax_list_has_one_row_per_employer_in_scope(world, tmp_path):
    response = _client(world, "county").get("/employment/tax.xlsx?year=2025")
    path = tmp_path / "tax.xlsx"
    path.write_bytes(response.content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == [
        "统一社会信用代码",
        "单位名称",
        "在职职工人数",
        "应安排人数",
        "已安排人数",
        "计征工资基数（元）",
        "应缴残保金（元）",
    ]
    assert rows[1][:2] == [world.xinfu.credit_code, "忻府甲公司"]
    assert rows[1][2:] == [100, 1.5, 2, 90000, 0]  # alice (grade 2) counts twice; bob is declared twice
    assert len(rows) == 2


def test_web_entry_creates_and_replaces_a_declaration(world):
    client = _client(world, "county")
    code = credit_code("91140902MA0H54321")
    stranger = id_number("140902", dt.date(1988, 8, 8), 17)
    form = {
        "credit_code": code,
        "year": "2025",
        "name": "新公司",
        "unit_type": "企业",
        "staff": "45.5",
        "average_wage": "70000",
        "region_code": "140902",
        "established_posts": "",
        "is_school": "unknown",
        "persons": f"{id_number_of(world.alice)},测试甲,2024-01-01,\n{stranger},某人,2025-03-01,2026-02-28",
    }
    response = client.post("/employment/new/", form)
    declaration = Declaration.objects.get(credit_code=code, year=2025)
    assert (
        response.status_code == 302 and response["Location"] == f"/employment/declarations/{declaration.pk}/"
    )
    assert DeclaredPerson.objects.filter(declaration=declaration).count() == 2
    assert AuditEntry.objects.filter(action="employment.declaration_created").exists()
    # A correction keeping the persons (blank field), then one replacing them.
    client.post(f"/employment/declarations/{declaration.pk}/edit/", {**form, "staff": "50", "persons": ""})
    declaration.refresh_from_db()
    assert declaration.staff == 50 and declaration.persons.count() == 2
    client.post(
        f"/employment/declarations/{declaration.pk}/edit/",
        {**form, "persons": f"{stranger},某人,2025-03-01,"},
    )
    assert [p.contract_end for p in declaration.persons.all()] == [None]
    assert AuditEntry.objects.filter(action="employment.declaration_replaced").count() == 2


def test_web_entry_refuses_bad_values_with_reasons(world):
    client = _client(world, "county")
    response = client.post(
        "/employment/new/",
        {
            "credit_code": "91140902MA0H543210",
            "year": "2025",
            "name": "坏",
            "unit_type": "企业",
            "staff": "1.25",
            "average_wage": "1",
            "region_code": "140902",
            "is_school": "unknown",
            "persons": "140902198808081234,某,2025-05-01,2025-04-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码不正确" in page and "最多保留一位小数" in page
    assert not Declaration.objects.filter(name="坏").exists()


def test_county_staff_cannot_enter_another_county(world):
    response = _client(world, "county").post(
        "/employment/new/",
        {
            "credit_code": credit_code("91140981MA0H54321"),
            "year": "2025",
            "name": "外县",
            "unit_type": "企业",
            "staff": "40",
            "average_wage": "1",
            "region_code": "140981",
            "is_school": "unknown",
            "persons": "",
        },
    )
    assert response.status_code == 200
    assert not Declaration.objects.filter(name="外县").exists()


def test_findings_page_shows_both_sides_and_the_pension_pattern(world):
    page = _client(world, "city").get("/employment/findings/?year=2025").content.decode()
    assert "重复申报" in page and "忻府甲公司" in page and "原平乙公司" in page
    # one 重复申报 finding listing both employers, and bob has no 职工 pension: 疑似挂靠 at each employer
    assert page.count(world.bob.id_masked) == 3
    assert page.count("疑似挂靠（无职工养老保险记录）") == 2
    assert world.alice.id_masked not in page  # insured, declared once: no finding


def test_federation_staff_ratio(world):
    client = _client(world, "county")
    response = client.post(
        "/employment/federation/",
        {"county_code": "140902", "year": "2025", "staff": "20", "disabled_staff": "3"},
    )
    assert response.status_code == 302
    assert FederationStaff.objects.get(county_code="140902").disabled_staff == 3
    page = client.get("/employment/federation/").content.decode()
    assert "15.00" in page and "达到" in page
    client.post(
        "/employment/federation/",
        {"county_code": "140981", "year": "2025", "staff": "20", "disabled_staff": "3"},
    )
    assert not FederationStaff.objects.filter(county_code="140981").exists()


def test_public_employer_below_quota_on_the_findings_page(world):
    make_declaration(name="某局", unit_type="机关", staff="60", established_posts=55, region_code="140902")
    make_declaration(name="某小局", unit_type="机关", staff="60", established_posts=49, region_code="140902")
    page = _client(world, "county").get("/employment/findings/?year=2025").content.decode()
    assert "某局" in page and "某小局" not in page
    assert "党政机关、事业单位未安排残疾人就业</th>" in page
