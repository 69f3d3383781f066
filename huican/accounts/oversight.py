"""What the audit administrator's security page reads, and the stored result of `audit verify`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from huican.accounts.models import AuditVerification, User
from huican.core.audit import audit_record

# Audit entries that showed full ID numbers: a person's reveal, an export with full numbers.
FULL_ID_Q = Q(action="registry.reveal") | Q(action="export.findings", detail__full_id_numbers=True)


def record_verification(
    result: Any, *, actor: Any, ip_address: str = "", audit: bool = True
) -> AuditVerification:
    """Keep the outcome of one `audit verify` (time, outcome, first broken entry) for the page."""
    actor_name = actor.username if isinstance(actor, User) else str(actor)[:150]
    stored = AuditVerification.objects.create(
        at=timezone.now(),
        actor_name=actor_name,
        intact=bool(result.intact),
        checked=int(result.checked),
        first_broken=result.first_broken,
        problem=str(result.problem or ""),
    )
    if audit:
        audit_record(
            actor=actor,
            action="audit.verify",
            detail={"intact": result.intact, "checked": result.checked, "first_broken": result.first_broken},
            ip_address=ip_address,
        )
    return stored
