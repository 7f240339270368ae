from django.contrib import admin

from hexa.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `hexa token create`; here they can be seen and revoked."""

    list_display = ["hint", "user", "name", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["user", "name", "hint", "created_at", "revoked_at"]
    readonly_fields = ["user", "hint", "created_at"]

    def has_add_permission(self, request):
        return False
