from typing import Any

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "huican.matching"
    label = "matching"

    def ready(self) -> None:
        from huican.exchange.signals import import_done

        import_done.connect(_recompute_findings, dispatch_uid="matching.recompute_findings")
        from huican.core import inbox

        inbox.register("findings", _findings_in_inbox)
        from huican.core.audit_labels import label_values
        from huican.matching.models import FindingCode, FindingRun

        label_values("code", dict(FindingCode.choices))
        label_values("mode", dict(FindingRun.Mode.choices))


def _recompute_findings(sender: Any, *, actor: Any, **kwargs: Any) -> None:
    """New data: recompute the findings so the work list follows the lists (issue 5)."""
    from huican.matching.runs import start_findings_run

    start_findings_run(actor=actor, automatic=True)


def _findings_in_inbox(*args: Any, **kwargs: Any) -> Any:
    from huican.matching.inbox import findings_in_inbox

    return findings_in_inbox(*args, **kwargs)
