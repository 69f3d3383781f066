from typing import Any

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "huican.care"
    label = "care"
    verbose_name = "服务记录"

    def ready(self) -> None:
        from huican.matching.followup import recorded_visits
        from huican.policy.facts import recorded_services

        recorded_services.provide(_recorded_services)
        recorded_visits.provide(_recorded_visits)
        from huican.core import inbox

        inbox.register("care", _visits_in_inbox)


def _recorded_services(*args: Any, **kwargs: Any) -> Any:
    from huican.care.facts import recorded_services_frame

    return recorded_services_frame(*args, **kwargs)


def _recorded_visits(*args: Any, **kwargs: Any) -> Any:
    from huican.care.facts import recorded_visit_dates

    return recorded_visit_dates(*args, **kwargs)


def _visits_in_inbox(*args: Any, **kwargs: Any) -> Any:
    from huican.care.inbox import visits_in_inbox

    return visits_in_inbox(*args, **kwargs)
