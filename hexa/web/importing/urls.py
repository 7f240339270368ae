"""The import of clients and employees from CSV or XLSX files."""

from django.urls import path  # noqa: F401 - used as the pages are added

urlpatterns: list = []
