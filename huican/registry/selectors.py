"""Reads of the registry, always through the access functions (region scope in the query)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from huican.accounts.access import can, region_prefix_for
from huican.core.crypto import blind_index, mask_id_number, mask_phone, phone_digits, phone_indexes
from huican.core.hooks import Hook
from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES, check_id_number, parse_certificate_number
from huican.regions.models import Region
from huican.registry.models import Person, Survey
from huican.registry.services import LABELS

_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_CERT_SHAPE = re.compile(r"^[0-9]{17}[0-9X][0-9]{2}$")
_SPACES = re.compile(r"[\s\u3000]+")
# A mobile number as typed (digits and dashes, a leading +86 or 86).
_MOBILE_SHAPE = re.compile(r"^(\+?86)?1[0-9\-]{10,13}$")
# A household number: letters, digits and dashes, with at least one digit (never a name).
_HOUSEHOLD_SHAPE = re.compile(r"^(?=.*[0-9])[A-Z0-9][A-Z0-9\-_]{2,63}$")

# Provided by the higher apps in their AppConfig.ready(): a person's rows in the departmental
# lists (exchange) and the policy's decisions about them (policy).
person_list_rows = Hook("registry.person_list_rows")
person_decisions = Hook("registry.person_decisions")


def person_scope_q(prefix: str) -> Q:
    """The region filter on Person, using the indexed county column where it is exact."""
    if len(prefix) == 6:
        return Q(county_code=prefix)
    if len(prefix) < 6:
        return Q(county_code__startswith=prefix)
    return Q(region__code__startswith=prefix)  # region_id; no join: code is the primary key


def persons_for(user: Any) -> QuerySet[Person]:
    """The registry persons the user may browse (none for roles that never see a person)."""
    prefix = region_prefix_for(user)
    if prefix is None:
        return Person.objects.none()
    if not can(user, "browse_registry"):
        return Person.objects.none()
    return Person.objects.filter(person_scope_q(prefix))


def aggregate_persons_for(user: Any) -> QuerySet[Person]:
    """Persons the user may count (never list): staff and evaluators, within their region."""
    prefix = region_prefix_for(user)
    if prefix is None:
        return Person.objects.none()
    if not can(user, "view_aggregates"):
        return Person.objects.none()
    return Person.objects.filter(person_scope_q(prefix))


def access_person_by_id(user: Any, person_id: int) -> Person:
    """The person, if the user may see them; otherwise Http404 (whether or not they exist)."""
    try:
        return persons_for(user).select_related("region").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该人员") from None


def valid_certificate_q(on: dt.date) -> Q:
    """Persons whose certificate is valid on `on` (RULES.md: status 正常, issued, not expired).

    Expiry is the issue date plus 10 years, so a certificate is valid while the issue date is
    after `on` minus 10 years (29 February handled as the rules say: expiry 1 March).
    """
    try:
        cutoff = on.replace(year=on.year - 10)
    except ValueError:  # `on` is 29 February: ten years earlier has no such day
        cutoff = dt.date(on.year - 10, 2, 28)
    status_normal_on = Q(status=Person.Status.NORMAL) | Q(status_date__gt=on)
    return status_normal_on & Q(issue_date__lte=on) & Q(issue_date__gt=cutoff)


@dataclass
class CountRow:
    code: str
    name: str
    total: int = 0
    by_category: dict[int, int] = field(default_factory=dict)
    by_grade: dict[int, int] = field(default_factory=dict)

    @property
    def categories(self) -> list[int]:
        return [self.by_category.get(c, 0) for c in CATEGORY_NAMES]

    @property
    def grades(self) -> list[int]:
        return [self.by_grade.get(g, 0) for g in GRADE_NAMES]


@dataclass
class CountTable:
    unit_label: str
    rows: list[CountRow]
    total: CountRow


def certified_counts(user: Any, *, on: dt.date) -> CountTable | None:
    """Certified persons (valid certificate on `on`) by the unit one level below the user's region,
    with the category and grade breakdown; None when the user may not see aggregates."""
    prefix = region_prefix_for(user)
    if prefix is None or not can(user, "view_aggregates"):
        return None
    persons = aggregate_persons_for(user)
    if len(prefix) <= 4:
        unit_field, unit_label = "county_code", "县（市、区）"
    elif len(prefix) == 6:
        unit_field, unit_label = "township_code", "乡镇（街道）"
    else:
        unit_field, unit_label = "region_id", "村（社区）"
    valid = persons.filter(valid_certificate_q(on))
    rows: dict[str, CountRow] = {}
    for item in valid.values(unit_field, "category").annotate(n=Count("id")).order_by():
        row = rows.setdefault(item[unit_field] or "", CountRow(item[unit_field] or "", ""))
        row.by_category[item["category"]] = item["n"]
        row.total += item["n"]
    for item in valid.values(unit_field, "grade").annotate(n=Count("id")).order_by():
        row = rows.setdefault(item[unit_field] or "", CountRow(item[unit_field] or "", ""))
        row.by_grade[item["grade"]] = item["n"]
    names = dict(Region.objects.filter(code__in=[c for c in rows if c]).values_list("code", "name"))
    for code, row in rows.items():
        row.name = names.get(code, "（未细分到下级区划）" if not code else code)
    total = CountRow("", "合计")
    for row in rows.values():
        total.total += row.total
        for key, n in row.by_category.items():
            total.by_category[key] = total.by_category.get(key, 0) + n
        for key, n in row.by_grade.items():
            total.by_grade[key] = total.by_grade.get(key, 0) + n
    return CountTable(unit_label, sorted(rows.values(), key=lambda r: (r.code == "", r.code)), total)


@dataclass
class SearchResult:
    mode: str  # "id", "certificate", "phone", "household", "name" or "" (nothing searched)
    persons: QuerySet[Person]
    problem: str = ""
    audit_query: str = ""  # what the audit log keeps: ID numbers masked


def normalise_query(text: str) -> str:
    """Spaces out, letters upper-case, full-width digits and letters as ASCII (NFKC)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).upper()


