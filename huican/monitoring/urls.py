from django.urls import path, re_path

from huican.monitoring import views, views_indicator, views_jobs, views_plans, views_reports, views_targets

app_name = "monitoring"
REGION = r"(?P<region>\d{6}|\d{9}|\d{12})"
urlpatterns = [
    path("", views.index, name="index"),
    path("gdp/", views.gdp, name="gdp"),
    path("jobs/", views_jobs.new_jobs, name="new_jobs"),
    path("plans/", views_plans.plans, name="plans"),
    path("tasks/", views.tasks, name="tasks"),
    path("targets/", views_targets.unit_targets_page, name="unit_targets"),
    path("tasks/<str:code>/<int:year>/report/", views.task_report, name="task_report"),
    path("report/", views.report, name="report"),
    path("report/publish/", views.report_publish, name="report_publish"),
    path("report/jobs/<int:job_id>/", views.report_job_status, name="report_job"),
    path("report/jobs/<int:job_id>/download/", views.report_download, name="report_download"),
    path("report/narratives/", views_reports.narrative_index, name="narrative_index"),
    path("report/<int:year>/<str:kind>/narratives/", views_reports.narrative_list, name="narratives"),
    path(
        "report/<int:year>/<str:kind>/narratives/<str:section>/",
        views_reports.narrative_edit,
        name="narrative_edit",
    ),
    path(
        "report/<int:year>/<str:kind>/narratives/<str:section>/<int:version>/",
        views_reports.narrative_version,
        name="narrative_version",
    ),
    path(
        "report/<int:year>/<str:kind>/narratives/<str:section>/<int:version>/restore/",
        views_reports.narrative_restore,
        name="narrative_restore",
    ),
    path("report/<int:year>/projects/", views_reports.project_figures, name="project_figures"),
    re_path(rf"^{REGION}/$", views.dashboard, name="dashboard"),
    re_path(rf"^{REGION}/indicators/(?P<code>[a-z_]+)/$", views_indicator.indicator, name="indicator"),
    re_path(
        rf"^{REGION}/persons/(?P<code>[a-z_]+)/(?P<side>numerator|denominator)/$",
        views.persons,
        name="persons",
    ),
]
