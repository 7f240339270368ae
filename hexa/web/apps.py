from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "hexa.web"
    verbose_name = _("Web")

    def ready(self) -> None:
        # The empty choice of a select: Django 6.1's "- Select an option -" has no Spanish
        # in Django's own catalog yet. Django documents this override (in an app's ready()).
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("Choose…")