def _mobile(query: str) -> str:
    """The 11 digits of a mobile number, or "" when the query is not one."""
    if not _MOBILE_SHAPE.match(query):
        return ""
    digits = phone_digits(query)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) == 11 and digits.startswith("1") else ""


def search_persons(user: Any, text: str) -> SearchResult:
    """Find persons by ID number, certificate number (keyed hash of the normalised ID), mobile
    number (keyed hash), household number, name, or the name of a village or township.

    Always within `persons_for(user)`: a person outside the user's region is simply not found.
    """
    scope = persons_for(user).select_related("region")
    query = normalise_query(text)
    if not query:
        return SearchResult("", scope.none())
    if _CERT_SHAPE.match(query):
        parsed = parse_certificate_number(query)
        problem = (
            "残疾人证号末两位应为残疾类别（1–7）和等级（1–4）"
            if parsed is None
            else check_id_number(parsed[0])
        )
        result = SearchResult("certificate", scope.none(), problem or "")
        result.audit_query = mask_id_number(query[:18]) + query[18:]
        if parsed is not None and not problem:
            id_number, category, grade = parsed
            result.persons = scope.filter(id_hash=blind_index(id_number), category=category, grade=grade)
        return result
    mobile = _mobile(query)
    if mobile:
        result = SearchResult(
            "phone", scope.filter(phone_hash=phone_indexes([mobile])[0]).order_by("name", "id")
        )
        result.audit_query = mask_phone(mobile)
        return result
    # Digits only: an ID or certificate number (with a clear message when malformed), unless a
    # household of the user's region has that number.
    household_digits = query.isdigit() and scope.filter(household_number=query).exists()
    if _ID_SHAPE.match(query) or (query.isdigit() and not household_digits):
        problem = check_id_number(query)
        if problem and query.isdigit() and len(query) not in (15, 17, 18):
            problem = "身份证号应为 18 位，残疾人证号应为 20 位"
        result = SearchResult("id", scope.none(), problem or "")
        result.audit_query = mask_id_number(query)
        if not problem:
            result.persons = scope.filter(id_hash=blind_index(query))
        return result
    if _HOUSEHOLD_SHAPE.match(query):
        result = SearchResult(
            "household", scope.filter(household_number__iexact=query).order_by("name", "id")
        )
        result.audit_query = query
        return result
    name = unicodedata.normalize("NFKC", text or "").strip()[:64]
    # A village or township of that name, inside the user's region: its persons come too.
    places = list(
        Region.objects.filter(name=name, level__in=(Region.Level.TOWNSHIP, Region.Level.VILLAGE)).values_list(
            "code", flat=True
        )
    )
    matches = Q(name__startswith=name)
    for code in places:
        matches |= Q(region__code__startswith=code)
    result = SearchResult("name", scope.filter(matches).order_by("name", "id"))
    result.audit_query = name
    return result


