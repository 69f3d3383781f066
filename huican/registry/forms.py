"""Forms of the registry pages: search, and the reason for a full-value view."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名、身份证号或残疾人证号"),
        max_length=64,
        required=False,
        help_text=_("姓名按开头匹配；身份证号 18 位，残疾人证号 20 位，须完整输入。"),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看理由"),
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填。说明为何需要查看完整身份证号和电话，例如：核对低保申请材料。理由将记入审计日志。"),
        error_messages={
            "required": _("请填写查看理由。"),
            "min_length": _("理由过短，请至少写 %(limit_value)d 个字。"),
        },
    )
