"""The reports' pages: the dedications report with its chart, exports, client statements."""

from django.urls import path  # noqa: F401 - used as the pages are added

urlpatterns: list = []
