from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hexa.api"
    verbose_name = _("API")

    def ready(self) -> None:
        # Connects the revocation of a deactivated user's tokens.
        from hexa.api import tokens  # noqa: F401
