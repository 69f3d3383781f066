from django.urls import path

from huican.accounts import audit_views as views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("verify/", views.audit_verify_view, name="verify"),
]
