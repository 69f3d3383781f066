from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "huican.policy"
    label = "policy"
