"""Staff pages: the guardians and agents (监护人、委托代理人) who may act for a person on the portal.

Reached from the person page; seen by whoever may see the person (404 otherwise), recorded and
revoked by staff who may edit the person (``registry.services.may_edit``). Rules in ``portal.agents``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from huican.portal import agents
from huican.portal.models import Authorisation
from huican.registry import selectors
from huican.registry.services import may_edit


class AuthorisationForm(forms.Form):
    agent_name = forms.CharField(label=gettext_lazy("代办人姓名"), max_length=64)
    agent_id_number = forms.CharField(
        label=gettext_lazy("代办人身份证号"),
        max_length=32,
        help_text=gettext_lazy("18 位；只保存加密后的号码"),
    )
    agent_phone = forms.CharField(
        label=gettext_lazy("代办人手机号"),
        max_length=20,
        help_text=gettext_lazy("登录验证码发到这个手机；页面上只显示部分号码"),
    )
    relation = forms.ChoiceField(
        label=gettext_lazy("关系"), choices=Authorisation.Relation.choices, widget=forms.RadioSelect
    )
    valid_from = forms.DateField(
        label=gettext_lazy("有效期起"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("有效期止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("不填为长期"),
    )
    note = forms.CharField(
        label=gettext_lazy("依据的材料"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("如：监护关系证明、授权委托书（已核验原件）"),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤销原因"), widget=forms.Textarea(attrs={"rows": 2}))


@login_required
@require_http_methods(["GET", "POST"])
def person_agents(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.access_person_by_id(request.user, person_id)
    editable = may_edit(request.user, person)
    form = AuthorisationForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("您的角色无权为该人员登记代办人"))
        if form.is_valid():
            data: dict[str, Any] = dict(form.cleaned_data)
            try:
                agents.authorisation_record(actor=request.user, person=person, **data)
            except agents.AuthorisationError as error:
                for field, message in error.problems.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request, _("已登记代办人，对方可以用自己的身份证号和本人的残疾人证号登录代办。")
                )
                return redirect("portal:staff_agents", person.pk)
    context = {
        "person": person,
        "form": form,
        "may_edit": editable,
        "authorisations": list(Authorisation.objects.filter(person=person)),
        "today": timezone.localdate(),
    }
    return render(request, "portal/staff_agents.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke_agent(request: HttpRequest, person_id: int, authorisation_id: int) -> HttpResponse:
    person = selectors.access_person_by_id(request.user, person_id)
    authorisation = get_object_or_404(Authorisation, pk=authorisation_id, person=person)
    if not may_edit(request.user, person):
        raise PermissionDenied(_("您的角色无权撤销代办人"))
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明撤销原因。"))
    else:
        agents.authorisation_revoke(
            actor=request.user, authorisation=authorisation, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已撤销，该代办人不能再登录代办。"))
    return redirect("portal:staff_agents", person.pk)
