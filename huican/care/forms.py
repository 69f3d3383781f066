"""Forms of the care pages: one per kind of service, the stages, photos and assignments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huican.care.models import (
    CARE,
    DEVICE,
    LEGAL_AID,
    REHABILITATION,
    RENOVATION,
    TRAINING,
    VISIT,
    CarePlacement,
    Result,
    ServiceKind,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, help_text=help_text)


def _organisation(label: Any = None, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label or _("服务机构"), max_length=100, required=required)


def _amount(label: Any = None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label or _("金额（元）"), max_digits=12, decimal_places=2, required=False, min_value=0
    )


class ServiceForm(forms.Form):
    """康复服务, 职业技能培训, 法律援助: a date, who served, what, the result."""

    service_date = _date(_("服务日期"))
    organisation = _organisation()
    project = forms.CharField(label=_("项目"), max_length=200, required=False)
    result = forms.ChoiceField(label=_("结果"), choices=Result.choices, initial=Result.DONE)
    amount = _amount()
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, service_org: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if service_org:  # a service organisation records under its own name
            del self.fields["organisation"]


class DeviceForm(ServiceForm):
    """辅具适配 opens at its assessment; fitting and follow-up are later stages."""

    service_date = _date(_("评估日期"))
    device = forms.CharField(label=_("辅具名称"), max_length=100)
    field_order = ["service_date", "device", "organisation", "project", "amount", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["result"]


class CareForm(ServiceForm):
    """托养服务: the placement's organisation, kind and period."""

    service_date = _date(_("托养起始日期"))
    period_end = _date(_("托养终止日期"), required=False, help_text=_("尚在托养的留空"))
    care_mode = forms.ChoiceField(label=_("托养方式"), choices=CarePlacement.Mode.choices)
    organisation = _organisation(_("托养机构"), required=True)
    field_order = ["organisation", "care_mode", "service_date", "period_end", "project", "amount", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["result"]


class VisitForm(forms.Form):
    """走访探视, small enough for a phone."""

    service_date = _date(_("走访日期"))
    visitor = forms.CharField(label=_("走访人"), max_length=100)
    found = forms.CharField(
        label=_("走访发现的情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    follow_up_needed = forms.BooleanField(label=_("需要跟进"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RenovationForm(forms.Form):
    """A 无障碍改造 project opens at the household's application."""

    applied_on = _date(_("申请日期"))
    organisation = _organisation(_("实施机构"))
    project = forms.CharField(label=_("项目"), max_length=200, required=False)
    notes = forms.CharField(label=_("申请情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, service_org: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if service_org:
            del self.fields["organisation"]


class DeviceStageForm(forms.Form):
    on = _date(_("日期"))
    notes = forms.CharField(label=_("情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RenovationStageForm(forms.Form):
    on = _date(_("日期"))
    notes = forms.CharField(
        label=_("评估意见（改造内容）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contractor = forms.CharField(label=_("施工单位"), max_length=100, required=False)
    cost = _amount(_("改造费用（元）"))


class PlacementEndForm(forms.Form):
    period_end = _date(_("托养终止日期"))


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("结果"), choices=Result.choices)


class PhotoForm(forms.Form):
    file = forms.FileField(
        label=_("照片（JPG、PNG 或 PDF，不超过 10 MB，加密保存）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)


class AssignmentForm(forms.Form):
    organisation = forms.CharField(label=_("服务机构名称"), max_length=100)


class ServiceFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("服务类型"), choices=[("", _("全部")), *ServiceKind.choices], required=False
    )
    region = forms.RegexField(
        label=_("区划代码"),
        regex=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$",
        required=False,
        error_messages={"invalid": _("区划代码应为 6、9 或 12 位数字")},
    )
    date_from = _date(_("服务日期起"), required=False)
    date_to = _date(_("服务日期止"), required=False)


# URL slug → (服务类型, its form)
KIND_FORMS: dict[str, tuple[str, type[forms.Form]]] = {
    "rehabilitation": (REHABILITATION, ServiceForm),
    "device": (DEVICE, DeviceForm),
    "care": (CARE, CareForm),
    "renovation": (RENOVATION, RenovationForm),
    "visit": (VISIT, VisitForm),
    "legal": (LEGAL_AID, ServiceForm),
    "training": (TRAINING, ServiceForm),
}
SLUG_OF_KIND = {kind: slug for slug, (kind, _form) in KIND_FORMS.items()}
