"""`{% main_nav %}`: the navigation, showing only what the user's role may use.

Each app's landing page is ``<app_name>:index`` (see huican/urls.py).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from huican.accounts.access import can

register = template.Library()

# label, URL name, actions the role needs — any one of them (None: any signed-in user)
NAV_ITEMS: list[tuple[str, str, str | tuple[str, ...] | None]] = [
    ("首页", "registry:home", None),
    ("我的待办", "inbox:index", ("view_findings", "view_benefits")),
    ("查询", "registry:search", "browse_registry"),
    ("导入", "exchange:index", "import"),
    ("标准", "policy:index", "view_standards"),
    ("发现", "matching:index", ("view_findings", "view_aggregates")),
    ("补贴经办", "benefits:index", "view_benefits"),
    ("服务记录", "care:index", "record_services"),
    ("按比例就业", "employment:index", "view_employment"),
    ("群众诉求", "portal:staff_requests", "browse_registry"),
    ("监测", "monitoring:index", "view_aggregates"),
    ("审计", "audit:log", "read_audit"),
    ("用户", "accounts:users", "manage_users"),
    ("安全", "accounts:security", "manage_security"),
    ("授权审批", "accounts:grants", "manage_security"),
    ("安全概况", "accounts:oversight", "read_audit"),
]


@register.inclusion_tag("partials/nav.html", takes_context=True)
def main_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    current = getattr(request, "path", "")
    items = []
    for label, name, action in NAV_ITEMS:
        actions = (action,) if isinstance(action, str) else action
        if actions is not None and not any(can(user, a) for a in actions):
            continue
        url = reverse(name)
        active = current == url or (url != "/" and current.startswith(url) and name != "registry:home")
        items.append({"label": label, "url": url, "active": active})
    return {"items": items}


@register.simple_tag
def user_can(user: Any, action: str) -> bool:
    """`{% user_can request.user "view_full_id" as allowed %}` in templates."""
    return can(user, action)
