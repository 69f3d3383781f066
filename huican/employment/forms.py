"""The declaration form (web entry and correction) and the federation staff form."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from huican.care.models import Result
from huican.employment.aid import STAGES
from huican.employment.models import PlacementKind
from huican.employment.services import DeclarationEntry, PersonEntry
from huican.exchange.kinds import EMPLOYER_TYPES
from huican.matching.models import Finding
from huican.regions.divisions import CITY_CODE, COUNTIES

REGION_CHOICES = [(CITY_CODE, "忻州市（市本级）"), *[(code, name) for code, name, _ in COUNTIES]]


def _date(text: str) -> dt.date | None:
    text = text.strip().replace("/", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise forms.ValidationError(
            _("日期无法识别：%(text)s（应为 YYYY-MM-DD）"), params={"text": text}
        ) from None


class DeclarationForm(forms.Form):
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    year = forms.IntegerField(label=_("统计年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("单位名称"), max_length=200)
    unit_type = forms.ChoiceField(label=_("单位类型"), choices=[(t, t) for t in EMPLOYER_TYPES])
    staff = forms.CharField(label=_("在职职工人数（年平均，最多一位小数）"), max_length=12)
    average_wage = forms.CharField(label=_("在职职工年平均工资（元）"), max_length=16)
    region_code = forms.ChoiceField(label=_("区划代码（注册地）"), choices=REGION_CHOICES)
    established_posts = forms.IntegerField(label=_("编制数"), min_value=0, required=False)
    is_school = forms.NullBooleanField(
        label=_("是否学校幼儿园"),
        required=False,
        widget=forms.Select(choices=[("unknown", "未填"), ("true", "是"), ("false", "否")]),
    )
    persons = forms.CharField(
        label=_(
            "残疾职工（每行一人：公民身份号码,姓名,劳动合同起始日期,劳动合同终止日期；终止日期空白为无固定期限）"
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )

    def __init__(
        self, *args: Any, regions: list[str] | None = None, keep_blank: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.keep_blank = keep_blank
        if keep_blank:
            self.fields["persons"].help_text = _("留空则保留已申报的残疾职工；填写则以填写的名单替换原名单。")
        if regions is not None:
            self.fields["region_code"].choices = [c for c in REGION_CHOICES if c[0] in regions]  # type: ignore[attr-defined]

    def clean_persons(self) -> list[PersonEntry] | None:
        if self.keep_blank and not self.cleaned_data["persons"].strip():
            return None
        entries = []
        for number, line in enumerate(self.cleaned_data["persons"].splitlines(), start=1):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.replace("，", ",").split(",")]
            if len(cells) not in (3, 4):
                raise forms.ValidationError(_("第 %(n)s 行应有 3 或 4 项，用逗号分隔"), params={"n": number})
            entries.append(
                PersonEntry(cells[0], cells[1], _date(cells[2]), _date(cells[3]) if len(cells) == 4 else None)
            )
        return entries

    def entry(self) -> DeclarationEntry:
        data = self.cleaned_data
        return DeclarationEntry(
            credit_code=data["credit_code"],
            year=data["year"],
            name=data["name"],
            unit_type=data["unit_type"],
            staff=data["staff"],
            average_wage=data["average_wage"],
            region_code=data["region_code"],
            established_posts=data["established_posts"],
            is_school=data["is_school"],
            persons=data["persons"],
        )


class FederationStaffForm(forms.Form):
    county_code = forms.ChoiceField(label=_("县级残联"), choices=[(code, name) for code, name, _ in COUNTIES])
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    staff = forms.IntegerField(label=_("在职人数"), min_value=0)
    disabled_staff = forms.IntegerField(label=_("其中残疾人"), min_value=0)

    def __init__(self, *args: Any, regions: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if regions is not None:
            field: Any = self.fields["county_code"]
            field.choices = [c for c in field.choices if c[0] in regions]


# ---- 就业援助 -------------------------------------------------------------------------------------

_DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _day(label: Any, *, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, widget=_DAY, help_text=help_text)


def _notes(label: Any = None, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label or _("备注"), required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class JobSeekingForm(forms.Form):
    """求职登记."""

    prefix = "seeking"
    registered_on = _day(_("登记日期"))
    wishes = forms.CharField(
        label=_("求职意向"), max_length=200, required=False, help_text=_("例如：希望从事的工作、地点、时间")
    )
    preferred_kind = forms.ChoiceField(
        label=_("意向就业形式"), required=False, choices=[("", _("不限")), *PlacementKind.choices]
    )
    notes = _notes()


class SeekingCloseForm(forms.Form):
    """End a 求职登记 without a job."""

    prefix = "close"
    closed_on = _day(_("结束日期"))
    reason = forms.CharField(label=_("结束原因"), max_length=200, help_text=_("例如：本人暂不求职、已迁出"))


class TrainingForm(forms.Form):
    """职业技能培训 (a service record, counted by indicator 2)."""

    prefix = "training"
    service_date = _day(_("培训日期"), help_text=_("培训结束的日期；尚在培训的填开始日期，结果选进行中"))
    organisation = forms.CharField(label=_("培训机构"), max_length=100, required=False)
    project = forms.CharField(label=_("培训项目"), max_length=200, required=False)
    result = forms.ChoiceField(label=_("结果"), choices=Result.choices, initial=Result.DONE)
    notes = _notes()


class PlacementForm(forms.Form):
    """A new job."""

    prefix = "placement"
    employer = forms.CharField(
        label=_("用人单位"), max_length=200, help_text=_("个体、灵活就业填本人或经营名称")
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False, help_text=_("有则填写，18 位")
    )
    kind = forms.ChoiceField(label=_("就业形式"), choices=[("", _("请选择")), *PlacementKind.choices])
    started_on = _day(_("就业日期"))
    job = forms.CharField(label=_("岗位"), max_length=100, required=False)
    notes = _notes()


class FollowUpForm(forms.Form):
    """回访 of a placement (prefixed by the placement: a page may hold several)."""

    followed_on = _day(_("回访日期"))
    in_work = forms.TypedChoiceField(
        label=_("是否仍在岗"),
        choices=[("yes", _("仍在岗")), ("no", _("已离岗"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    notes = _notes(_("回访情况"))


class AidFilterForm(forms.Form):
    """The aid list's filters."""

    county = forms.ChoiceField(label=_("县（市、区）"), required=False)
    stage = forms.ChoiceField(label=_("援助进展"), required=False)
    status = forms.ChoiceField(
        label=_("发现状态"),
        required=False,
        choices=[("open", _("待处理")), ("", _("全部")), *Finding.Status.choices],
    )

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["county"]).choices = [("", _("全部")), *counties]
        cast(forms.ChoiceField, self.fields["stage"]).choices = [("", _("全部")), *list(STAGES.items())]
