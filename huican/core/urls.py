from django.urls import path

from huican.core import views

app_name = "core"
urlpatterns = [
    path("", views.audit_log, name="audit"),
    path("verify/", views.audit_verify_view, name="audit_verify"),
]
