from django.contrib import admin

from hexa.crm.models import Client, Dedication, Employee, ImportJob, Project, Task


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tax_id", "email", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "tax_id", "email"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "email", "user", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "email"]
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "client", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "name", "client__code", "client__name"]
    autocomplete_fields = ["client"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "status", "next_follow_up", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "project__code"]
    autocomplete_fields = ["project"]
    date_hierarchy = "next_follow_up"


@admin.register(Dedication)
class DedicationAdmin(admin.ModelAdmin):
    list_display = ["date", "client", "project", "task", "employee", "minutes", "via"]
    list_filter = ["via", "date"]
    search_fields = ["text", "client__code", "project__code", "employee__code"]
    autocomplete_fields = ["client", "project", "task", "employee"]
    readonly_fields = ["recorded_by", "recorded_at", "via"]
    date_hierarchy = "date"
    list_select_related = ["client", "project", "task", "employee"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
            obj.via = Dedication.Via.ADMIN
        super().save_model(request, obj, form, change)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports are made and applied from their pages; here they can be seen."""

    list_display = ["pk", "kind", "file_name", "created_by", "created_at", "status"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
