from django.urls import path

from huican.registry import views, views_changes

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("persons/<int:person_id>/", views.person_detail, name="person"),
    path("persons/<int:person_id>/reveal/", views.person_reveal, name="reveal"),
    *views_changes.urlpatterns,
]
