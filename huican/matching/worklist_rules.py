"""The work list's rules, in one place for the web form, the API and the service (issue 10).

- Closing a finding (status “已处理” or “误报”) needs an outcome note.
- A new assignee must be an active user who can see the finding — inside the finding's region
  and, for department officers, among their department's codes — and inside the actor's region.

``finding_update`` checks them on every write; the web form calls them to put the message next
to the field, the API turns the refusal into a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from huican.accounts.access import region_prefix_for
from huican.matching.models import Finding
from huican.matching.services import CLOSED, FindingError


class FollowUpRefused(FindingError):
    """A follow-up the work list does not allow; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_follow_up(*, finding: Finding, actor: Any, status: str, assigned_to: Any, note: str) -> None:
    """Refuse (FollowUpRefused) a follow-up that breaks a rule of the work list."""
    from huican.matching.selectors import findings_for

    if status in CLOSED and status != finding.status and not (note or "").strip():
        raise FollowUpRefused("note", _("将状态改为“已处理”或“误报”时，请填写处理结果说明。"))
    if assigned_to is None or assigned_to.pk == finding.assigned_to_id:
        return  # no assignee, or the one already there
    if not getattr(assigned_to, "is_active", False):
        raise FollowUpRefused("assigned_to", _("指派的人员不存在或已停用"))
    if not findings_for(assigned_to).filter(pk=finding.pk).exists():
        raise FollowUpRefused("assigned_to", _("被指派的人员不在这条发现所在的区划内，或无权查看这条发现"))
    prefix = region_prefix_for(actor) if getattr(actor, "is_authenticated", False) else None
    if prefix is not None and not (assigned_to.region_id or "").startswith(prefix):
        raise FollowUpRefused("assigned_to", _("只能指派给您所辖区划内的人员"))
