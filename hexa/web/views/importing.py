"""Import pages: upload a file, see what each row will do (paged), confirm, and watch it
being applied chunk by chunk. The plan lives in the database (ImportJob), so any app process
can serve any of these requests.

With JavaScript, htmx asks again and again for the next chunks and swaps the progress bar;
without it, the confirm button applies chunks for a few seconds, then shows the progress with
a Continue button if rows are left."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from hexa.crm.errors import Conflict, Forbidden, InvalidInput, NotFound
from hexa.crm.models import ImportAction, ImportJob, ImportKind, ImportRow, ImportStatus, Via
from hexa.crm.services import imports
from hexa.crm.services.permissions import can_import
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.base import show_error
from hexa.web.forms.importing import FAILED, ImportFileForm, RowsForm
from hexa.web.views.common import is_htmx, posted

ROWS_PER_PAGE = 50
# How long one request goes on applying chunks (at least one). With htmx, short enough for
# the bar to move a few times a second, long enough not to spend the time on requests;
# without JavaScript, long (well within a worker's timeout), so that a file of 10,000 rows
# usually takes one click.
PROGRESS_SECONDS = 0.3
NO_SCRIPT_SECONDS = 5.0
DONE_EVENT = "hexa:import-done"


def _allowed(request: AuthenticatedRequest, kind: str) -> None:
    if not can_import(request.user, kind):
        raise PermissionDenied


def _job(request: AuthenticatedRequest, pk: int) -> ImportJob:
    try:
        return imports.import_by_id(pk, by=request.user)
    except NotFound:
        raise Http404 from None


def _import_back(kind: str) -> tuple[str, str, str]:
    """The list that imports of `kind` fill: its name, a link's words, and its address."""
    if kind == ImportKind.EMPLOYEES:
        return _("Employees"), _("See the employees"), reverse("web:employees")
    return _("Clients"), _("See the clients"), reverse("web:explorer")


def upload(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    """The file form; a good file is planned, kept, and shown as a preview."""
    _allowed(request, kind)
    form = ImportFileForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            plan = imports.plan_import(
                file.read(), kind=kind, by=request.user, file_name=file.name or ""
            )
            job = imports.save_plan(plan, by=request.user, via=Via.WEB)
        except Forbidden:
            raise PermissionDenied from None
        except InvalidInput as error:
            show_error(form, error)
        else:
            return redirect("web:import", pk=job.pk)
    back_label, _see, back_url = _import_back(kind)
    return TemplateResponse(
        request,
        "importing/upload.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": ImportKind(kind).label,
            "spec": imports.spec_for(kind),
            "max_rows": imports.MAX_ROWS,
            "recent": imports.recent_imports(by=request.user, kind=kind),
            "back_label": back_label,
            "back_url": back_url,
        },
    )


def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The preview of a plan (then its result): counts, columns and the rows, paged."""
    job = _job(request, pk)
    rows_form = RowsForm(request.GET)
    show = rows_form.show_value()
    rows = job.plan_rows.order_by("number")
    if show == FAILED:
        rows = rows.filter(outcome=ImportAction.ERROR)
    elif show:
        rows = rows.filter(action=show)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    labels = _labels(job.kind)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_status_context(job),
        "page": page,
        "rows": [_shown_row(job, row, labels) for row in page],
        "show": show,
        "filters": _filters(job),
        "page_query": query.urlencode(),
        "rows_url": request.get_full_path(),
    }
    template = "importing/detail.html"
    if is_htmx(request) and request.htmx.target == "import-rows":
        template += "#import-rows"
    return TemplateResponse(request, template, context)


@require_POST
def apply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Confirm a plan (the first time) and apply the next chunks of it: for a moment with
    htmx, which swaps the progress and asks again; for a few seconds without."""
    job = _job(request, pk)
    try:
        job = imports.confirm_import(job, by=request.user)
        seconds = PROGRESS_SECONDS if is_htmx(request) else NO_SCRIPT_SECONDS
        deadline = time.monotonic() + seconds
        job = imports.apply_import(
            job, by=request.user, keep_going=lambda _now: time.monotonic() < deadline
        )
    except Forbidden:
        raise PermissionDenied from None
    except Conflict as error:  # nothing to import: the page says so, without the button
        messages.error(request, error.message)
        return _to_detail(request, job)
    if not is_htmx(request):
        return _to_detail(request, job)
    response = TemplateResponse(request, "importing/status.html", _status_context(job))
    if job.status == ImportStatus.DONE:
        response["HX-Trigger"] = DONE_EVENT  # the rows below refresh with their outcomes
    return response


