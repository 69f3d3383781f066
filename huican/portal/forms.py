"""The self-check's questions (政策计算器): few, plain, each with a "不清楚" way out."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.portal import selfcheck as sc
from huican.portal.selfcheck_text import ERRORS
from huican.regions.divisions import COUNTIES

UNSURE = "unsure"
UNSURE_LABEL = gettext_lazy("不清楚")


def _choice(
    name: str, choices: list[tuple[str, Any]], *, widget: type[forms.Widget] = forms.RadioSelect
) -> forms.ChoiceField:
    message = ERRORS[name]
    return forms.ChoiceField(
        choices=choices,
        widget=widget,
        error_messages={"required": message, "invalid_choice": message},
    )


class SelfCheckForm(forms.Form):
    """Answers of the self-check. Labels and hints live in the template (fieldsets, legends)."""

    county = _choice(
        "county",
        [("", gettext_lazy("请选择")), *[(code, name) for code, name, _ in COUNTIES]],
        widget=forms.Select,
    )
    urban_rural = _choice("urban_rural", [(sc.URBAN, gettext_lazy("城镇")), (sc.RURAL, gettext_lazy("农村"))])
    age = forms.CharField(error_messages={"required": ERRORS["age"]})
    certificate = _choice(
        "certificate",
        [
            (sc.CERTIFICATE_VALID, gettext_lazy("有，还在有效期内")),
            (sc.CERTIFICATE_EXPIRED, gettext_lazy("有，但已经过期")),
            (sc.CERTIFICATE_NONE, gettext_lazy("还没有办")),
        ],
    )
    category = _choice(
        "category",
        [(UNSURE, UNSURE_LABEL), *[(str(code), f"{name}残疾") for code, name in CATEGORY_NAMES.items()]],
        widget=forms.Select,
    )
    grade = _choice(
        "grade", [*[(str(code), name) for code, name in GRADE_NAMES.items()], (UNSURE, UNSURE_LABEL)]
    )
    hardship = _choice(
        "hardship",
        [
            (sc.HARDSHIP_DIBAO, gettext_lazy("享受低保")),
            (sc.HARDSHIP_TEKUN, gettext_lazy("特困供养（五保）")),
            (sc.HARDSHIP_NEAR_POOR, gettext_lazy("低保边缘家庭")),
            (sc.HARDSHIP_NONE, gettext_lazy("都不是")),
            (sc.HARDSHIP_UNSURE, UNSURE_LABEL),
        ],
    )
    income = forms.CharField(required=False)
    long_term_care = _choice(
        "long_term_care",
        [("yes", gettext_lazy("需要")), ("no", gettext_lazy("不需要")), (UNSURE, UNSURE_LABEL)],
    )
    renovation = _choice(
        "renovation",
        [
            (sc.RENOVATION_NEEDED, gettext_lazy("需要")),
            (sc.RENOVATION_NOT_NEEDED, gettext_lazy("不需要")),
            (sc.RENOVATION_DONE, gettext_lazy("已经改造过")),
            (sc.RENOVATION_UNSURE, UNSURE_LABEL),
        ],
    )
    other_support = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("injury_care", gettext_lazy("工伤保险生活护理费")),
            ("orphan", gettext_lazy("孤儿或事实无人抚养儿童保障")),
            ("elderly_care", gettext_lazy("老年人护理补贴")),
        ],
        error_messages={"invalid_choice": ERRORS["other_support"]},
    )

    def clean_age(self) -> int:
        value = self.cleaned_data["age"].strip().replace("岁", "")
        value = value.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not value.isdigit() or not 0 <= int(value) <= sc.MAX_AGE:
            raise forms.ValidationError(ERRORS["age"])
        return int(value)

    def clean_income(self) -> Decimal | None:
        value = self.cleaned_data["income"].strip().replace(",", "").replace("，", "").replace("元", "")
        value = value.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise forms.ValidationError(ERRORS["income"]) from None
        if (
            not amount.is_finite()
            or not Decimal(0) <= amount <= sc.MAX_INCOME
            or amount != amount.quantize(sc.CENT)
        ):
            raise forms.ValidationError(ERRORS["income"])
        return amount

    def answers(self) -> sc.Answers:
        """The cleaned answers (call after ``is_valid()``)."""
        data = self.cleaned_data
        return sc.Answers(
            county=data["county"],
            urban_rural=data["urban_rural"],
            age=data["age"],
            certificate=data["certificate"],
            category=None if data["category"] == UNSURE else int(data["category"]),
            grade=None if data["grade"] == UNSURE else int(data["grade"]),
            hardship=data["hardship"],
            income=data["income"],
            long_term_care={"yes": True, "no": False}.get(data["long_term_care"]),
            renovation=data["renovation"],
            other_support=frozenset(data["other_support"]),
        )

    # The questions in page order, for the error summary (links to the first input of each).
    ORDER = (
        "county",
        "urban_rural",
        "age",
        "certificate",
        "category",
        "grade",
        "hardship",
        "income",
        "long_term_care",
        "renovation",
        "other_support",
    )

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for each wrong answer, in page order."""
        found = []
        for name in self.ORDER:
            if name in self.errors:
                found.append((self.anchor(name), str(self.errors[name][0])))
        return found

    def anchor(self, name: str) -> str:
        widget = self.fields[name].widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"id_{name}_0"
        return f"id_{name}"
