from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "hexa.crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        # Connects the logging of failed sign-ins and lockouts.
        # Registers the search's `hexa_fold` function on every SQLite connection.
        from hexa.crm import search  # noqa: F401
        from hexa.crm.services import lockouts  # noqa: F401
