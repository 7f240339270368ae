"""The reports' pages: totals of dedications with a chart, their entries, downloads, and a
client's statement. Thin: the form parses, hexa.crm.services.reports computes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hexa.crm.services import reports
from hexa.crm.services.reports import Chart, ReportFilters, Totals
from hexa.lib.exports import CsvStyle, csv_response, private_download, xlsx_table_response
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.documents import period_text, statement_pdf, statement_xlsx
from hexa.web.forms.reporting import (
    ALL_TIME,
    CUSTOM,
    ExportForm,
    ReportFilterForm,
    ReportForm,
    StatementForm,
)
from hexa.web.views.common import is_htmx, query_without

ENTRIES_PAGE = 50
# The totals table shows the groups with most time; the rest are one line (the downloads
# have them all): a page of 10,000 clients would take seconds to render and to read.
TOTALS_SHOWN = 100
ENTRY_WIDTHS = [9, 11, 12, 30, 16, 30, 12, 8, 30, 12, 24, 9, 80]


def _inputs(filters: ReportFilters) -> dict[str, str]:
    """The query string of `filters`, with the period that says how to read it: the dates
    given, or all time (without one, the page would fall back to its default period)."""
    period = CUSTOM if filters.date_from or filters.date_to else ALL_TIME
    return {"period": period, **filters.inputs()}


def _link(name: str, filters: ReportFilters, **extra: str) -> str:
    """The address of a reports page over `filters` (and `extra` inputs)."""
    return f"{reverse(name)}?{urlencode({**_inputs(filters), **extra})}"


def _chart_label(period: reports.ChartPeriod, step: reports.Step) -> str:
    """A bar's label, short so that a quarter's weeks fit a phone: a week's first and last
    day, joined by an en dash (2-8 Nov, 26 Oct-1 Nov); a month (Nov 2026); a month cut short
    by the range or by today says its days too (1-18 Nov); a single day is that day (1 Nov)."""
    if step == reports.Step.MONTH and period.whole:
        return date_format(period.start, "M Y")
    if period.start == period.end:
        return date_format(period.start, "j M")
    same_month = (period.start.year, period.start.month) == (period.end.year, period.end.month)
    first = date_format(period.start, "j" if same_month else "j M")
    return f"{first}\N{EN DASH}{date_format(period.end, 'j M')}"


def _period_entries(filters: ReportFilters, period: reports.ChartPeriod, **extra: str) -> str:
    """The dedications of one of the chart's periods (and `extra` filters: a series')."""
    days = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    query = {**_inputs(filters), "period": CUSTOM, **days, **extra}
    return f"{reverse('web:report-entries')}?{urlencode(query)}"


def _chart_data(chart: Chart, filters: ReportFilters) -> dict[str, Any]:
    """What reports.js draws, for json_script: labels, per series its minutes, and what a
    click on a bar opens: the entries of its period (and of its series, but for "Other")."""
    return {
        "step": chart.step.value,
        "labels": [_chart_label(period, chart.step) for period in chart.periods],
        "series": [
            {"code": series.code, "name": series.name, "minutes": series.minutes}
            for series in chart.series
        ],
        "axis": _("Hours"),
        "entries": [_period_entries(filters, period) for period in chart.periods],
        "stack": chart.stack_by.value,
    }


def _chart_rows(chart: Chart, filters: ReportFilters) -> list[dict[str, Any]]:
    """The chart's figures as a table, each period and figure leading to its entries."""
    rows = []
    for period, figures, total in reports.chart_table(chart):
        cells = [
            (
                name,
                minutes,
                _period_entries(filters, period, **{chart.stack_by.value: series.code})
                if minutes and series.code
                else "",
            )
            for series, (name, minutes) in zip(chart.series, figures, strict=True)
        ]
        rows.append(
            {
                "period": period,
                "label": _chart_label(period, chart.step),
                "url": _period_entries(filters, period),
                "cells": cells,
                "total": total,
            }
        )
    return rows


def _rows(totals: Totals, filters: ReportFilters) -> list[tuple[reports.Total, str]]:
    """The totals shown, each with the address of its entries (the drill-down)."""
    entries = reverse("web:report-entries")
    rows = []
    for row in totals.rows:
        narrowed = row.drill_down()
        query = {**_inputs(filters), **narrowed}
        if "date_from" in narrowed:  # a week's or a month's: its own days
            query["period"] = CUSTOM
        rows.append((row, f"{entries}?{urlencode(query)}"))
    return rows


def _rest(totals: Totals) -> dict[str, int] | None:
    """The groups not shown, together: how many, their time and dedications."""
    if not totals.more:
        return None
    return {
        "groups": totals.groups - len(totals.rows),
        "minutes": totals.minutes - sum(row.minutes for row in totals.rows),
        "count": totals.count - sum(row.count for row in totals.rows),
    }


def _statement_link(filters: ReportFilters, **extra: str) -> str:
    """The statement of the filters' client over their dates (its only inputs)."""
    inputs = _inputs(filters)
    keep: dict[str, str] = {
        name: inputs[name]
        for name in ("client", "period", "date_from", "date_to")
        if name in inputs
    }
    return f"{reverse('web:report-statement')}?{urlencode({**keep, **extra})}"


