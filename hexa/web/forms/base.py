"""What every form of the web pages shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

from hexa.crm.errors import DomainError, InvalidInput


class Renderer(TemplatesSetting):
    """Form fields laid out as Pico CSS expects (hexa/web/templates/web/field.html)."""

    field_template_name = "web/field.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def show_error(form: forms.Form, error: DomainError) -> None:
    """Put a domain error on the form: on the fields at fault, or above the form."""
    fields: dict[str, list[str]] = dict(error.fields) if isinstance(error, InvalidInput) else {}
    if not fields and (field := error.details.get("field")):
        fields = {field: [error.message]}
    if not fields:
        form.add_error(None, error.message)
        return
    for name, messages in fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
