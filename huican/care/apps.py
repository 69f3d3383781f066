from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "huican.care"
    label = "care"
