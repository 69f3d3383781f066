from django.urls import path

from huican.employment import views, views_aid

app_name = "employment"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.declaration_new, name="declaration_new"),
    path("declarations/<int:pk>/", views.declaration, name="declaration"),
    path("declarations/<int:pk>/edit/", views.declaration_edit, name="declaration_edit"),
    path("declarations/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("tax.xlsx", views.tax_list, name="tax_list"),
    path("findings/", views.findings, name="findings"),
    path("federation/", views.federation, name="federation"),
    path("aid/", views_aid.aid_list, name="aid_list"),
    path("aid/<int:person_id>/", views_aid.aid_person, name="aid_person"),
    path("aid/<int:person_id>/seeking/close/", views_aid.seeking_close, name="aid_seeking_close"),
    path("aid/<int:person_id>/<slug:what>/", views_aid.aid_record, name="aid_record"),
    path("aid/placements/<int:placement_id>/follow-up/", views_aid.follow_up, name="aid_follow_up"),
]
