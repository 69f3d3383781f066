"""Writes to the registry from the web (issue 13): a new person, corrections, certificate changes.

Every change names its reason, keeps the values before and after (``PersonChange``; phone numbers
only masked), is audited, and follows the registry import's rules for the same values (FORMATS.md
"registry": ID number, certificate, dates, region, status and its date). County and township staff
(and city staff) act on persons inside their region only, and cannot move a person out of it. A
person is never created twice: the ID number is looked up by its keyed hash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from huican.accounts.access import STAFF_ROLES, region_prefix_for
from huican.core import documents
from huican.core.actors import user_of
from huican.core.audit import audit_record
from huican.core.crypto import blind_index, encrypt, mask_id_number, mask_phone, phone_indexes
from huican.core.idnumbers import (
    CATEGORY_NAMES,
    GRADE_NAMES,
    birth_date_of,
    check_id_number,
    normalize_id_number,
    sex_of,
)
from huican.regions.divisions import region_code_problem
from huican.regions.models import Region
from huican.registry.models import Person, PersonChange, PersonDocument

DOCUMENT_AREA = "registry"
URBAN_RURAL = ("城镇", "农村")
# The fields each kind of change may touch (the rest of a person is the import's or the identity's).
CORRECTABLE = ("name", "phone", "relation")
HOUSEHOLD = ("region_id", "urban_rural", "household_number")
CERTIFICATE = ("category", "grade", "issue_date", "status", "status_date")
LABELS = {
    "name": "姓名",
    "phone": "联系电话",
    "relation": "与户主关系",
    "region_id": "户籍地区划代码",
    "urban_rural": "城乡类别",
    "household_number": "户编号",
    "category": "残疾类别",
    "grade": "残疾等级",
    "issue_date": "发证日期",
    "status": "证件状态",
    "status_date": "状态变更日期",
    "id_number": "公民身份号码",
}


class PersonEditError(Exception):
    """A change refused, with the reason per field (``problems``: field → Chinese reason)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(f"{LABELS.get(k, k)}：{v}" for k, v in problems.items()))
        self.problems = problems


def today() -> dt.date:
    return timezone.localdate()


def may_edit(actor: Any, person: Person | None = None, region_code: str = "") -> bool:
    """Staff act inside their region (a person's region, or the region a new person is put in)."""
    user = user_of(actor)
    if user is None:
        return actor is not None  # the operator's CLI
    if user.role not in STAFF_ROLES:
        return False
    prefix = region_prefix_for(user)
    code = person.region_id if person is not None else region_code
    return prefix is not None and code.startswith(prefix)


def _region_problems(code: str, actor: Any) -> dict[str, str]:
    problem = region_code_problem(code)
    if problem:
        return {"region_id": problem}
    if len(code) > 6 and not Region.objects.filter(code=code).exists():
        return {"region_id": f"区划代码 {code} 不在区划表中，请先在区划管理中补充"}
    if not may_edit(actor, region_code=code):
        return {"region_id": "只能登记在您所辖区划内"}
    return {}


