"""Forms of the applications pages: the filters of the list, the window's new application, the
reviewer's actions and the documents. They check the shape of the input; the rules are in
``services`` (its ``ApplicationError.field`` names the field a message belongs to)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huican.benefits.models import Application, ApplicationDocument, Benefit
from huican.regions.models import Region


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ApplicationFilterForm(forms.Form):
    """The list of all applications of the user's region, by status, subsidy and township."""

    status = forms.ChoiceField(label=_("状态"), required=False)
    benefit = forms.ChoiceField(label=_("补贴"), required=False)
    township = forms.ChoiceField(label=_("乡镇（街道）"), required=False)

    def __init__(self, *args: Any, prefix_code: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field: Any = self.fields["status"]
        status_field.choices = _blank(_("全部状态")) + list(Application.Status.choices)
        benefit_field: Any = self.fields["benefit"]
        benefit_field.choices = _blank(_("全部补贴")) + list(Benefit.choices)
        townships = Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=prefix_code or "-")
        township_field: Any = self.fields["township"]
        township_field.choices = _blank(_("全部乡镇（街道）")) + [(r.code, r.name) for r in townships]


class PersonSearchForm(forms.Form):
    """Find the person an application is for (sent by POST: an ID number never goes into a URL)."""

    q = forms.CharField(
        label=_("姓名、身份证号或残疾人证号"),
        max_length=64,
        help_text=_("输入完整的身份证号或残疾人证号，或姓名的开头"),
    )


class ApplicationForm(forms.Form):
    """An application received at the window (乡镇/街道受理)."""

    benefit = forms.ChoiceField(label=_("申请的补贴"), choices=Benefit.choices)
    applicant_kind = forms.ChoiceField(
        label=_("申请人"), choices=Application.Applicant.choices, initial=Application.Applicant.SELF
    )
    applicant_name = forms.CharField(
        label=_("代办人姓名"),
        max_length=64,
        required=False,
        help_text=_("由监护人、家属、村（居）委会或他人代为申请时必填"),
    )
    applied_on = forms.DateField(
        label=_("申请日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不填为今天；补录纸质申请时填写实际递交日期"),
    )
    account_name = forms.CharField(label=_("银行账户户名"), max_length=64, required=False)
    account_number = forms.CharField(
        label=_("银行账号"),
        max_length=40,
        required=False,
        help_text=_("可暂不填写；保存时加密，页面只显示后四位"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("受理说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PassForm(forms.Form):
    """Pass the step the application waits at (its fields are prefixed ``pass-``)."""

    reason = forms.CharField(
        label=_("审核意见"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("按材料通过的理由"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("判定结果为“不符合”或“待核实”时必填：说明哪些材料证明了符合条件（记入审计日志）"),
    )


class ReasonForm(forms.Form):
    """Return (退回补正), reject (不予批准), withdraw (撤回) and resubmit: one reason each (the
    fields are prefixed with the action, so that the forms of one page do not share ids)."""

    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    LABELS = {
        "return": (_("需补正的材料或问题"), True),
        "reject": (_("不予批准的理由（将写入不予批准通知书）"), True),
        "withdraw": (_("撤回原因（申请人提出撤回的方式和日期）"), True),
        "resubmit": (_("补正情况说明"), False),
    }

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        label, required = self.LABELS[action]
        self.fields["reason"].label = label
        self.fields["reason"].required = required


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=ApplicationDocument.Kind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、JPG 或 PNG 格式的扫描件或照片"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
