from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "huican.exchange"
    label = "exchange"
