from django.urls import include, path

from hexa.web.views import agenda, clients, dedications, employees, projects, quick_log, tasks

app_name = "web"

urlpatterns = [
    path("", clients.explorer, name="explorer"),
    path("clients/new/", clients.client_new, name="client-new"),
    path("clients/suggestions/", clients.client_suggestions, name="client-suggestions"),
    path("clients/<str:code>/", clients.client_detail, name="client"),
    path("clients/<str:code>/edit/", clients.client_edit, name="client-edit"),
    path("clients/<str:code>/archive/", clients.client_archive, name="client-archive"),
    path("clients/<str:code>/row/", clients.client_row, name="client-row"),
    path("clients/<str:code>/log/", quick_log.quick_log, name="quick-log"),
    path(
        "clients/<str:code>/log/follow-up/",
        quick_log.quick_log_follow_up,
        name="quick-log-follow-up",
    ),
    path("clients/<str:code>/tasks/new/", tasks.client_task_new, name="client-task-new"),
    path(
        "clients/<str:code>/dedications/new/",
        dedications.client_dedication_new,
        name="client-dedication-new",
    ),
    path("projects/", projects.project_list, name="projects"),
    path("projects/new/", projects.project_new, name="project-new"),
    path("projects/suggestions/", projects.project_suggestions, name="project-suggestions"),
    path("projects/<str:code>/", projects.project_detail, name="project"),
    path("projects/<str:code>/edit/", projects.project_edit, name="project-edit"),
    path("projects/<str:code>/close/", projects.project_close, name="project-close"),
    path("projects/<str:code>/reopen/", projects.project_reopen, name="project-reopen"),
    path("projects/<str:code>/tasks/new/", tasks.project_task_new, name="project-task-new"),
    path(
        "projects/<str:code>/dedications/new/",
        dedications.project_dedication_new,
        name="project-dedication-new",
    ),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task"),
    path("tasks/<int:task_id>/edit/", tasks.task_edit, name="task-edit"),
    path("tasks/<int:task_id>/complete/", tasks.task_complete, name="task-complete"),
    path("tasks/<int:task_id>/reopen/", tasks.task_reopen, name="task-reopen"),
    path("tasks/<int:task_id>/undo/", tasks.task_undo, name="task-undo"),
    path("tasks/<int:task_id>/reschedule/", tasks.task_reschedule, name="task-reschedule"),
    path("tasks/<int:task_id>/assign/", tasks.task_assign, name="task-assign"),
    path(
        "tasks/<int:task_id>/dedications/new/",
        dedications.task_dedication_new,
        name="task-dedication-new",
    ),
    path("dedications/<int:pk>/edit/", dedications.dedication_edit, name="dedication-edit"),
    path("dedications/<int:pk>/delete/", dedications.dedication_delete, name="dedication-delete"),
    path("agenda/", agenda.agenda, name="agenda"),
    path("agenda/calendar/", agenda.calendar_feed, name="calendar-feed"),
    path("employees/", employees.employee_list, name="employees"),
    path("employees/new/", employees.employee_new, name="employee-new"),
    path("employees/<str:code>/edit/", employees.employee_edit, name="employee-edit"),
    path("employees/<str:code>/active/", employees.employee_active, name="employee-active"),
    path("reports/", include("hexa.web.reporting.urls")),
    path("imports/", include("hexa.web.importing.urls")),
]
