from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "huican.matching"
    label = "matching"
