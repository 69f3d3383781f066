from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "huican.regions"
    label = "regions"
