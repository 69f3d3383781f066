from typing import Any

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "huican.benefits"
    label = "benefits"

    def ready(self) -> None:
        from huican.core.workdays import calendar_source
        from huican.exchange.writers import app_writers
        from huican.policy.facts import granted_entitlements

        app_writers["applications"].provide(_persist_applications)
        granted_entitlements.provide(_granted_frame)
        calendar_source.provide(_calendar_overrides)
        from huican.core import inbox

        inbox.register("benefits", _benefits_in_inbox)


def _persist_applications(*args: Any, **kwargs: Any) -> Any:
    from huican.benefits.imports import persist_applications

    return persist_applications(*args, **kwargs)


def _granted_frame(*args: Any, **kwargs: Any) -> Any:
    from huican.benefits.entitlements import granted_frame

    return granted_frame(*args, **kwargs)


def _calendar_overrides() -> Any:
    from huican.benefits.workdays import calendar_overrides

    return calendar_overrides()


def _benefits_in_inbox(*args: Any, **kwargs: Any) -> Any:
    from huican.benefits.inbox import benefits_in_inbox

    return benefits_in_inbox(*args, **kwargs)
