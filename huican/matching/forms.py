"""Forms of the findings pages: work-list filters, follow-up, on-demand run, reason for a full export.

Every choice offered is already limited to the user's scope (regions, codes, assignees), so a
value typed into the URL that the user may not use is refused like any other bad value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huican.accounts.access import STAFF_ROLES, region_prefix_for
from huican.accounts.models import Role, User
from huican.matching.models import Finding, FindingCode
from huican.matching.selectors import finding_codes_for, findings_for
from huican.regions.divisions import CITY_CODE
from huican.regions.models import Region

OPEN_FILTER = "open"
UNASSIGNED = "none"
STATUS_FILTERS = [
    ("", _("全部")),
    (OPEN_FILTER, _("未办结（待核实、已核实-需处理）")),
    *Finding.Status.choices,
]
EARLIEST_RUN_DATE = dt.date(2000, 1, 1)
CHOICE_ERROR = {"invalid_choice": _("“%(value)s”不在可选范围内，请从列表中选择。")}


def user_label(user: User) -> str:
    parts = [user.username] if user.get_full_name() else []
    parts.append(str(user.get_role_display()))
    if user.region_id and user.region:
        parts.append(user.region.name)
    return f"{user.get_full_name() or user.username}（{'，'.join(parts)}）"


def _finding_users() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, role__in=[*STAFF_ROLES, Role.DEPARTMENT_OFFICER], region__isnull=False
    ).select_related("region")


def _within(prefix: str) -> Q:
    return Q(region__code__startswith=prefix)


def region_choices(user: Any) -> list[tuple[Any, Any]]:
    """Counties and townships inside the user's region (townships grouped under their county)."""
    prefix = region_prefix_for(user) or ""
    if not prefix or len(prefix) >= 12:
        return [("", _("全部"))]
    regions = Region.objects.filter(
        code__startswith=prefix, level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]
    ).only("code", "name", "level", "county_code")
    counties: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for region in regions.order_by("code"):
        if region.level == Region.Level.COUNTY:
            names[region.code] = region.name
            counties.setdefault(region.code, [])
        else:
            counties.setdefault(region.county_code, []).append((region.code, region.name))
    choices: list[tuple[Any, Any]] = [("", _("全部"))]
    for county, townships in counties.items():
        options = ([(county, f"{names[county]}（全部乡镇）")] if county in names else []) + townships
        if len(prefix) == 9:
            options = [option for option in options if option[0].startswith(prefix)]
        if options:
            choices.append((names.get(county, county), options))
    return choices


def assignee_filter_choices(user: Any) -> list[tuple[str, str]]:
    """Users in the viewer's region, and anybody already assigned a finding the viewer sees."""
    prefix = region_prefix_for(user) or "-"
    assigned = findings_for(user).exclude(assigned_to=None).values("assigned_to").distinct()
    users = _finding_users().filter(_within(prefix) | Q(pk__in=assigned)).order_by("username")
    return [("", str(_("全部"))), (UNASSIGNED, str(_("未指派")))] + [
        (str(u.pk), user_label(u)) for u in users
    ]


def assignee_candidates(finding: Finding, actor: Any) -> list[User]:
    """Who the actor may assign `finding` to: active users in the actor's region who can see it.

    "Can see it" is the work list's own rule (region and, for department officers, the codes of
    their department); the current assignee stays a valid choice.
    """
    prefix = region_prefix_for(actor) or "-"
    covering = {CITY_CODE, finding.county_code, finding.township_code, finding.person.region_id}
    people = _finding_users().filter(_within(prefix), region_id__in=[c for c in covering if c])
    found = [u for u in people if finding.code in finding_codes_for(u)]
    if finding.assigned_to is not None and finding.assigned_to not in found:
        found.append(finding.assigned_to)
    return sorted(found, key=lambda u: u.username)


class WorkListFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("区划"), required=False, error_messages=CHOICE_ERROR)
    code = forms.ChoiceField(label=_("发现类型"), required=False, error_messages=CHOICE_ERROR)
    status = forms.ChoiceField(
        label=_("处理状态"), required=False, choices=STATUS_FILTERS, error_messages=CHOICE_ERROR
    )
    assignee = forms.ChoiceField(label=_("指派给"), required=False, error_messages=CHOICE_ERROR)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(FindingCode.choices)
        cast(forms.ChoiceField, self.fields["region"]).choices = region_choices(user)
        cast(forms.ChoiceField, self.fields["code"]).choices = [("", _("全部"))] + [
            (code, labels[code]) for code in finding_codes_for(user)
        ]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = assignee_filter_choices(user)

    def apply(self, findings: QuerySet[Finding]) -> QuerySet[Finding]:
        """The findings narrowed by the (valid) filters."""
        data = self.cleaned_data
        region = data.get("region") or ""
        if len(region) == 6:
            findings = findings.filter(county_code=region)
        elif len(region) == 9:
            findings = findings.filter(township_code=region)
        if data.get("code"):
            findings = findings.filter(code=data["code"])
        status = data.get("status") or ""
        if status == OPEN_FILTER:
            findings = findings.filter(status__in=[Finding.Status.PENDING, Finding.Status.CONFIRMED])
        elif status:
            findings = findings.filter(status=status)
        assignee = data.get("assignee") or ""
        if assignee == UNASSIGNED:
            findings = findings.filter(assigned_to__isnull=True)
        elif assignee:
            findings = findings.filter(assigned_to_id=int(assignee))
        return findings

    def described(self) -> dict[str, str]:
        """The filters in use, for the audit log."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value}


def filtered_findings(user: Any, data: Any) -> tuple[WorkListFilterForm, QuerySet[Finding] | None]:
    """The work-list filter form over `data` (a query dict or the stored filters of an export) and
    the user's findings under it; None when the filters are invalid. The work list page and the
    export job both read the findings through here, so an export holds what the page listed."""
    form = WorkListFilterForm(data or {}, user=user)
    if not form.is_valid():
        return form, None
    return form, form.apply(findings_for(user))


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("处理状态"), choices=Finding.Status.choices, error_messages=CHOICE_ERROR
    )
    assigned_to = forms.ChoiceField(label=_("指派给"), required=False, error_messages=CHOICE_ERROR)
    note = forms.CharField(
        label=_("处理结果说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("本次核实了什么、如何处理（添加到处理记录中，原有记录保留）。办结或认定误报时必填。"),
        error_messages={"max_length": _("说明过长，请不超过 %(limit_value)d 个字。")},
    )

    def __init__(self, *args: Any, finding: Finding, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finding = finding
        self.actor = actor
        self.candidates = {str(u.pk): u for u in assignee_candidates(finding, actor)}
        cast(forms.ChoiceField, self.fields["assigned_to"]).choices = [("", _("未指派"))] + [
            (pk, user_label(u)) for pk, u in self.candidates.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        status = cleaned.get("status")
        note = (cleaned.get("note") or "").strip()
        cleaned["note"] = note
        cleaned["assignee"] = self.candidates.get(cleaned.get("assigned_to") or "")
        if status and not self.errors:
            from huican.matching.worklist_rules import FollowUpRefused, check_follow_up

            try:  # the same rules as the API's, from the one place that holds them
                check_follow_up(
                    finding=self.finding,
                    actor=self.actor,
                    status=status,
                    assigned_to=cleaned["assignee"],
                    note=note,
                )
            except FollowUpRefused as exc:
                self.add_error(exc.field, str(exc))
        return cleaned

    def changed_anything(self) -> bool:
        data = self.cleaned_data
        return (
            data["status"] != self.finding.status
            or bool(data["note"])
            or getattr(data["assignee"], "pk", None) != self.finding.assigned_to_id
        )


class RunForm(forms.Form):
    on = forms.DateField(
        label=_("比对日期"),
        help_text=_("通常为今天。按过去的日期比对，会按当日的名单更新工作清单。"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写比对日期。"),
            "invalid": _("日期格式应为 年-月-日，例如 2025-06-30。"),
        },
    )

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("比对日期不能晚于今天。"))
        if day < EARLIEST_RUN_DATE:
            raise forms.ValidationError(_("比对日期不能早于 2000-01-01。"))
        return day


class ExportReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("导出理由"),
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填。说明为何需要完整身份证号，例如：送民政局逐户核对。理由将记入审计日志。"),
        error_messages={
            "required": _("请填写导出理由。"),
            "min_length": _("理由过短，请至少写 %(limit_value)d 个字。"),
            "max_length": _("理由过长，请不超过 %(limit_value)d 个字。"),
        },
    )
