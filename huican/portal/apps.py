from django.apps import AppConfig


class PortalConfig(AppConfig):
    """残疾人服务 · 一网通办: the pages for the people the federation serves, under /portal/.

    Separate from the staff pages: its own layout (portal/base.html), its own preferences (长辈版,
    high contrast) and, for signed-in citizens, its own session key — never a staff login.
    """

    name = "huican.portal"
    label = "portal"
    verbose_name = "残疾人服务"
