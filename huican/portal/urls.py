from django.urls import path

from huican.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/", views.switch_preferences, name="preferences"),
]
