"""Staff pages of the requests (群众诉求, 12385): the list of the user's region, 记录来电 for a call
taken by phone, one request with its history and the accept/reply/route/close forms, and the counts.

Township, county and city staff (``requests.may_handle``), each within their region: a request of
another office is a 404. The caller is found through the registry's search (ID number, certificate
number or mobile number, sent by POST: never in a URL). The full contact phone is shown only on
request and the view is audited. The rules are in ``portal.requests``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huican.accounts.access import can, region_prefix_for
from huican.accounts.decorators import client_ip
from huican.core.audit import audit_record
from huican.core.crypto import decrypt
from huican.portal import requests as services
from huican.portal.models import CitizenRequest
from huican.regions.models import Region
from huican.registry.models import Person
from huican.registry.selectors import search_persons

R = CitizenRequest
PAGE_SIZE = 50


def _staff(request: HttpRequest) -> Any:
    if not services.may_handle(request.user):
        raise PermissionDenied(_("您的角色不办理群众诉求"))
    return request.user


def _office_choices(regions: Any) -> list[tuple[str, str]]:
    return [(r.code, services.office_name(r)) for r in regions]


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=[("", "全部"), *R.Status.choices]
    )
    category = forms.ChoiceField(
        label=gettext_lazy("类别"), required=False, choices=[("", "全部"), *R.Category.choices]
    )
    overdue = forms.BooleanField(label=gettext_lazy("只看超期未答复的"), required=False)


class CallForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("来源"),
        choices=[c for c in R.Channel.choices if c[0] != R.Channel.ONLINE],
        initial=R.Channel.HOTLINE,
    )
    lookup = forms.CharField(
        label=gettext_lazy("来电人（可不填）"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("身份证号、残疾人证号或手机号，在本辖区名册中查找；不填按匿名来电登记"),
    )
    caller_name = forms.CharField(label=gettext_lazy("称呼（匿名时）"), required=False, max_length=64)
    kind = forms.ChoiceField(label=gettext_lazy("诉求类型"), choices=R.Kind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=gettext_lazy("类别"), choices=R.Category.choices)
    description = forms.CharField(
        label=gettext_lazy("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    contact_preference = forms.ChoiceField(
        label=gettext_lazy("回复方式"),
        choices=R.Contact.choices,
        widget=forms.RadioSelect,
        initial=R.Contact.PHONE,
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("11 位手机号；找到来电人时不填则用名册中的号码。加密保存，页面只显示部分号码"),
    )
    region = forms.ChoiceField(
        label=gettext_lazy("承办单位"),
        required=False,
        help_text=gettext_lazy("找到来电人时不选则交其户籍所在乡镇（街道）"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *_office_choices(services.offices_for(user))]  # type: ignore[attr-defined]


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=gettext_lazy("答复内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("群众在“我的”里看到这段话：请用平实的话写清办理结果"),
    )


class RouteForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("转到"))
    note = forms.CharField(label=gettext_lazy("转办原因"), max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _office_choices(services.route_targets(user))  # type: ignore[attr-defined]


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = timezone.localdate()
    filters = FilterForm(request.GET or None)
    rows = services.requests_for(user).select_related("person")
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            rows = rows.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["category"]:
            rows = rows.filter(category=filters.cleaned_data["category"])
        if filters.cleaned_data["overdue"]:
            rows = rows.filter(status__in=services.OPEN, due_on__lt=today)
    page = Paginator(rows.order_by("-received_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    context = {
        "filters": filters,
        "page": page,
        "query": query,
        "today": today,
        "may_view_stats": can(user, "view_aggregates"),
    }
    return render(request, "portal/request_staff_list.html", context)


def _find_caller(request: HttpRequest, text: str) -> tuple[Person | None, str]:
    """The one person of the user's region that the typed number finds, or a message. The look-up
    is audited with the number masked, like the registry's search."""
    result = search_persons(request.user, text)
    if result.problem:
        return None, result.problem
    if result.mode not in ("id", "certificate", "phone"):
        return None, _("请输入身份证号、残疾人证号或手机号")
    found = list(result.persons[:2])
    audit_record(
        actor=request.user,
        action="portal.request_lookup",
        object_type="registry.Person",
        object_id=found[0].pk if len(found) == 1 else "",
        region_code=found[0].region_id if len(found) == 1 else "",
        detail={"via": result.mode, "query": result.audit_query, "results": len(found)},
        ip_address=client_ip(request),
    )
    if not found:
        return None, _("本辖区名册中没有找到；可以清空这一栏，按匿名来电登记")
    if len(found) > 1:
        return None, _("这个手机号对应多人，请改用身份证号或残疾人证号")
    return found[0], ""


