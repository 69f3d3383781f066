"""The audit-log filter form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人（用户名）"), max_length=150, required=False)
    action = forms.CharField(label=_("操作类型"), max_length=64, required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    object_id = forms.CharField(
        label=_("对象（类型或编号）"),
        max_length=64,
        required=False,
        help_text=_("填写对象编号，例如人员编号"),
    )

    def __init__(self, *args: Any, actions: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if actions:
            from huican.core.audit_labels import action_label

            choices = sorted(((a, action_label(a)) for a in actions), key=lambda choice: choice[1])
            self.fields["action"].widget = forms.Select(choices=[("", _("全部")), *choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data
