"""我的待办: one inbox per caseworker (issue 13, point 4), over every app's sources (``core.inbox``).

Findings in it can be assigned and have their status changed in bulk, through the same service as
one finding's page (``matching.services.finding_update``: the work list's rules hold). For the
persons of the findings assigned to them, caseworkers see what they need to act — phone, village,
household number — and that view is audited.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.core import inbox
from huican.core.audit import audit_record
from huican.core.crypto import decrypt_many
from huican.core.redirects import redirect_to_message
from huican.matching import services
from huican.matching.forms import _finding_users, user_label
from huican.matching.models import Finding
from huican.matching.selectors import findings_for
from huican.matching.services import FindingError, finding_update
from huican.regions.models import Region
from huican.registry.models import Person

PAGE_SIZE = 50
KINDS = ("发现", "申请", "复核", "走访", "诉求")


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部"))] + [(k, k) for k in KINDS]
    )
    code = forms.CharField(label=_("发现类型"), required=False, max_length=40)
    township = forms.CharField(label=_("乡镇（街道）代码"), required=False, max_length=9)
    village = forms.CharField(label=_("村（社区）代码"), required=False, max_length=12)
    status = forms.CharField(label=_("状态"), required=False, max_length=20)
    overdue = forms.BooleanField(label=_("只看已超期"), required=False)


class BulkForm(forms.Form):
    ACTIONS = [("assign", _("指派给")), ("status", _("改为状态"))]
    findings = forms.MultipleChoiceField(
        label=_("选中的发现"), error_messages={"required": _("请先勾选要处理的发现。")}
    )
    action = forms.ChoiceField(label=_("批量操作"), choices=ACTIONS)
    assignee = forms.ChoiceField(label=_("指派给"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", "—"), *Finding.Status.choices])
    note = forms.CharField(
        label=_("处理结果说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, actor: Any, finding_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["findings"].choices = [(str(i), str(i)) for i in finding_ids]  # type: ignore[attr-defined]
        prefix = region_prefix_for(actor) or "-"
        self.people = {str(u.pk): u for u in _finding_users().filter(region__code__startswith=prefix)[:500]}
        self.fields["assignee"].choices = [("", "—")] + [(pk, user_label(u)) for pk, u in self.people.items()]  # type: ignore[attr-defined]


def _contacts(request: HttpRequest, rows: list[inbox.InboxItem]) -> dict[int, dict[str, str]]:
    """Phone, village and household of the persons of the findings assigned to the user (audited)."""
    ids = [r.person_id for r in rows if r.finding_id is not None and r.person_id is not None]
    if not ids:
        return {}
    persons = list(
        Person.objects.filter(pk__in=ids).only("id", "phone_encrypted", "household_number", "region_id")
    )
    phones = decrypt_many([p.phone_encrypted for p in persons])
    villages = dict(
        Region.objects.filter(code__in={p.region_id for p in persons}).values_list("code", "name")
    )
    audit_record(
        actor=request.user,
        action="inbox.contact_view",
        object_type="registry.Person",
        region_code=region_prefix_for(request.user) or "",
        detail={"persons": sorted(set(ids)), "fields": ["phone", "village", "household_number"]},
        ip_address=client_ip(request),
    )
    return {
        p.pk: {
            "phone": phone or "—",
            "village": villages.get(p.region_id, p.region_id),
            "household": p.household_number,
        }
        for p, phone in zip(persons, phones, strict=True)
    }


def _bulk(request: HttpRequest, form: BulkForm) -> tuple[int, list[str]]:
    user: Any = request.user
    ids = [int(i) for i in form.cleaned_data["findings"]]
    findings = {
        f.pk: f for f in findings_for(user).filter(pk__in=ids).select_related("assigned_to", "person")
    }
    done, refused = 0, []
    for finding_id in ids:
        finding = findings.get(finding_id)
        if finding is None:
            refused.append(_("第 %(id)s 条：未找到或无权处理") % {"id": finding_id})
            continue
        if form.cleaned_data["action"] == "assign":
            assignee = form.people.get(form.cleaned_data["assignee"] or "")
            status, note = finding.status, form.cleaned_data["note"]
        else:
            assignee, status, note = (
                finding.assigned_to,
                form.cleaned_data["status"],
                form.cleaned_data["note"],
            )
        try:
            finding_update(finding=finding, actor=user, status=status, assigned_to=assignee, note=note)
        except (FindingError, PermissionDenied) as error:
            refused.append(f"{finding.person.name}：{error}")
        else:
            done += 1
    return done, refused


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (can(user, "view_findings") or can(user, "view_benefits")):
        raise PermissionDenied(_("您的角色没有待办事项"))
    day = services.today()
    filters = InboxFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    chosen = inbox.Filters(
        kind=data.get("kind") or "",
        code=data.get("code") or "",
        township=data.get("township") or "",
        village=data.get("village") or "",
        status=data.get("status") or "",
        overdue=bool(data.get("overdue")),
    )
    if request.method == "POST":
        # the choices of the bulk form: the findings in the inbox (only a POST needs to check them)
        everything = inbox.Inbox(user, day)
        finding_ids = [i.finding_id for i in everything[0 : len(everything)] if i.finding_id is not None]
    else:
        finding_ids = []
    bulk = BulkForm(request.POST or None, actor=user, finding_ids=finding_ids)
    if request.method == "POST":
        if bulk.is_valid():
            action = bulk.cleaned_data["action"]
            if action == "assign" and not bulk.cleaned_data["assignee"]:
                bulk.add_error("assignee", _("请选择指派给谁。"))
            elif action == "status" and not bulk.cleaned_data["status"]:
                bulk.add_error("status", _("请选择要改为的状态。"))
            else:
                done, refused = _bulk(request, bulk)
                if done:
                    messages.success(request, _("已处理 %(n)d 条发现。") % {"n": done})
                for line in refused[:20]:
                    messages.error(request, line)
                suffix = "?" + request.GET.urlencode() if request.GET else ""
                return redirect_to_message(reverse("inbox:index") + suffix)
    try:
        wanted = max(1, int(request.GET.get("page") or 1)) * PAGE_SIZE
    except ValueError:
        wanted = PAGE_SIZE
    items = inbox.Inbox(user, day, chosen, prefetch=wanted)
    everyone = items if chosen == inbox.Filters() else inbox.Inbox(user, day)
    page: Any = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    rows = list(page.object_list)
    contacts = _contacts(request, rows)
    context = {
        "page": page,
        "rows": [
            (
                item,
                contacts.get(item.person_id or 0),
                item.overdue_on(day),
                (day - item.due).days if item.due else 0,
            )
            for item in rows
        ],
        "filters": filters,
        "bulk": bulk,
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
        "total": everyone.total,
        "overdue": everyone.overdue,
        "today": day,
    }
    return render(request, "matching/inbox.html", context, status=400 if request.method == "POST" else 200)


app_name = "inbox"
urlpatterns = [path("", index, name="index")]