@login_required
@require_http_methods(["GET", "POST"])
def request_call(request: HttpRequest) -> HttpResponse:
    """记录来电: a call taken by phone (or at a counter, or a 信访), for a person found in the
    registry or anonymous. "查找" shows who the number finds before anything is saved."""
    user = _staff(request)
    form = CallForm(request.POST or None, user=user)
    caller = None
    if request.method == "POST" and request.POST.get("action") == "find":
        form.is_valid()
        for name in [n for n in form.errors if n != "lookup"]:  # only the look-up counts here
            del form.errors[name]
        text = form.cleaned_data.get("lookup", "")
        caller, problem = (
            _find_caller(request, text) if text else (None, _("请输入身份证号、残疾人证号或手机号"))
        )
        if problem:
            form.add_error("lookup", problem)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["lookup"]:
            caller, problem = _find_caller(request, data["lookup"])
            if problem:
                form.add_error("lookup", problem)
        if not form.errors:
            region = Region.objects.filter(code=data["region"]).first() if data["region"] else None
            phone = data["contact_phone"]
            if caller is not None and not phone and caller.phone_encrypted:
                phone = decrypt(caller.phone_encrypted)
            try:
                created = services.request_create(
                    channel=data["channel"],
                    kind=data["kind"],
                    category=data["category"],
                    description=data["description"],
                    contact_preference=data["contact_preference"],
                    contact_phone=phone,
                    caller_name=data["caller_name"],
                    person=caller,
                    region=region,
                    actor=user,
                    ip_address=client_ip(request),
                )
            except services.RequestError as error:
                for name, message in error.problems.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("已登记，编号 {number}，交{office}办理，{due}前答复。").format(
                        number=created.number, office=created.office, due=created.due_on.strftime("%Y-%m-%d")
                    ),
                )
                return redirect("portal:staff_request", created.pk)
    context = {"form": form, "caller": caller, "days": services.REPLY_WORKING_DAYS}
    return render(request, "portal/request_staff_call.html", context, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest,
    item: CitizenRequest,
    *,
    reply: ReplyForm | None = None,
    route: RouteForm | None = None,
    full_phone: str = "",
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "item": item,
        "events": list(item.events.all()),
        "reply_form": reply or ReplyForm(),
        "route_form": route or RouteForm(user=user),
        "may_route": services.route_targets(user).exclude(pk=item.region_id).exists(),
        "full_phone": full_phone,
        "problem": problem,
        "today": timezone.localdate(),
    }
    return render(request, "portal/request_staff_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _staff(request)
    return _detail(request, services.access_request_by_id(user, request_id))


@login_required
@require_POST
def request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    """受理、答复、转办、办结, and showing the full contact phone (audited)."""
    user = _staff(request)
    item = services.access_request_by_id(user, request_id)
    done = {
        "accept": _("已受理。"),
        "reply": _("已答复，群众可以在“我的”里看到。"),
        "route": _("已转办。"),
        "close": _("已办结。"),
    }
    try:
        if action == "accept":
            services.request_accept(actor=user, request=item)
        elif action == "reply":
            reply = ReplyForm(request.POST)
            if not reply.is_valid():
                return _detail(request, item, reply=reply, status=400)
            services.request_reply(actor=user, request=item, reply=reply.cleaned_data["reply"])
        elif action == "route":
            route = RouteForm(request.POST, user=user)
            if not route.is_valid():
                return _detail(request, item, route=route, status=400)
            region = Region.objects.get(code=route.cleaned_data["region"])
            services.request_route(actor=user, request=item, region=region, note=route.cleaned_data["note"])
            if not services.requests_for(user).filter(pk=item.pk).exists():
                messages.success(request, done["route"])
                return redirect("portal:staff_requests")
        elif action == "close":
            services.request_close(actor=user, request=item)
        elif action == "phone":
            return _reveal_phone(request, item)
        else:
            return _detail(request, item, problem=_("没有这个操作"), status=400)
    except services.RequestError as error:
        return _detail(request, item, problem="；".join(error.problems.values()), status=400)
    messages.success(request, done[action])
    return redirect("portal:staff_request", item.pk)


def _reveal_phone(request: HttpRequest, item: CitizenRequest) -> HttpResponse:
    if not item.contact_phone_encrypted:
        return _detail(request, item, problem=_("没有留电话"), status=400)
    audit_record(
        actor=request.user,
        action="portal.request_phone",
        object_type="portal.CitizenRequest",
        object_id=item.pk,
        region_code=item.region_id,
        detail={"number": item.number, "phone": item.contact_phone_masked},
        ip_address=client_ip(request),
    )
    response = _detail(request, item, full_phone=decrypt(item.contact_phone_encrypted))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def request_stats(request: HttpRequest) -> HttpResponse:
    """Counts by category and county, the on-time rate and open requests past their date."""
    user = request.user
    prefix = region_prefix_for(user)
    if prefix is None or not can(user, "view_aggregates"):
        raise PermissionDenied(_("您的角色不能查看诉求统计"))
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    stats = services.requests_stats(prefix, year, today=today)
    context = {
        "stats": stats,
        "years": list(range(today.year, today.year - 5, -1)),
        "rate": None if stats.on_time_rate is None else round(stats.on_time_rate * 100, 1),
        "may_list": services.may_handle(user),
    }
    return render(request, "portal/request_staff_stats.html", context)


urlpatterns = [
    path("staff/requests/", request_list, name="staff_requests"),
    path("staff/requests/call/", request_call, name="staff_request_call"),
    path("staff/requests/stats/", request_stats, name="staff_request_stats"),
    path("staff/requests/<int:request_id>/", request_detail, name="staff_request"),
    path("staff/requests/<int:request_id>/<str:action>/", request_action, name="staff_request_action"),
]
