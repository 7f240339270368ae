"""API tokens in the admin: seen, and revoked; never edited, so a revoked or expired token
cannot be brought back (its `revoked_at` cleared) from here."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hexa.api import tokens
from hexa.api.models import ApiToken
from hexa.crm.admin import ViewOnlyAdmin
from hexa.lib.requests import AuthenticatedRequest


@admin.register(ApiToken)
class ApiTokenAdmin(ViewOnlyAdmin):
    """Tokens are issued on the tokens page or with `hexa token create`."""

    list_display = ["hint", "user", "name", "created_at", "expires_on", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["user", "name", "hint", "created_at", "expires_on", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: AuthenticatedRequest, queryset: QuerySet[ApiToken]) -> None:
        count = tokens.revoke_tokens(queryset, by=request.user)
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