@require_GET
def report(request: AuthenticatedRequest) -> HttpResponse:
    """Totals of the filtered dedications by client, project, employee, week or month, and
    the chart of time per week or month."""
    form = ReportForm(request.GET, today=timezone.localdate())
    context: dict[str, Any] = {"form": form}
    # A wrong filter is said on its field; the report covers the others (ReportForm.clean).
    if form.is_valid() or form.filters is not None:
        assert form.filters is not None
        filters = form.filters
        group_by, step, stack_by = form.view()
        totals = reports.totals(filters, group_by=group_by, limit=TOTALS_SHOWN)
        chart = reports.chart(
            filters, step=step, stack_by=stack_by, today=timezone.localdate(), totals_by=totals
        )
        view = {"group_by": group_by.value}
        context.update(
            filters=filters,
            totals=totals,
            rows=_rows(totals, filters),
            rest=_rest(totals),
            chart=chart,
            chart_data=_chart_data(chart, filters),
            chart_rows=_chart_rows(chart, filters),
            entries_url=_link("web:report-entries", filters),
            statement_url=_statement_link(filters) if filters.client else None,
            downloads=[
                (_("Totals, CSV"), _link("web:report-export", filters, **view, format="csv")),
                (_("Totals, XLSX"), _link("web:report-export", filters, **view, format="xlsx")),
                (_("Entries, CSV"), _link("web:report-export", filters, format="csv")),
                (_("Entries, XLSX"), _link("web:report-export", filters, format="xlsx")),
            ],
        )
    template = "reporting/report.html"
    if is_htmx(request) and request.htmx.target == "report":
        template += "#report"
    return TemplateResponse(request, template, context)


@require_GET
def entries(request: AuthenticatedRequest) -> HttpResponse:
    """The filtered dedications themselves, oldest first, by pages: where a total leads."""
    form = ReportFilterForm(request.GET, today=timezone.localdate())
    context: dict[str, Any] = {"form": form}
    if form.is_valid() or form.filters is not None:
        assert form.filters is not None
        filters = form.filters
        minutes, count = reports.summary(filters)
        page = Paginator(reports.entries(filters), ENTRIES_PAGE).get_page(request.GET.get("page"))
        context.update(
            filters=filters,
            minutes=minutes,
            count=count,
            page=page,
            page_query=query_without(request, "page"),
            report_url=_link("web:reports", filters),
            downloads=[
                ("CSV", _link("web:report-export", filters, format="csv")),
                ("XLSX", _link("web:report-export", filters, format="xlsx")),
            ],
        )
    return TemplateResponse(request, "reporting/entries.html", context)


def _filename(stem: str, filters: ReportFilters, extension: str) -> str:
    parts = [stem]
    for code in (filters.client, filters.project, filters.employee):
        if code is not None:
            parts.append(code.code)
    if filters.date_from:
        parts.append(filters.date_from.isoformat())
    if filters.date_to:
        parts.append(filters.date_to.isoformat())
    return "-".join(parts) + "." + extension


@require_GET
def export(request: AuthenticatedRequest) -> HttpResponseBase:
    """The filtered entries (or, with `group_by`, their totals) as CSV or XLSX. Bad filters
    show the report page with the errors (400)."""
    form = ExportForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return TemplateResponse(request, "reporting/report.html", {"form": form}, status=400)
    assert form.filters is not None
    filters = form.filters
    kind = form.cleaned_data["format"]
    # For people, in their language: its words, and a CSV as its spreadsheets read them.
    style = CsvStyle.for_spreadsheets(get_format("DECIMAL_SEPARATOR"))
    if group_by := form.cleaned_data.get("group_by"):
        totals = reports.totals(filters, group_by=group_by)
        columns = reports.total_columns(group_by)
        header = [column.label for column in columns]
        rows = reports.readable_rows(columns, reports.total_rows(totals))
        stem = _("totals") + "-" + slugify(reports.GroupBy(group_by).label)
        name = _filename(stem, filters, kind)
        if kind == "csv":
            return csv_response(header, rows, filename=name, style=style)
        return xlsx_table_response(_("Totals"), header, rows, filename=name)
    columns = reports.entry_columns()
    header = [column.label for column in columns]
    rows = reports.readable_rows(columns, reports.entry_rows(filters))
    name = _filename(_("activities"), filters, kind)
    if kind == "csv":
        return csv_response(header, rows, filename=name, style=style)
    return xlsx_table_response(_("Activities"), header, rows, filename=name, widths=ENTRY_WIDTHS)


@require_GET
def statement(request: AuthenticatedRequest) -> HttpResponseBase:
    """A client's statement over a period: a printable page, a PDF or a workbook."""
    today = timezone.localdate()
    asked = "client" in request.GET  # the first visit shows the form without errors
    form = StatementForm(request.GET if asked else None, today=today)
    context: dict[str, Any] = {"form": form, "asked": asked}
    if asked and form.is_valid():
        assert form.filters is not None
        filters = form.filters
        document = reports.statement(filters)
        kind = form.cleaned_data.get("format") or "html"
        name = _filename(_("statement"), filters, kind)
        if kind == "pdf":
            response = HttpResponse(
                statement_pdf(document, generated=today), content_type="application/pdf"
            )
            response["Content-Disposition"] = content_disposition_header(True, name)
            return private_download(response)
        if kind == "xlsx":
            return statement_xlsx(document, filename=name)
        context.update(
            statement=document,
            period=period_text(document),
            filters=filters,
            pdf_url=_statement_link(filters, format="pdf"),
            xlsx_url=_statement_link(filters, format="xlsx"),
            report_url=_link("web:reports", filters),
        )
    # A download asked for with bad input gets the page with the errors, as a 400.
    download = form.data.get("format") in ("pdf", "xlsx")
    status = 400 if asked and form.errors and download else 200
    return TemplateResponse(request, "reporting/statement.html", context, status=status)
