"""The pages' addresses. `urlpatterns` are the `web:` pages (hexa.urls includes them at the
root); `account_urlpatterns` are /accounts/: signing in and out, the password (change, reset
by email), one's API tokens, and the sign-in lockouts for managers, under Django's own names
(`login`, `password_reset`...), so that Django and its admin find them."""

from django.contrib.auth import views as auth_views
from django.urls import path

from hexa.crm.models import ImportKind
from hexa.web.views import (
    accounts,
    agenda,
    clients,
    dedications,
    employees,
    field_log,
    importing,
    mail,
    projects,
    quick_log,
    reporting,
    tasks,
    timer,
)

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
    path("clients/<str:code>/timer/start/", timer.timer_start, name="timer-start"),
    path("clients/<str:code>/log/timer/", timer.timer_stop, name="timer-stop"),
    path("timer/", timer.timer_nav, name="timer"),
    path("timer/discard/", timer.timer_discard, name="timer-discard"),
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
    path("emails/", mail.unassigned, name="mail-unassigned"),
    path("emails/<int:pk>/assign/", mail.assign, name="mail-assign"),
    path("emails/<int:pk>/discard/", mail.discard, name="mail-discard"),
    # The installable Log page and its offline outbox.
    path("log/", field_log.log_page, name="log"),
    path("log/clients/", field_log.log_clients, name="log-clients"),
    path("log/entries/", field_log.log_send, name="log-send"),
    path("log/entries/<str:key>/", field_log.log_entry, name="log-entry"),
    path("manifest.webmanifest", field_log.manifest, name="manifest"),
    path("sw.js", field_log.service_worker, name="service-worker"),
    # The reports: the dedications report with its chart, exports, client statements.
    path("reports/", reporting.report, name="reports"),
    path("reports/entries/", reporting.entries, name="report-entries"),
    path("reports/export/", reporting.export, name="report-export"),
    path("reports/statement/", reporting.statement, name="report-statement"),
    # The import of clients and employees from CSV or XLSX files.
    path(
        "imports/clients/",
        importing.upload,
        {"kind": ImportKind.CLIENTS.value},
        name="import-clients",
    ),
    path(
        "imports/employees/",
        importing.upload,
        {"kind": ImportKind.EMPLOYEES.value},
        name="import-employees",
    ),
    path("imports/<int:pk>/", importing.detail, name="import"),
    path("imports/<int:pk>/apply/", importing.apply, name="import-apply"),
    path("imports/<int:pk>/cancel/", importing.cancel, name="import-cancel"),
]

account_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", accounts.PasswordChange.as_view(), name="password_change"),
    path("password_reset/", accounts.PasswordReset.as_view(), name="password_reset"),
    path("password_reset/done/", accounts.PasswordResetDone.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", accounts.PasswordResetComplete.as_view(), name="password_reset_complete"),
    path("tokens/", accounts.tokens, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", accounts.token_revoke, name="api-token-revoke"),
    path("lockouts/", accounts.lockout_list, name="lockouts"),
    path("lockouts/lift/", accounts.lockout_lift, name="lockout-lift"),
]
