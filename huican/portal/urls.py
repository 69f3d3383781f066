from django.urls import path

from huican.portal import views, views_cert, views_selfcheck

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/", views.switch_preferences, name="preferences"),
    path("self-check/", views_selfcheck.selfcheck, name="selfcheck"),
    path("cert/verify/", views_cert.verify, name="cert_verify"),
    path("cert/key/", views_cert.key, name="cert_key"),
    path("cert/key.pem", views_cert.key_pem, name="cert_key_pem"),
    path("cert/persons/<int:person_id>/", views_cert.staff_certificate, name="staff_cert"),
]
