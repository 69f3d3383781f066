from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huican.core"
    label = "core"
    verbose_name = "核心"
