"""Forms of the roll, entitlement, calendar and re-check pages (labels and errors in Chinese)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from huican.benefits.models import BenefitChoice, Entitlement, RecheckItem, StepLimit
from huican.benefits.workdays import DEFAULT_LIMITS

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "autocomplete": "off"})


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise forms.ValidationError("月份格式应为 YYYY-MM，例如 2025-03") from None


class RollForm(forms.Form):
    month = forms.CharField(label="发放月份", max_length=7, widget=MONTH_INPUT, help_text="格式 YYYY-MM")
    region = forms.ChoiceField(label="地区")

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]

    def clean_month(self) -> dt.date:
        month = _month(self.cleaned_data["month"])
        if month.year < 2000 or month > dt.date.today().replace(day=1) + dt.timedelta(days=62):
            raise forms.ValidationError("发放月份超出可计算的范围")
        return month


class ApproveForm(forms.Form):
    expected_total = forms.CharField(widget=forms.HiddenInput, max_length=20)
    confirm = forms.BooleanField(
        label="我已核对上述人数和金额，确认审批本月发放名册（审批后不可更改）",
        error_messages={"required": "请勾选确认后再审批"},
    )


class StopForm(forms.Form):
    end_month = forms.CharField(
        label="最后发放月份", max_length=7, widget=MONTH_INPUT, help_text="自次月起停发，格式 YYYY-MM"
    )
    reason = forms.ChoiceField(label="停发原因", choices=[("", "请选择"), *Entitlement.StopReason.choices])
    note = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_end_month(self) -> dt.date:
        return _month(self.cleaned_data["end_month"])


class ChoiceForm(forms.Form):
    chosen = forms.ChoiceField(
        label="本人选择", choices=BenefitChoice.Chosen.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_workday = forms.TypedChoiceField(
        label="当日是否上班",
        choices=[("1", "工作日（如调休上班）"), ("0", "休息日（如新增假日）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="说明", required=False, max_length=100)


class StepLimitForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for step, label in StepLimit.Step.choices:
            self.fields[step] = forms.IntegerField(
                label=f"{label}（工作日）",
                min_value=1,
                max_value=60,
                help_text=f"默认 {DEFAULT_LIMITS[step]} 个工作日",  # type: ignore[index]
            )


class RecheckStartForm(forms.Form):
    on = forms.DateField(label="复核日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class RecheckItemForm(forms.Form):
    status = forms.ChoiceField(label="处理状态", choices=RecheckItem.Status.choices)
    note = forms.CharField(
        label="核实情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
