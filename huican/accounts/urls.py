from django.urls import path

from huican.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("security/", views.security, name="security"),
    path("security/unlock/<int:user_id>/", views.unlock, name="unlock"),
    path("password/", views.password_change, name="password_change"),
    path("users/<int:user_id>/", admin_views.user_detail, name="user_detail"),
    path("users/<int:user_id>/change/", admin_views.user_change, name="user_change"),
    path("users/<int:user_id>/password/", admin_views.user_password, name="user_password"),
    path("users/<int:user_id>/active/", admin_views.user_active, name="user_active"),
    path("grants/", admin_views.grant_list, name="grants"),
    path(
        "grants/<int:grant_id>/<str:decision>/",
        admin_views.grant_decide,
        name="grant_decide",
    ),
    path("oversight/", admin_views.oversight, name="oversight"),
    path("oversight/verify/", admin_views.oversight_verify, name="oversight_verify"),
]
