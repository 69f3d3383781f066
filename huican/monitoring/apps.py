from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "huican.monitoring"
    label = "monitoring"
