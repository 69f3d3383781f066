from django.urls import path

from huican.employment import views

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
]
