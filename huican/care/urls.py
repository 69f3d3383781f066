from django.urls import path

from huican.care import views, views_renovation

app_name = "care"
urlpatterns = [
    path("", views.index, name="index"),
    path("persons/<int:person_id>/", views.person, name="person"),
    path("persons/<int:person_id>/new/<slug:slug>/", views.service_new, name="service_new"),
    path("persons/<int:person_id>/assignments/", views.assignment_add, name="assignment_add"),
    path(
        "persons/<int:person_id>/assignments/<int:assignment_id>/remove/",
        views.assignment_remove,
        name="assignment_remove",
    ),
    path("services/<int:record_id>/", views.record, name="record"),
    path("services/<int:record_id>/<slug:action>/", views.record_action, name="record_action"),
    path("renovations/<int:project_id>/", views_renovation.renovation, name="renovation"),
    path("renovations/<int:project_id>/stage/", views_renovation.renovation_stage, name="renovation_stage"),
    path(
        "renovations/<int:project_id>/photos/",
        views_renovation.renovation_photo_upload,
        name="renovation_photo_upload",
    ),
    path(
        "renovations/<int:project_id>/photos/<int:photo_id>/",
        views_renovation.renovation_photo,
        name="renovation_photo",
    ),
]
