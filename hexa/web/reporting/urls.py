"""The reports' pages: the dedications report with its chart, exports, client statements."""

from django.urls import path

from hexa.web.reporting import views

urlpatterns = [
    path("", views.report, name="reports"),
    path("entries/", views.entries, name="report-entries"),
    path("export/", views.export, name="report-export"),
    path("statement/", views.statement, name="report-statement"),
]
