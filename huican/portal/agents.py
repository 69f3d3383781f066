"""Staff record and revoke a guardian or agent (监护人、委托代理人) who may act for a person on the
portal. Only staff who may edit the person (``registry.services.may_edit``) do it; audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from huican.core.audit import audit_record
from huican.core.crypto import blind_index, encrypt, mask_id_number, mask_phone
from huican.core.idnumbers import check_id_number
from huican.portal.models import Authorisation
from huican.portal.signin import mobile_number
from huican.registry.models import Person
from huican.registry.selectors import normalise_query
from huican.registry.services import may_edit


class AuthorisationError(Exception):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


def _name(actor: Any) -> str:
    return (
        (actor.get_full_name() or actor.username) if getattr(actor, "is_authenticated", False) else str(actor)
    )


def authorisation_record(
    *,
    actor: Any,
    person: Person,
    agent_name: str,
    agent_id_number: str,
    agent_phone: str,
    relation: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    note: str = "",
) -> Authorisation:
    if not may_edit(actor, person):
        raise AuthorisationError({"__all__": "您无权为该人员登记代办人"})
    id_number = normalise_query(agent_id_number)
    phone = mobile_number(agent_phone)
    problems: dict[str, str] = {}
    if not agent_name.strip():
        problems["agent_name"] = "请填写代办人姓名"
    problem = check_id_number(id_number) if id_number else "请填写代办人身份证号"
    if problem:
        problems["agent_id_number"] = problem
    elif blind_index(id_number) == person.id_hash:
        problems["agent_id_number"] = "代办人不能是本人"
    if not phone:
        problems["agent_phone"] = "请填写代办人的 11 位手机号（验证码发到这个手机）"
    if relation not in Authorisation.Relation.values:
        problems["relation"] = "请选择监护人或委托代理人"
    if valid_until is not None and valid_until < valid_from:
        problems["valid_until"] = "有效期止不能早于有效期起"
    if problems:
        raise AuthorisationError(problems)
    with transaction.atomic():
        authorisation = Authorisation.objects.create(
            person=person,
            agent_name=agent_name.strip()[:64],
            agent_id_hash=blind_index(id_number),
            agent_id_encrypted=encrypt(id_number),
            agent_id_masked=mask_id_number(id_number),
            agent_phone_encrypted=encrypt(phone),
            agent_phone_masked=mask_phone(phone),
            relation=relation,
            valid_from=valid_from,
            valid_until=valid_until,
            note=note.strip(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            recorded_by_name=_name(actor),
        )
        audit_record(
            actor=actor,
            action="portal.authorisation_record",
            object_type="registry.Person",
            object_id=person.pk,
            region_code=person.region_id,
            reason=note,
            detail={
                "authorisation": authorisation.pk,
                "relation": relation,
                "agent_id": authorisation.agent_id_masked,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
        )
    return authorisation


def authorisation_revoke(*, actor: Any, authorisation: Authorisation, reason: str) -> Authorisation:
    person = authorisation.person
    if not may_edit(actor, person):
        raise AuthorisationError({"__all__": "您无权撤销该人员的代办人"})
    if not reason.strip():
        raise AuthorisationError({"reason": "请说明撤销原因"})
    if authorisation.revoked_at is not None:
        return authorisation
    with transaction.atomic():
        authorisation.revoked_at = timezone.now()
        authorisation.revoked_by_name = _name(actor)
        authorisation.revoke_reason = reason.strip()
        authorisation.save(update_fields=["revoked_at", "revoked_by_name", "revoke_reason"])
        audit_record(
            actor=actor,
            action="portal.authorisation_revoke",
            object_type="registry.Person",
            object_id=person.pk,
            region_code=person.region_id,
            reason=reason,
            detail={"authorisation": authorisation.pk, "agent_id": authorisation.agent_id_masked},
        )
    return authorisation
