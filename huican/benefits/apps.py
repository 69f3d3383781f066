from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "huican.benefits"
    label = "benefits"
