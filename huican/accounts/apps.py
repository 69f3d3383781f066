from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huican.accounts"
    label = "accounts"
