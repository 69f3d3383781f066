"""Forms of the accounts pages (login, user creation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huican.accounts.access import IMPORT_KIND_TITLES
from huican.accounts.models import Role


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, strip=True)
    password = forms.CharField(label=_("密码"), max_length=256, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ + -")},
    )
    display_name = forms.CharField(label=_("姓名或说明"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region_code = forms.RegexField(
        label=_("所属区划代码"),
        regex=r"^[0-9]{6}([0-9]{3})?$",
        required=False,
        help_text=_("市级填 140900，县级 6 位，乡镇 9 位；管理员留空"),
        error_messages={"invalid": _("区划代码应为 6 位或 9 位数字")},
    )
    department = forms.CharField(label=_("部门"), max_length=32, required=False)
    organisation = forms.CharField(
        label=_("服务机构名称（服务机构人员）"),
        max_length=100,
        required=False,
        help_text=_("服务机构人员只能看到本机构服务的人员"),
    )
    import_kinds = forms.MultipleChoiceField(
        label=_("可导入的名单类型（部门数据专员）"),
        choices=lambda: [(k, f"{title}（{k}）") for k, title in IMPORT_KIND_TITLES.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    may_view_full = forms.BooleanField(label=_("可查看完整身份证号（需说明理由）"), required=False)
    password = forms.CharField(
        label=_("初始密码"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "至少 12 位，含小写字母、大写字母、数字、符号中的至少三类（或由至少四个词组成、以空格分隔的短语），不得为常见密码、纯数字或与用户名相近。"
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["password"].widget.attrs.update({"autocomplete": "new-password"})


PASSWORD_HELP = _(
    "至少 12 位，含小写字母、大写字母、数字、符号中的至少三类（或由至少四个词组成、以空格分隔的短语），"
    "不得为常见密码、纯数字或与用户名相近。"
)


def _password_field(label: Any, autocomplete: str, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": autocomplete}),
        help_text=help_text,
    )


class PasswordChangeForm(forms.Form):
    old_password = _password_field(_("当前密码"), "current-password")
    new_password = _password_field(_("新密码"), "new-password", PASSWORD_HELP)
    new_password2 = _password_field(_("再次输入新密码"), "new-password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("new_password") and cleaned.get("new_password") != cleaned.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return cleaned


class PasswordSetForm(forms.Form):
    password = _password_field(_("新密码"), "new-password", PASSWORD_HELP)


class UserChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region_code = forms.RegexField(
        label=_("所属区划代码"),
        regex=r"^[0-9]{6}([0-9]{3})?$",
        required=False,
        help_text=_("市级填 140900，县级 6 位，乡镇 9 位；管理员留空"),
        error_messages={"invalid": _("区划代码应为 6 位或 9 位数字")},
    )
    may_view_full = forms.BooleanField(label=_("可查看完整身份证号（需说明理由）"), required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
