"""The import of clients and employees from CSV or XLSX files."""

from django.urls import path

from hexa.crm.models import ImportKind
from hexa.web.importing import views

urlpatterns = [
    path("clients/", views.upload, {"kind": ImportKind.CLIENTS.value}, name="import-clients"),
    path(
        "employees/",
        views.upload,
        {"kind": ImportKind.EMPLOYEES.value},
        name="import-employees",
    ),
    path("<int:pk>/", views.detail, name="import"),
    path("<int:pk>/apply/", views.apply, name="import-apply"),
    path("<int:pk>/cancel/", views.cancel, name="import-cancel"),
]
