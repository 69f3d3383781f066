from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "huican.portal"
    label = "portal"
