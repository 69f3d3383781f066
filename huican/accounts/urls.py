from django.urls import path

from huican.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("security/", views.security, name="security"),
    path("security/unlock/<int:user_id>/", views.unlock, name="unlock"),
]
