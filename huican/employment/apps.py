from typing import Any

from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "huican.employment"
    label = "employment"

    def ready(self) -> None:
        from huican.exchange.preparing import accepted_declarations
        from huican.exchange.writers import app_writers

        for kind in ("employers", "employer_staff", "levy_standards"):
            app_writers[kind].provide(_writer(kind))
        accepted_declarations.provide(_accepted_declarations)


def _writer(kind: str) -> Any:
    def persist(*args: Any, **kwargs: Any) -> Any:
        from huican.employment import imports

        return imports.WRITERS[kind](*args, **kwargs)

    return persist


def _accepted_declarations() -> Any:
    from huican.employment.imports import accepted_declarations

    return accepted_declarations()
