"""The admin shows Hexa's records; it never changes them.

Every change to a client, project, task, dedication or employee goes through the domain
functions in hexa.crm.services (the web pages, the API, the `hexa` command): they check what
the admin's generic forms cannot (a dedication's date is not in the future, a closed project
takes no work, ...) and keep the trail of changes to dedications. An admin form that saved
or deleted rows directly would be a second write path that skips both, so here every model
is view-only. Users and groups stay manageable in the admin (Django's own models).
"""

from django.contrib import admin
from django.http import HttpRequest

from hexa.crm.models import (
    Client,
    Dedication,
    DedicationChange,
    Employee,
    ImportJob,
    InboundEmail,
    Project,
    Task,
)


class ViewOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages only: no add, change or delete (a POST to those is a 403)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(ViewOnlyAdmin):
    list_display = ["code", "name", "tax_id", "email", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "tax_id", "email"]


@admin.register(Employee)
class EmployeeAdmin(ViewOnlyAdmin):
    list_display = ["code", "name", "email", "user", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "email"]


@admin.register(Project)
class ProjectAdmin(ViewOnlyAdmin):
    list_display = ["code", "name", "client", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "name", "client__code", "client__name"]


@admin.register(Task)
class TaskAdmin(ViewOnlyAdmin):
    list_display = ["title", "project", "kind", "status", "next_follow_up", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "project__code"]
    date_hierarchy = "next_follow_up"


@admin.register(Dedication)
class DedicationAdmin(ViewOnlyAdmin):
    list_display = ["date", "client", "project", "task", "employee", "minutes", "via"]
    list_filter = ["via", "date"]
    search_fields = ["text", "client__code", "project__code", "employee__code"]
    date_hierarchy = "date"
    list_select_related = ["client", "project", "task", "employee"]


@admin.register(DedicationChange)
class DedicationChangeAdmin(ViewOnlyAdmin):
    list_display = ["dedication_number", "action", "changed_by", "changed_at"]
    list_filter = ["action"]
    search_fields = ["=dedication_number"]
    list_select_related = ["changed_by"]


@admin.register(ImportJob)
class ImportJobAdmin(ViewOnlyAdmin):
    """Imports are made and applied from their pages; here they can be seen."""

    list_display = ["pk", "kind", "file_name", "created_by", "created_at", "status"]
    list_filter = ["kind", "status"]


@admin.register(InboundEmail)
class InboundEmailAdmin(ViewOnlyAdmin):
    """Emails read by `hexa mail fetch`, whatever became of them; handled on their page."""

    list_display = ["received_at", "status", "sender", "subject", "client", "attempts"]
    list_filter = ["status"]
    search_fields = ["=message_id", "sender", "subject"]
    list_select_related = ["client"]