def _certificate_problems(values: dict[str, Any], birth: dt.date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if values.get("category") not in CATEGORY_NAMES:
        problems["category"] = "残疾类别应为 视力/听力/言语/肢体/智力/精神/多重"
    if values.get("grade") not in GRADE_NAMES:
        problems["grade"] = "残疾等级应为 一级至四级"
    issue = values.get("issue_date")
    if not isinstance(issue, dt.date):
        problems["issue_date"] = "请填写发证日期"
    elif issue > today():
        problems["issue_date"] = "发证日期在未来"
    elif issue < birth:
        problems["issue_date"] = "发证日期早于出生日期"
    status = values.get("status") or Person.Status.NORMAL
    if status not in Person.Status.values:
        problems["status"] = "证件状态应为 正常/注销/死亡/迁出"
    status_date = values.get("status_date")
    if status != Person.Status.NORMAL and not isinstance(status_date, dt.date):
        problems["status_date"] = "证件状态不是正常时，须填写状态变更日期"
    elif isinstance(status_date, dt.date) and status_date > today():
        problems["status_date"] = "状态变更日期在未来"
    return problems


def _snapshot(person: Person, fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        if name == "phone":
            out[name] = person.phone_masked
            continue
        value = getattr(person, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def _record(
    person: Person, *, kind: str, before: dict[str, Any], after: dict[str, Any], reason: str, actor: Any
) -> PersonChange:
    user = user_of(actor)
    change = PersonChange.objects.create(
        person=person,
        kind=kind,
        before=before,
        after=after,
        reason=reason,
        actor=user,
        actor_name=(user.get_full_name() or user.username) if user else str(actor),
    )
    audit_record(
        actor=actor,
        action=f"registry.person_{kind}",
        object_type="registry.Person",
        object_id=person.pk,
        region_code=person.region_id,
        reason=reason,
        detail={"change": change.pk, "before": before, "after": after},
    )
    return change


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise PersonEditError({"reason": "请填写变更理由（将记入审计日志）"})
    return reason


def person_create(*, actor: Any, values: dict[str, Any], reason: str) -> Person:
    """Register a certified person: `values` holds id_number, name, category, grade, issue_date,
    region_id, urban_rural, household_number and optionally relation, phone."""
    reason = _reason(reason)
    number = normalize_id_number(str(values.get("id_number", "")))
    problems: dict[str, str] = {}
    id_problem = check_id_number(number, today=today())
    if id_problem:
        problems["id_number"] = id_problem
    elif Person.objects.filter(id_hash=blind_index(number)).exists():
        problems["id_number"] = "该身份证号已在残疾人名册中，请查询后更正该人员的信息"
    name = str(values.get("name", "")).strip()
    if not name:
        problems["name"] = "请填写姓名"
    code = str(values.get("region_id", "")).strip()
    problems.update(_region_problems(code, actor))
    if values.get("urban_rural") not in URBAN_RURAL:
        problems["urban_rural"] = "城乡类别应为 城镇 或 农村"
    household = str(values.get("household_number", "")).strip()
    if not household:
        problems["household_number"] = "请填写户编号"
    birth = birth_date_of(number) if not id_problem else today()
    certificate = {
        "category": values.get("category"),
        "grade": values.get("grade"),
        "issue_date": values.get("issue_date"),
    }
    problems.update(_certificate_problems(certificate, birth))
    if problems:
        raise PersonEditError(problems)
    phone = str(values.get("phone") or "").strip()
    try:
        with transaction.atomic():
            person = Person.objects.create(
                id_hash=blind_index(number),
                id_number_encrypted=encrypt(number),
                id_masked=mask_id_number(number),
                sex=sex_of(number),
                birth_date=birth,
                name=name,
                category=int(values["category"]),
                grade=int(values["grade"]),
                issue_date=values["issue_date"],
                region_id=code,
                county_code=code[:6],
                township_code=code[:9] if len(code) >= 9 else "",
                urban_rural=values["urban_rural"],
                household_number=household,
                relation=str(values.get("relation") or "").strip(),
                phone_encrypted=encrypt(phone) if phone else "",
                phone_masked=mask_phone(phone) if phone else "",
                phone_hash=phone_indexes([phone])[0],
            )
            after = _snapshot(person, ("name", *HOUSEHOLD, *CERTIFICATE, "relation", "phone"))
            after["id_number"] = person.id_masked
            _record(person, kind=PersonChange.Kind.CREATE, before={}, after=after, reason=reason, actor=actor)
    except IntegrityError:
        raise PersonEditError({"id_number": "该身份证号已在残疾人名册中"}) from None
    return person


def _apply(
    *, actor: Any, person: Person, kind: str, fields: tuple[str, ...], changes: dict[str, Any], reason: str
) -> PersonChange:
    reason = _reason(reason)
    if not may_edit(actor, person):
        raise PersonEditError({"person": "该人员不在您所辖区划内"})
    unknown = set(changes) - set(fields)
    if unknown:
        raise PersonEditError({k: "这一项不能在此处修改" for k in unknown})
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = _snapshot(locked, fields)
        for name, value in changes.items():
            if name == "phone":
                phone = str(value or "").strip()
                locked.phone_encrypted = encrypt(phone) if phone else ""
                locked.phone_masked = mask_phone(phone) if phone else ""
                locked.phone_hash = phone_indexes([phone])[0]
            else:
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
        after = _snapshot(locked, fields)
        changed = {k for k in fields if before[k] != after[k]} | ({"phone"} & set(changes))
        if not changed:
            raise PersonEditError({"person": "没有任何改动"})
        locked.save()
        return _record(
            locked,
            kind=kind,
            before={k: before[k] for k in sorted(changed)},
            after={k: after[k] for k in sorted(changed)},
            reason=reason,
            actor=actor,
        )


def person_correct(*, actor: Any, person: Person, changes: dict[str, Any], reason: str) -> PersonChange:
    """Correct a person's name, phone or relation to the head of household."""
    if "name" in changes and not str(changes["name"]).strip():
        raise PersonEditError({"name": "请填写姓名"})
    return _apply(
        actor=actor,
        person=person,
        kind=PersonChange.Kind.CORRECT,
        fields=CORRECTABLE,
        changes=changes,
        reason=reason,
    )


def household_correct(*, actor: Any, person: Person, changes: dict[str, Any], reason: str) -> PersonChange:
    """Correct the household registration: region, 城乡类别, household number (inside the user's region)."""
    problems: dict[str, str] = {}
    if "region_id" in changes:
        problems.update(_region_problems(str(changes["region_id"]).strip(), actor))
    if "urban_rural" in changes and changes["urban_rural"] not in URBAN_RURAL:
        problems["urban_rural"] = "城乡类别应为 城镇 或 农村"
    if "household_number" in changes and not str(changes["household_number"]).strip():
        problems["household_number"] = "请填写户编号"
    if problems:
        raise PersonEditError(problems)
    if "region_id" in changes:
        code = str(changes["region_id"]).strip()
        changes = {**changes, "region_id": code}
    change = _apply(
        actor=actor,
        person=person,
        kind=PersonChange.Kind.HOUSEHOLD,
        fields=HOUSEHOLD,
        changes=changes,
        reason=reason,
    )
    if "region_id" in change.after:
        code = change.after["region_id"]
        Person.objects.filter(pk=person.pk).update(
            county_code=code[:6], township_code=code[:9] if len(code) >= 9 else ""
        )
    return change


def certificate_change(*, actor: Any, person: Person, changes: dict[str, Any], reason: str) -> PersonChange:
    """A certificate change: new grade or category (re-assessment), renewal (issue date), or a
    status 注销/迁出/死亡 with its date (正常 again clears the date)."""
    merged = {name: changes.get(name, getattr(person, name)) for name in CERTIFICATE}
    if merged["status"] == Person.Status.NORMAL:
        merged["status_date"] = None
        if "status" in changes:
            changes = {**changes, "status_date": None}
    problems = _certificate_problems(merged, person.birth_date)
    if problems:
        raise PersonEditError(problems)
    return _apply(
        actor=actor,
        person=person,
        kind=PersonChange.Kind.CERTIFICATE,
        fields=CERTIFICATE,
        changes=changes,
        reason=reason,
    )


def document_attach(
    *, actor: Any, person: Person, data: bytes, name: str, change: PersonChange | None = None
) -> PersonDocument:
    """Keep a scan or photo with the person's record (encrypted at rest)."""
    if not may_edit(actor, person):
        raise PersonEditError({"file": "该人员不在您所辖区划内"})
    try:
        content_type = documents.sniff(data)
    except documents.DocumentRefused as refused:
        raise PersonEditError({"file": str(refused)}) from None
    document = PersonDocument.objects.create(
        person=person,
        change=change,
        original_name=name[-200:] or "材料",
        content_type=content_type,
        size=len(data),
        stored_name=documents.store(DOCUMENT_AREA, data),
        uploaded_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="registry.document_attach",
        object_type="registry.Person",
        object_id=person.pk,
        region_code=person.region_id,
        detail={"document": document.pk, "size": len(data), "type": content_type},
    )
    return document
