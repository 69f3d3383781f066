"""The REST API at /api/v1/: one NinjaAPI, personal token authentication, one error shape.

Every error, whatever raised it, leaves as ``{"error": {"code", "message", "details"}}`` with a
message in Chinese (validation errors, unknown paths and wrong methods included). A token acts
with its user's role and region scope, exactly like the web pages (huican.accounts.access), and
reads of personal data are audited the same way.

Routers raise ``ninja.errors.HttpError`` (or a subclass with ``code``/``details`` attributes),
``Http404`` or ``PermissionDenied``; the handlers below turn them into the one shape.

Tokens are created and revoked by their owner on the web page /api/tokens/ (shown once, stored as
a SHA-256 hash); a token expires HUICAN_API_TOKEN_DAYS after it was made (then 401).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from huican.core.apidocs import AccessibleSwagger
from huican.core.audit import audit_record
from huican.core.models import ApiToken

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "hc_"
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)

# pydantic error types → what a caseworker reads.
_PROBLEMS = {
    "missing": "缺少此项",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "string_type": "应为文字",
    "literal_error": "不是允许的取值",
    "enum": "不是允许的取值",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "json_invalid": "不是合法的 JSON",
    "model_attributes_type": "请求体格式不对，应为 JSON 对象",
    "dict_type": "请求体格式不对，应为 JSON 对象",
    "extra_forbidden": "不认识的字段",
    "decimal_parsing": "应为数字",
    "decimal_max_places": "小数位数过多",
    "value_error": "取值不对",
    "nul_character": "含有不允许的空字符（NUL）",
}
_DEFAULT_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def error_response(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    """The one error shape of the API."""
    return JsonResponse(
        {"error": {"code": code, "message": message, "details": details}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


# ---------------------------------------------------------------------------------------------
# Tokens


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; return it and the key, which is never stored or shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100], prefix=key[:8], key_hash=hash_token(key)
        )
        audit_record(
            actor=user,
            action="api_token_create",
            object_type="ApiToken",
            object_id=token.pk,
            detail={"name": token.name, "prefix": token.prefix},
        )
    return token, key


def api_token_revoke(*, user: Any, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (Http404 for anyone else's)."""
    with transaction.atomic():
        token = get_object_or_404(ApiToken.objects.select_for_update(), pk=token_id, user=user)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=user,
                action="api_token_revoke",
                object_type="ApiToken",
                object_id=token.pk,
                detail={"name": token.name, "prefix": token.prefix},
            )
    return token


