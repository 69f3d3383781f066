from django.urls import path

from huican.portal import (
    views,
    views_agents,
    views_apply,
    views_apply_followup,
    views_cert,
    views_me,
    views_requests,
    views_requests_staff,
    views_selfcheck,
    views_signin,
)

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/", views.switch_preferences, name="preferences"),
    path("signin/", views_signin.signin_start, name="signin"),
    path("signin/agent/", views_signin.signin_start, {"mode": "agent"}, name="signin_agent"),
    path("signin/code/", views_signin.signin_code, name="signin_code"),
    path("signout/", views_signin.signout, name="signout"),
    path("session/", views_signin.extend, name="extend"),
    path("me/", views_me.me, name="me"),
    path("me/certificate/", views_me.my_certificate, name="my_certificate"),
    path("me/notices/<int:application_id>/", views_me.notice, name="notice"),
    path("staff/persons/<int:person_id>/agents/", views_agents.person_agents, name="staff_agents"),
    path(
        "staff/persons/<int:person_id>/agents/<int:authorisation_id>/revoke/",
        views_agents.revoke_agent,
        name="staff_agent_revoke",
    ),
    path("self-check/", views_selfcheck.selfcheck, name="selfcheck"),
    *views_apply.urlpatterns,
    *views_apply_followup.urlpatterns,
    path("requests/new/", views_requests.request_new, name="request_new"),
    path("requests/done/", views_requests.request_done, name="request_done"),
    path("me/requests/<int:request_id>/", views_requests.request_mine, name="request_mine"),
    path("me/requests/<int:request_id>/rate/", views_requests.request_rate, name="request_rate"),
    *views_requests_staff.urlpatterns,
    path("cert/verify/", views_cert.verify, name="cert_verify"),
    path("cert/key/", views_cert.key, name="cert_key"),
    path("cert/key.pem", views_cert.key_pem, name="cert_key_pem"),
    path("cert/persons/<int:person_id>/", views_cert.staff_certificate, name="staff_cert"),
]
