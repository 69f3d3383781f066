from typing import Any

from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "huican.policy"
    label = "policy"

    def ready(self) -> None:
        from huican.exchange.signals import rows_written
        from huican.exchange.writers import standards_writer
        from huican.registry.selectors import person_decisions

        standards_writer.provide(_persist_standards)
        person_decisions.provide(_explain_person)
        rows_written.connect(_refresh_registry_copies, dispatch_uid="policy.refresh_registry_copies")


# Imported when first called: the rules compile their expressions, which a process that never
# decides anything should not pay for at start.
def _persist_standards(*args: Any, **kwargs: Any) -> Any:
    from huican.policy.imports import persist_standards

    return persist_standards(*args, **kwargs)


def _explain_person(*args: Any, **kwargs: Any) -> Any:
    from huican.policy.rules import explain_person

    return explain_person(*args, **kwargs)


def _refresh_registry_copies(sender: Any, *, kind: str, **kwargs: Any) -> None:
    from huican.policy.facts import refresh_registry_copies

    refresh_registry_copies(kind)
