"""Pages of proportional-employment verification: the employers of a year in the user's region,
one declaration with each person's verification, web entry and correction, the certificate (PDF),
the tax bureau's list (xlsx), the employment findings and the county federations' staff ratio."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.core.crypto import decrypt_many
from huican.employment import papers, selectors
from huican.employment.findings import FINDINGS, employment_findings
from huican.employment.forms import REGION_CHOICES, DeclarationForm, FederationStaffForm
from huican.employment.models import DeclaredPerson
from huican.employment.services import DeclarationInvalid, save_declaration, save_federation_staff
from huican.employment.verification import REASONS, STATUSES, levy
from huican.regions.divisions import CITY_CODE, COUNTIES

FEDERATION_TARGET = 15  # % of a county federation's staff who are disabled persons


def _viewer(request: HttpRequest) -> Any:
    user: Any = request.user
    if not can(user, "view_employment"):
        raise PermissionDenied(_("您的角色无权查看按比例就业审核"))
    return user


def _manager(request: HttpRequest) -> Any:
    user: Any = request.user
    if not can(user, "manage_employment"):
        raise PermissionDenied(_("您的角色无权填报或更正申报"))
    return user


def _year(request: HttpRequest, user: Any) -> int:
    years = selectors.years_for(user)
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return years[0] if years else timezone.localdate().year - 1


def _regions(user: Any) -> list[str]:
    prefix = region_prefix_for(user) or "-"
    return [code for code, _ in REGION_CHOICES if code.startswith(prefix)]


def _elements(user: Any, year: int) -> list[dict[str, Any]]:
    prefix = region_prefix_for(user)
    if prefix is None or not selectors.declarations_for(user).filter(year=year).exists():
        return []
    return levy(year=year, region=prefix, with_ids=False)


def _county_names() -> dict[str, str]:
    return {CITY_CODE: "市本级", **{code: name for code, name, _ in COUNTIES}}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    year = _year(request, user)
    elements = _elements(user, year)
    names = _county_names()
    rows = [
        {
            **e,
            "declaration_id": e["_declaration_id"],
            "status_label": STATUSES[e["status"]],
            "county_name": names.get(e["county"], e["county"]),
        }
        for e in elements
    ]
    return render(
        request,
        "employment/index.html",
        {
            "year": year,
            "years": selectors.years_for(user),
            "rows": rows,
            "total_due": sum(e["_due"].due for e in elements),
            "may_manage": can(user, "manage_employment"),
        },
    )


def _persons(declaration_id: int, element: dict[str, Any]) -> list[dict[str, Any]]:
    stored = {p.pk: p for p in DeclaredPerson.objects.filter(declaration_id=declaration_id)}
    out = []
    for declared_id, person in zip(element["_declared_ids"], element["persons"], strict=True):
        row = stored[declared_id]
        out.append(
            {
                **person,
                "name": row.name,
                "id_masked": row.id_masked,
                "contract_start": row.contract_start,
                "contract_end": row.contract_end,
                "reason_labels": [REASONS[r] for r in person["reasons"]],
            }
        )
    return out


@login_required
@require_GET
def declaration(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    found = selectors.declaration_for(user, pk)
    (element,) = levy(year=found.year, declaration_ids=[found.pk], with_ids=False)
    return render(
        request,
        "employment/declaration.html",
        {
            "declaration": found,
            "element": {**element, "status_label": STATUSES[element["status"]]},
            "persons": _persons(found.pk, element),
            "county_name": _county_names().get(found.region_code, found.region_code),
            "may_manage": can(user, "manage_employment"),
        },
    )


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    found = selectors.declaration_for(user, pk)
    (element,) = levy(year=found.year, declaration_ids=[found.pk], with_ids=False)
    pdf = papers.certificate_pdf(element, _persons(found.pk, element), today=timezone.localdate())
    audit_record(
        actor=user,
        action="employment.certificate",
        object_type="employment_declaration",
        object_id=found.pk,
        region_code=found.region_code,
        detail={"credit_code": found.credit_code, "year": found.year},
        ip_address=client_ip(request),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = quote(f"按比例就业审核确认书-{found.credit_code}-{found.year}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_GET
def tax_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    year = _year(request, user)
    elements = _elements(user, year)
    data = papers.tax_workbook(elements)
    audit_record(
        actor=user,
        action="employment.tax_list",
        object_type="employment_year",
        object_id=year,
        region_code=region_prefix_for(user) or "",
        detail={"employers": len(elements)},
        ip_address=client_ip(request),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = quote(f"残保金审核结果-{year}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _declaration_form(
    request: HttpRequest, user: Any, initial: dict[str, Any], pk: int | None
) -> HttpResponse:
    form = DeclarationForm(
        request.POST or None, initial=initial, regions=_regions(user), keep_blank=pk is not None
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_declaration(actor=user, entry=form.entry())
        except DeclarationInvalid as exc:
            for key, reasons in exc.errors.items():
                field = key if key in form.fields else "persons"
                prefix = "" if field == key else f"{key}："
                for reason in reasons:
                    form.add_error(field, prefix + reason)
        else:
            return redirect("employment:declaration", pk=saved.pk)
    return render(request, "employment/declaration_form.html", {"form": form, "pk": pk})


@login_required
@require_http_methods(["GET", "POST"])
def declaration_new(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    return _declaration_form(request, user, {"year": timezone.localdate().year - 1}, None)


@login_required
@require_http_methods(["GET", "POST"])
def declaration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    found = selectors.declaration_for(user, pk)
    # Full ID numbers are shown only to a user who may see them; otherwise the persons field starts
    # blank and, left blank, keeps the persons declared (docs/decisions.md).
    lines = ""
    if can(user, "view_full_id"):
        persons = list(found.persons.all())
        numbers = decrypt_many(p.id_number_encrypted for p in persons)
        lines = "\n".join(
            ",".join(
                [
                    number,
                    p.name,
                    p.contract_start.isoformat(),
                    p.contract_end.isoformat() if p.contract_end else "",
                ]
            )
            for number, p in zip(numbers, persons, strict=True)
        )
    initial = {
        "credit_code": found.credit_code,
        "year": found.year,
        "name": found.name,
        "unit_type": found.unit_type,
        "staff": f"{found.staff.normalize():f}",
        "average_wage": f"{found.average_wage:f}",
        "region_code": found.region_code,
        "established_posts": found.established_posts,
        "is_school": found.is_school,
        "persons": lines,
    }
    return _declaration_form(request, user, initial, pk)


@login_required
@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    year = _year(request, user)
    elements = _elements(user, year)
    ids = [i for e in elements for i in e["_declared_ids"]]
    names = {
        pk: {"name": name, "id_masked": masked, "id_hash": id_hash}
        for pk, name, masked, id_hash in DeclaredPerson.objects.filter(id__in=ids).values_list(
            "id", "name", "id_masked", "id_hash"
        )
    }
    found = employment_findings(elements, names)
    return render(
        request,
        "employment/findings.html",
        {"year": year, "years": selectors.years_for(user), "findings": found, "labels": FINDINGS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def federation(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    may_manage = can(user, "manage_employment")
    regions = [code for code in _regions(user) if code != CITY_CODE]
    form = FederationStaffForm(request.POST or None, regions=regions) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的角色无权填报"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_federation_staff(
                    actor=user,
                    county_code=data["county_code"],
                    year=data["year"],
                    staff=data["staff"],
                    disabled_staff=data["disabled_staff"],
                )
            except DeclarationInvalid as exc:
                form.add_error("disabled_staff", "；".join(exc.errors["disabled_staff"]))
            else:
                return redirect("employment:federation")
    names = _county_names()
    rows = [
        {
            "county": names.get(r.county_code, r.county_code),
            "year": r.year,
            "staff": r.staff,
            "disabled_staff": r.disabled_staff,
            "ratio": round(100 * r.disabled_staff / r.staff, 2) if r.staff else None,
            "met": r.staff > 0 and 100 * r.disabled_staff >= FEDERATION_TARGET * r.staff,
        }
        for r in selectors.federation_staff_for(user)
    ]
    return render(
        request,
        "employment/federation.html",
        {"rows": rows, "form": form, "target": FEDERATION_TARGET},
    )
