from django.urls import path

from hexa.web import views

app_name = "web"

urlpatterns = [
    path("", views.explorer, name="explorer"),
    path("clients/<str:code>/", views.client_detail, name="client"),
    path("clients/<str:code>/log/", views.quick_log, name="quick-log"),
    path(
        "clients/<str:code>/log/follow-up/",
        views.quick_log_follow_up,
        name="quick-log-follow-up",
    ),
]