def household_members(user: Any, person: Person) -> QuerySet[Person]:
    """Other members of the person's household (户) that the user may see."""
    return (
        persons_for(user)
        .filter(household_number=person.household_number, county_code=person.county_code)
        .exclude(pk=person.pk)
        .order_by("id")
    )


def survey_history(person: Person) -> QuerySet[Survey]:
    return person.surveys.order_by("-year")


def list_memberships(user: Any, person: Person) -> list[dict[str, Any]]:
    """The person's rows in departmental lists, marking which come from the list in force today
    (``exchange.selectors.list_memberships``)."""
    return list(person_list_rows(user, person)) if person_list_rows.provided else []


def region_path(person: Person) -> list[Region]:
    """County → township → village of the person's region, as far as it is known."""
    code = person.region_id
    codes = [c for c in (code[:6], code[:9], code) if c and len(c) <= len(code)]
    regions = {r.code: r for r in Region.objects.filter(code__in=set(codes))}
    return [regions[c] for c in dict.fromkeys(codes) if c in regions]


def entitlements(person: Person) -> list[Any]:
    return list(person.entitlements.order_by("-start_month"))


DECISION_LABELS = {"eligible": "符合", "ineligible": "不符合", "unknown": "待核实"}
FLAG_LABELS = {"choose_higher": "择高享受：须在护理补贴与老年人护理补贴中选其一"}


def explained_decisions(person: Person, *, on: dt.date) -> list[dict[str, Any]] | None:
    """The policy rules' decisions for one person, clause by clause; None when no app provides
    them. Accepts dicts or objects shaped like the `eligibility` JSON (FORMATS.md)."""
    if not person_decisions.provided:
        return None
    raw = person_decisions(person.pk, on)
    if isinstance(raw, dict):
        raw = list(raw.values())
    rows = []
    for item in raw or []:
        decision = str(_get(item, "decision", ""))
        benefit = _get(item, "benefit", "")
        flags = _get(item, "flag_names", None) or [
            FLAG_LABELS.get(str(f), str(f)) for f in _get(item, "flags", []) or []
        ]
        rows.append(
            {
                "benefit": _get(item, "name", "") or _get(item, "title", "") or _benefit_title(str(benefit)),
                "decision": decision,
                "decision_label": _get(item, "decision_name", "") or DECISION_LABELS.get(decision, decision),
                "amount": _get(item, "amount", None),
                "flags": list(flags),
                "reasons": [
                    {
                        "clause": _get(r, "label", "") or _get(r, "clause", ""),  # the Chinese label
                        "passed": _get(r, "passed", None),
                        "detail": _get(r, "detail", ""),
                    }
                    for r in _get(item, "reasons", []) or []
                ],
            }
        )
    return rows


def _get(item: Any, key: str, default: Any) -> Any:
    if isinstance(item, dict):
        return item.get(key, default)
    return getattr(item, key, default)


def _benefit_title(code: str) -> str:
    return BENEFIT_TITLES.get(code, code)


# RULES.md "Decisions".
BENEFIT_TITLES = {
    "living_subsidy": "困难残疾人生活补贴",
    "nursing_subsidy": "重度残疾人护理补贴",
    "dibao_alone": "单独申请低保",
    "dibao_topup": "重度残疾人低保增发",
    "child_rehab": "残疾儿童康复救助",
    "medical_premium_aid": "重度残疾人医保个人缴费资助",
    "pension_premium_aid": "重度残疾人养老保险代缴",
    "home_renovation": "困难重度残疾人家庭无障碍改造",
}


def change_history(person: Person) -> list[Any]:
    """The person's changes made on the web, newest first, each with `lines`: "字段：旧 → 新"."""

    def shown(field: str, value: Any) -> str:
        if value in (None, ""):
            return "（空）"
        if field == "category":
            return CATEGORY_NAMES.get(value, str(value))
        if field == "grade":
            return GRADE_NAMES.get(value, str(value))
        return str(value)

    changes = list(person.changes.all()[:50])
    for change in changes:
        fields = sorted(set(change.before) | set(change.after))
        change.lines = [  # type: ignore[attr-defined]
            f"{LABELS.get(f, f)}：{shown(f, change.before.get(f))} → {shown(f, change.after.get(f))}"
            if change.before
            else f"{LABELS.get(f, f)}：{shown(f, change.after.get(f))}"
            for f in fields
        ]
    return changes
