from django.urls import path

from huican.portal import views, views_selfcheck

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/", views.switch_preferences, name="preferences"),
    path("self-check/", views_selfcheck.selfcheck, name="selfcheck"),
]
