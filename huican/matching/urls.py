from django.urls import path

from huican.matching import followup, views, views_deadlines, views_export

app_name = "matching"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:finding_id>/", views.detail, name="detail"),
    path("export.xlsx", views_export.export, name="export"),
    path("lists/<slug:code>/", followup.needs_list, name="needs_list"),
    path("export/full/", views_export.export_full, name="export_full"),
    path("exports/<int:job_id>/", views_export.export_progress, name="export_progress"),
    path("exports/<int:job_id>/download/", views_export.export_download, name="export_download"),
    path("deadlines/", views_deadlines.deadlines, name="deadlines"),
    path("runs/", views.runs, name="runs"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/jobs/<int:job_id>/", views.run_progress, name="run_progress"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/export.xlsx", views_export.run_export, name="run_export"),
    path("runs/<int:run_id>/export/full/", views_export.run_export_full, name="run_export_full"),
]
