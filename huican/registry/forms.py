"""Forms of the registry pages: search, the reason for a full-value view, and the changes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名、身份证号、残疾人证号、手机号、户编号或村名"),
        max_length=64,
        required=False,
        help_text=_(
            "姓名按开头匹配；身份证号 18 位、残疾人证号 20 位、手机号 11 位、户编号须完整输入（全角数字也可）；输入村（社区）或乡镇名称可查该地全部人员。"
        ),
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


CATEGORY_CHOICES = [("", "请选择"), *((str(k), v) for k, v in CATEGORY_NAMES.items())]
GRADE_CHOICES = [("", "请选择"), *((str(k), v) for k, v in GRADE_NAMES.items())]
URBAN_RURAL_CHOICES = [("", "请选择"), ("城镇", "城镇"), ("农村", "农村")]
STATUS_CHOICES = [("正常", "正常"), ("注销", "注销"), ("死亡", "死亡"), ("迁出", "迁出")]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _reason() -> forms.CharField:
    return forms.CharField(
        label=_("变更理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("必填，如：依据残疾评定结果更正等级。理由与改动前后的内容将记入变更记录和审计日志。"),
        error_messages={"required": _("请填写变更理由。")},
    )


class PersonCreateForm(forms.Form):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=32)
    name = forms.CharField(label=_("姓名"), max_length=64)
    category = forms.TypedChoiceField(label=_("残疾类别"), choices=CATEGORY_CHOICES, coerce=int)
    grade = forms.TypedChoiceField(label=_("残疾等级"), choices=GRADE_CHOICES, coerce=int)
    issue_date = forms.DateField(label=_("发证日期"), widget=DATE_INPUT)
    region_id = forms.CharField(
        label=_("户籍地区划代码"), max_length=12, help_text=_("9 位乡镇（街道）或 12 位村（社区）代码")
    )
    urban_rural = forms.ChoiceField(label=_("城乡类别"), choices=URBAN_RURAL_CHOICES)
    household_number = forms.CharField(label=_("户编号"), max_length=64)
    relation = forms.CharField(label=_("与户主关系"), max_length=32, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    reason = _reason()


class PersonCorrectForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    relation = forms.CharField(label=_("与户主关系"), max_length=32, required=False)
    phone = forms.CharField(
        label=_("新的联系电话"), max_length=20, required=False, help_text=_("不改电话请留空。")
    )
    clear_phone = forms.BooleanField(label=_("删除原有电话"), required=False)
    reason = _reason()


class HouseholdForm(forms.Form):
    region_id = forms.CharField(label=_("户籍地区划代码"), max_length=12)
    urban_rural = forms.ChoiceField(label=_("城乡类别"), choices=URBAN_RURAL_CHOICES)
    household_number = forms.CharField(label=_("户编号"), max_length=64)
    reason = _reason()


class CertificateForm(forms.Form):
    category = forms.TypedChoiceField(label=_("残疾类别"), choices=CATEGORY_CHOICES, coerce=int)
    grade = forms.TypedChoiceField(label=_("残疾等级"), choices=GRADE_CHOICES, coerce=int)
    issue_date = forms.DateField(
        label=_("发证日期"), widget=DATE_INPUT, help_text=_("换证时填写新证的发证日期")
    )
    status = forms.ChoiceField(label=_("证件状态"), choices=STATUS_CHOICES)
    status_date = forms.DateField(
        label=_("状态变更日期"), widget=DATE_INPUT, required=False, help_text=_("注销、死亡、迁出时必填")
    )
    reason = _reason()


class PersonDocumentForm(forms.Form):
    file = forms.FileField(label=_("材料（PDF、JPG 或 PNG，不超过 10 MB）"))
