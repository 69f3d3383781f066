from django.urls import path

from huican.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.index, name="index"),
    path("standards/new/", views.standard_new, name="standard_new"),
    path("what-if/", views.whatif, name="whatif"),
]
