from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huican.accounts"
    label = "accounts"

    def ready(self) -> None:
        from huican.core.audit import audit_verified

        audit_verified.connect(_record_verification, dispatch_uid="accounts.record_verification")


def _record_verification(
    sender: Any, *, result: Any, actor: Any, ip_address: str = "", audit: bool = True, **kwargs: Any
) -> None:
    from huican.accounts.oversight import record_verification

    record_verification(result, actor=actor, ip_address=ip_address, audit=audit)
