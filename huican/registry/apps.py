from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "huican.registry"
    label = "registry"
