"""The reports' forms. They read the query string; what it means (periods, codes, the order
of dates) is decided by hexa.crm.services.reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hexa.crm.errors import InvalidInput
from hexa.crm.models import Employee, Project
from hexa.crm.services import reports
from hexa.crm.services.reports import GroupBy, Period, ReportFilters, StackBy, Step
from hexa.web.forms.base import DateInput, show_error
from hexa.web.forms.pickers import ClientField, ProjectField

CUSTOM = "custom"  # the dates typed below the period
ALL_TIME = "all"


class PeriodForm(forms.Form):
    """A named period, or dates. Choosing a period shows its dates in the date fields; the
    dates are used when the period is "Between dates" (reports.js switches to it when a date
    is typed)."""

    default_period = Period.THIS_MONTH
    data: MultiValueDict[str, Any]  # the copy made in __init__, which cleaning writes to

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[*Period.choices, (CUSTOM, _("Between dates")), (ALL_TIME, _("All time"))],
        required=False,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, data: Any, *, today: dt.date, **kwargs: Any) -> None:
        """`data`: the query string (an empty one is valid: the default report), or None
        for a form to fill, with no errors shown yet. A copy is kept: the form shows the
        period's dates (and the codes of the client and project found) in it once cleaned."""
        kwargs.setdefault("initial", {"period": self.default_period})
        super().__init__(data.copy() if data is not None else None, **kwargs)
        self.today = today
        # What the report covers: with a wrong filter, the others (see clean()).
        self.filters: ReportFilters | None = None

    def filter_inputs(self) -> dict[str, Any]:
        """What report_filters takes from this form, besides the period and the dates: the
        inputs cleaned without an error."""
        return {}

    def clean(self) -> dict[str, Any]:
        """The filters of the report. A wrong one (a client no one is called, a date that is
        not one, a range backwards) gets its message on its field, and the report covers the
        others all the same (`filters`, with errors on the form): a report never vanishes
        because of one field."""
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        period = data.get("period") or ""
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if "period" in self.errors:
            period = self.default_period
        elif not period:
            period = CUSTOM if date_from or date_to else self.default_period
        inputs = {
            "period": period if period not in (CUSTOM, ALL_TIME, "") else None,
            "date_from": date_from if period == CUSTOM else None,
            "date_to": date_to if period == CUSTOM else None,
            **self.filter_inputs(),
        }
        try:
            self.filters = reports.report_filters(today=self.today, **inputs)
        except InvalidInput as error:
            show_error(self, error)
            wrong = set(error.fields)
            inputs = {name: None if name in wrong else value for name, value in inputs.items()}
            if {"period", "date_from", "date_to"} & wrong:  # the default period instead
                inputs.update(period=self.default_period, date_from=None, date_to=None)
            try:
                self.filters = reports.report_filters(today=self.today, **inputs)
            except InvalidInput:  # pragma: no cover - every wrong input was left out
                self.filters = None
        if self.filters is None or self.errors.keys() & {"period", "date_from", "date_to"}:
            return data
        # Show what the report covers: the period chosen, and its dates in the date fields.
        self.data["period"] = period
        self.data["date_from"] = (
            self.filters.date_from.isoformat() if self.filters.date_from else ""
        )
        self.data["date_to"] = self.filters.date_to.isoformat() if self.filters.date_to else ""
        return data


def _employee_choices() -> list[tuple[str, str | Promise]]:
    # Everyone who may have dedications, those who left too: reports look back.
    employees = Employee.objects.order_by("name", "code").values_list("code", "name", "active")
    return [("", _("Everyone"))] + [
        (code, name if active else _("%(name)s (left)") % {"name": name})
        for code, name, active in employees
    ]


class ReportFilterForm(PeriodForm):
    """Which dedications: the period, and optionally a client, a project, an employee and a
    kind of project. Clients and projects are typed (there may be thousands): by code, or a
    name or tax id that names one, with suggestions as one types."""

    client = ClientField(label=_("Client"), required=False)
    project = ProjectField(label=_("Project"), required=False)
    # Typed as text, shown as a list: an unknown code gets the domain's message, not "choose
    # a valid option".
    employee = forms.CharField(label=_("Employee"), required=False, max_length=30)
    kind = forms.ChoiceField(
        label=_("Kind of project"),
        choices=[("", _("Any kind")), *Project.Kind.choices],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].widget = forms.Select(choices=_employee_choices())

    def filter_inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "client": _code_shown(self, "client"),
            "project": _code_shown(self, "project"),
            "employee": data.get("employee"),
            "kind": data.get("kind"),
        }


class ReportForm(ReportFilterForm):
    """The report page: the filters, then how to total and chart them."""

    group_by = forms.ChoiceField(
        label=_("Totals by"), choices=GroupBy.choices, required=False, initial=GroupBy.CLIENT
    )
    chart = forms.ChoiceField(
        label=_("Chart by"),
        # Automatic: weeks up to three months, months beyond (reports.default_step).
        choices=[("", _("Automatic")), *Step.choices],
        required=False,
    )
    stack = forms.ChoiceField(
        label=_("Split by"), choices=StackBy.choices, required=False, initial=StackBy.CLIENT
    )

    def view(self) -> tuple[GroupBy, Step | None, StackBy]:
        data = self.cleaned_data
        return (
            GroupBy(data.get("group_by") or GroupBy.CLIENT),
            Step(data["chart"]) if data.get("chart") else None,
            StackBy(data.get("stack") or StackBy.CLIENT),
        )


class ExportForm(ReportFilterForm):
    """A download of the report's entries or totals."""

    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    group_by = forms.ChoiceField(choices=GroupBy.choices, required=False)


class StatementForm(PeriodForm):
    """A client's statement: the client (typed as in the reports), the period, and how to
    have it."""

    default_period = Period.LAST_MONTH

    client = ClientField(label=_("Client"))
    format = forms.ChoiceField(
        choices=[("html", "HTML"), ("pdf", "PDF"), ("xlsx", "XLSX")],
        required=False,
        widget=forms.HiddenInput(),
    )

    def filter_inputs(self) -> dict[str, Any]:
        return {"client": _code_shown(self, "client")}


def _code_shown(form: PeriodForm, name: str) -> str | None:
    """The code of the client or project found for field `name`, now shown in the field in
    place of what was typed ("hotel sol" becomes HOTELSOL)."""
    found = form.cleaned_data.get(name)
    if found is None:
        return None
    form.data[name] = found.code
    return found.code
