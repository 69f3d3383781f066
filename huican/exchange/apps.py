from typing import Any

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "huican.exchange"
    label = "exchange"

    def ready(self) -> None:
        from huican.accounts.access import register_import_kinds
        from huican.core.audit_labels import label_values
        from huican.core.commands import identity_rehash
        from huican.exchange.kinds import KINDS
        from huican.registry.selectors import person_list_rows

        register_import_kinds({kind: spec.title for kind, spec in KINDS.items()})
        label_values("kind", {kind: spec.title for kind, spec in KINDS.items()})
        person_list_rows.provide(_list_memberships)
        identity_rehash.provide(_rehash_identities)


def _list_memberships(*args: Any, **kwargs: Any) -> Any:
    from huican.exchange.selectors import list_memberships

    return list_memberships(*args, **kwargs)


def _rehash_identities(*args: Any, **kwargs: Any) -> Any:
    from huican.exchange.rehash import rehash_identities

    return rehash_identities(*args, **kwargs)