def token_expires_at(token: ApiToken) -> dt.datetime:
    """When a token stops working: HUICAN_API_TOKEN_DAYS after it was made."""
    return token.created + dt.timedelta(days=settings.HUICAN_API_TOKEN_DAYS)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hc_…` — a live, unexpired token of an active, unlocked user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        now = timezone.now()
        record = (
            ApiToken.objects.select_related("user", "user__region")
            .filter(
                key_hash=hash_token(token),
                revoked_at__isnull=True,
                created__gt=now - dt.timedelta(days=settings.HUICAN_API_TOKEN_DAYS),
            )
            .first()
        )
        if record is None:
            return None
        user = record.user
        if not user.is_active or (user.locked_until and user.locked_until > now):
            return None
        if record.last_used is None or now - record.last_used > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=record.pk).update(last_used=now)
        request.user = user
        return user


# ---------------------------------------------------------------------------------------------
# The API and its error handlers


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return _has_nul(getattr(value, "name", None) or "") if hasattr(value, "chunks") else False


class TextParser(Parser):
    """Ninja's parser, refusing NUL characters (PostgreSQL can neither store nor compare them)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValueError("NUL character in the request body")  # becomes a 400 "cannot parse"
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        bad = [key for key, value in result.items() if _has_nul(key) or _has_nul(value)]
        if bad:
            raise ValidationError(
                [{"loc": (key.replace("\x00", ""),), "type": "nul_character"} for key in bad]
            )
        return result


api = NinjaAPI(
    title="惠残 API",
    version="1",
    description="忻州市残疾人信息系统接口。使用个人 API 令牌认证：Authorization: Bearer <令牌>。"
    '所有错误都以 {"error": {"code", "message", "details"}} 返回。',
    urls_namespace="api",
    auth=TokenAuth(),
    parser=TextParser(),
    docs=AccessibleSwagger(),
)


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ())]
    return {
        "field": ".".join(location),
        "problem": _PROBLEMS.get(str(error.get("type", "")), _("取值不对")),
        "type": error.get("type", ""),
    }


def _on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
    details = [_problem(error) for error in exc.errors]
    fields = "、".join(d["field"] for d in details if d["field"])
    message = _("请求内容不符合要求") + (f"：{fields}" if fields else "")
    return error_response(422, "validation_error", message, details)


def _on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, AuthenticationError):
        return error_response(
            401, "not_authenticated", _("需要有效的 API 令牌（请求头 Authorization: Bearer <令牌>）")
        )
    if isinstance(exc, AuthorizationError):
        return error_response(403, "forbidden", _("没有权限执行此操作"))
    code = getattr(exc, "code", None) or _DEFAULT_CODES.get(status, "error")
    message = exc.message
    if not any("\u4e00" <= ch <= "\u9fff" for ch in message):  # ninja's own English messages
        message = _("请求体无法解析：应为合法的 JSON 或表单") if status == 400 else _("请求无法处理")
    return error_response(status, code, message, getattr(exc, "details", None))


def _on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(404, "not_found", _("未找到，或不在您的查看范围内"))


def _on_forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
    message = str(exc) if any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)) else _("没有权限执行此操作")
    return error_response(403, "forbidden", message)


def _on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(413, "payload_too_large", _("请求内容过大"))


def _on_exception(request: HttpRequest, exc: Any) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", _("服务器内部错误，请稍后再试或联系管理员"))


api.add_exception_handler(Exception, _on_exception)
api.add_exception_handler(ValidationError, _on_validation)
api.add_exception_handler(HttpError, _on_http_error)
api.add_exception_handler(Http404, _on_not_found)
api.add_exception_handler(ObjectDoesNotExist, _on_not_found)
api.add_exception_handler(PermissionDenied, _on_forbidden)
api.add_exception_handler(RequestDataTooBig, _on_too_big)


def _mount_routers() -> None:
    from huican.exchange.api import router as imports_router
    from huican.policy.api import router as standards_router
    from huican.registry.api import router as persons_router

    api.add_router("/persons", persons_router)
    api.add_router("/standards", standards_router)
    api.add_router("/imports", imports_router)
    from huican.matching.api import router as findings_router

    api.add_router("/findings", findings_router)
    from huican.monitoring.api import router as monitoring_router

    api.add_router("/monitoring", monitoring_router)
    from huican.benefits.api_applications import router as applications_router

    api.add_router("/applications", applications_router)
    from huican.benefits.api_rolls import router as rolls_router

    api.add_router("/rolls", rolls_router)
    from huican.employment.api import router as employment_router

    api.add_router("/employment/declarations", employment_router)


_mount_routers()


def _shape_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a bare 405; give it the error shape too."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            shaped = error_response(405, "method_not_allowed", _("不支持此请求方法"))
            shaped["Allow"] = response.get("Allow", "")
            return shaped
        return response

    return wrapper


def _api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", _("没有这个接口：{path}").format(path=request.path))


# ---------------------------------------------------------------------------------------------
# The token page (web, session login)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌用途"), max_length=100, help_text=_("例如：民政数据对接"))


@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    new_key = ""
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _token, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    user: Any = request.user
    now = timezone.now()
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        token.expires_at = token_expires_at(token)  # type: ignore[attr-defined]
        token.expired = token.expires_at <= now  # type: ignore[attr-defined]
    context = {
        "form": form,
        "tokens": tokens,
        "new_key": new_key,
        "token_days": settings.HUICAN_API_TOKEN_DAYS,
    }
    return render(request, "exchange/api_tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(user=request.user, token_id=token_id)
    return redirect("api_tokens")


def _api_patterns() -> list[Any]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _shape_not_allowed(pattern.callback)
    return [
        path("api/v1/", (patterns, app_name, namespace)),
        re_path(r"^api/v1/(?P<rest>.*)$", _api_not_found),
        path("api/tokens/", tokens_page, name="api_tokens"),
        path("api/tokens/<int:token_id>/revoke/", token_revoke, name="api_token_revoke"),
    ]


# Included by huican/urls.py: path("", include("huican.api")).
urlpatterns = _api_patterns()
