from django.urls import path, re_path

from huican.monitoring import views, views_indicator, views_targets

app_name = "monitoring"
REGION = r"(?P<region>\d{6}|\d{9}|\d{12})"
urlpatterns = [
    path("", views.index, name="index"),
    path("gdp/", views.gdp, name="gdp"),
    path("tasks/", views.tasks, name="tasks"),
    path("targets/", views_targets.unit_targets_page, name="unit_targets"),
    path("tasks/<str:code>/<int:year>/report/", views.task_report, name="task_report"),
    path("report/", views.report, name="report"),
    path("report/publish/", views.report_publish, name="report_publish"),
    path("report/jobs/<int:job_id>/", views.report_job_status, name="report_job"),
    path("report/jobs/<int:job_id>/download/", views.report_download, name="report_download"),
    re_path(rf"^{REGION}/$", views.dashboard, name="dashboard"),
    re_path(rf"^{REGION}/indicators/(?P<code>[a-z_]+)/$", views_indicator.indicator, name="indicator"),
    re_path(
        rf"^{REGION}/persons/(?P<code>[a-z_]+)/(?P<side>numerator|denominator)/$",
        views.persons,
        name="persons",
    ),
]
