"""The form a unit fills in to report progress on a task: unit, text and up to three figures."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy

FIGURE_ROWS = 3


class TaskProgressForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("报告单位"))
    text = forms.CharField(
        label=gettext_lazy("进展情况"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("本年度完成的工作、存在的问题和下一步打算"),
    )

    def __init__(self, *args: Any, units: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u, u) for u in units]
        for i in range(1, FIGURE_ROWS + 1):
            self.fields[f"figure_{i}_name"] = forms.CharField(
                label=gettext_lazy("数据 {n}：名称").format(n=i), required=False, max_length=100
            )
            self.fields[f"figure_{i}_value"] = forms.DecimalField(
                label=gettext_lazy("数据 {n}：数值").format(n=i),
                required=False,
                max_digits=14,
                decimal_places=2,
            )
            self.fields[f"figure_{i}_unit"] = forms.CharField(
                label=gettext_lazy("数据 {n}：单位").format(n=i), required=False, max_length=20
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(1, FIGURE_ROWS + 1):
            name, value = cleaned.get(f"figure_{i}_name"), cleaned.get(f"figure_{i}_value")
            if name and value is None and f"figure_{i}_value" not in self.errors:
                self.add_error(f"figure_{i}_value", gettext_lazy("请填写数值"))
            if value is not None and not name:
                self.add_error(f"figure_{i}_name", gettext_lazy("请填写名称"))
        return cleaned

    def figures(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "name": data[f"figure_{i}_name"],
                "value": data[f"figure_{i}_value"],
                "unit": data[f"figure_{i}_unit"],
            }
            for i in range(1, FIGURE_ROWS + 1)
            if data.get(f"figure_{i}_name")
        ]
