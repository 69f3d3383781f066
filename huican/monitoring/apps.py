from typing import Any

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "huican.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from huican.exchange.signals import import_done
        from huican.monitoring import checks  # noqa: F401  (registers the font check)

        import_done.connect(_warm_after_import, dispatch_uid="monitoring.warm_after_import")


def _warm_after_import(sender: Any, *, actor: Any, **kwargs: Any) -> None:
    """New data: warm the dashboard's figures, so its first view after it is not the slow one."""
    from huican.core.tasks import submit
    from huican.monitoring.selectors import warm_dashboard

    submit(kind="monitoring.warm", actor=actor, func=warm_dashboard)