@require_POST
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        imports.cancel_import(job, by=request.user)
    except Forbidden:
        raise PermissionDenied from None
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("web:import", pk=job.pk)
    messages.success(
        request, _("Import of %(file)s cancelled: nothing was written.") % {"file": job.file_name}
    )
    return redirect(f"web:import-{job.kind}")


def _to_detail(request: AuthenticatedRequest, job: ImportJob) -> HttpResponse:
    address = reverse("web:import", args=[job.pk])
    # htmx would follow a redirect and put the whole page in the progress' place.
    return HttpResponseClientRedirect(address) if is_htmx(request) else redirect(address)


def _labels(kind: str) -> dict[str, str]:
    return {column.field: str(column.label) for column in imports.spec_for(kind).columns}


def _status_context(job: ImportJob) -> dict[str, Any]:
    back_label, see_them, back_url = _import_back(job.kind)
    labels = _labels(job.kind)
    return {
        "job": job,
        "kind_label": ImportKind(job.kind).label,
        "upload_url": reverse(f"web:import-{job.kind}"),
        "columns": [(header, labels.get(name, "")) for header, name in job.columns],
        "percent": job.processed * 100 // job.rows if job.rows else 100,
        "back_label": back_label,
        "back_url": back_url,
        "see_them": see_them,
    }


def _filters(job: ImportJob) -> list[tuple[str, str, int]]:
    """The row filters worth offering, with how many rows each shows."""
    shown = [
        ("", _("All"), job.rows),
        (ImportAction.CREATE.value, _("New"), job.to_create),
        (ImportAction.UPDATE.value, _("Changed"), job.to_update),
        (ImportAction.UNCHANGED.value, _("Unchanged"), job.unchanged),
        (ImportAction.ERROR.value, _("Wrong"), job.wrong),
        (FAILED, _("Failed"), job.failed),
    ]
    return [(value, label, count) for value, label, count in shown if count or not value]


@dataclass(frozen=True)
class ShownRow:
    number: int
    code: str
    name: str
    state: str  # CSS class of its badge
    badge: str
    reasons: list[tuple[str, str]]  # (field label or "", message)
    changes: list[tuple[str, str | None, str]]  # (field label, value now or None, new value)


def _shown_row(job: ImportJob, row: ImportRow, labels: dict[str, str]) -> ShownRow:
    """A row as the table shows it: what the plan does with it, or what was done."""
    applied = job.status != ImportStatus.PLANNED and row.number <= job.applied_through
    if applied and row.action == ImportAction.ERROR:
        state, badge = "skipped", _("skipped")
    elif applied:
        state = row.outcome
        badge = {
            ImportAction.CREATE: _("created"),
            ImportAction.UPDATE: _("updated"),
            ImportAction.UNCHANGED: _("unchanged"),
            ImportAction.ERROR: _("failed"),
        }[ImportAction(row.outcome)]
    else:
        state = row.action
        badge = {
            ImportAction.CREATE: _("new"),
            ImportAction.UPDATE: _("update"),
            ImportAction.UNCHANGED: _("unchanged"),
            ImportAction.ERROR: _("wrong"),
        }[ImportAction(row.action)]
    return ShownRow(
        number=row.number,
        code=row.code,
        name=row.name,
        state=state,
        badge=badge,
        reasons=[(labels.get(name, ""), message) for name, message in row.reasons],
        changes=[
            (labels.get(name, name), None if old is None else _text(old), _text(new))
            for name, (old, new) in row.changes.items()
        ],
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value) if value != "" else "—"
