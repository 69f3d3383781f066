from django.urls import path

from huican.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:token>/", views.preview, name="preview"),
    path("jobs/<int:job_id>/", views.progress, name="progress"),
    path("history/", views.history, name="history"),
    path("<int:batch_id>/", views.result, name="result"),
    path("<int:batch_id>/rejects.csv", views.rejects_download, name="rejects"),
]
