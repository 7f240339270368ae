"""What every form of the web pages shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hexa.crm import services
from hexa.crm.errors import DomainError, InvalidInput
from hexa.crm.models import Employee
from hexa.lib.dates import iso_day, parse_typed_day


def model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field `name`, a choice of records whose queryset the form sets (to the
    type checker, `form.fields` holds plain fields)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def limited_text(max_length: int) -> dict[str, Any]:
    """The attributes of a text with a length limit: app.js counts its characters near the
    limit and says how many are too many. Not `maxlength`, which cuts a pasted text without
    a word; the domain refuses one too long, saying why."""
    return {
        "data-max-length": max_length,
        "data-count-text": gettext_lazy("%(count)s of %(max)s characters"),
        "data-over-text": gettext_lazy(
            "%(over)s characters too many: the limit is %(max)s. Shorten the text to record it."
        ),
    }


class Renderer(TemplatesSetting):
    """Form fields laid out as Pico CSS expects (hexa/web/templates/web/field.html)."""

    field_template_name = "web/field.html"


class DateInput(forms.DateInput):
    """A day typed as dd/mm/yyyy in a text field, whatever the browser's language.

    `<input type="date">` shows and checks dates in the browser's own format and language
    (mm/dd/yyyy in an en-US Chromium, "Please fill out this field" bubbles), not the one
    chosen in Hexa; Spanish and British English both write day/month/year. The field also
    takes `2026-11-29`, `29-11-2026`, `29.11.2026` and two-digit years (`29/11/26`): what it
    understands reaches the form's DateField as an ISO date, anything else as typed, so that
    the field says what is wrong with it. dates.js adds a calendar button (data-date-input).
    """

    input_type = "text"
    template_name = "web/date_input.html"
    FORMAT = "%d/%m/%Y"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        attrs = {
            "autocomplete": "off",
            "spellcheck": "false",
            "data-date-input": "",
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format=self.FORMAT, **kwargs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # At render time, in the language of the page.
        context["widget"]["attrs"].setdefault("placeholder", _("dd/mm/yyyy"))
        return context

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str) and (day := iso_day(value)) is not None:
            value = day  # normalised by value_from_datadict, or a report's ISO date
        if isinstance(value, dt.date):
            return value.strftime(self.FORMAT)
        return super().format_value(value)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str) and (day := parse_typed_day(value)) is not None:
            return day.isoformat()
        return value


def _ascii(value: Any, field: forms.Field) -> None:
    # Django reads numbers and dates with int() and strptime, which take the digits of
    # any script ("٣", full-width ones) as ASCII ones: Hexa takes ASCII digits only.
    if isinstance(value, str) and not value.strip().isascii():
        raise forms.ValidationError(field.error_messages["invalid"], code="invalid")


class AsciiIntegerField(forms.IntegerField):
    """A whole number in ASCII digits."""

    def to_python(self, value: Any) -> int | None:
        _ascii(value, self)
        return super().to_python(value)


class DayField(forms.DateField):
    """A day in ASCII digits (typed as DateInput reads it)."""

    def to_python(self, value: Any) -> dt.date | None:
        _ascii(value, self)
        return super().to_python(value)


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


class DedicationFields(forms.Form):
    """What every dedication form checks (the quick log's too): time as people write it, and
    the domain's rules on all the fields at once, so that every error shows together."""

    def clean_minutes(self) -> int | None:
        try:
            return services.minutes_from(self.cleaned_data.get("minutes"))
        except InvalidInput as error:
            raise forms.ValidationError(error.fields["minutes"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        self.check_destination(data)
        if data.get("date") is not None:
            try:
                services.validate_dedication(
                    employee=data.get("employee"),
                    text=(data.get("text") or "").strip(),
                    date=data["date"],
                    minutes=data.get("minutes"),
                    **self.validation_options(data),
                )
            except InvalidInput as error:
                for field, messages in error.fields.items():
                    if field not in self.errors:
                        self.add_error(field, messages)
        return data

    def check_destination(self, data: dict[str, Any]) -> None:
        """Where the dedication goes (project, task), checked before its fields."""

    def validation_options(self, data: dict[str, Any]) -> dict[str, Any]:
        """What else validate_dedication() is told."""
        return {"allow_inactive_employee": self.keeps_employee(data.get("employee"))}

    def keeps_employee(self, employee: Employee | None) -> bool:
        return False
