"""The web pages. Each view parses its input with a form, calls the domain, and renders.

Pages work without JavaScript; with htmx they swap only the part that changed (template
partials named `page.html#part`).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hexa.crm import services
from hexa.crm.errors import AmbiguousProject, DomainError, IdempotencyConflict, InvalidInput
from hexa.crm.models import Client, Dedication
from hexa.crm.services import queries
from hexa.web.forms import ExplorerForm, ProjectChoiceForm, QuickLogForm

PAGE_SIZE = 25


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def explorer(request: HttpRequest) -> HttpResponse:
    """The client explorer (home page): search, filters, sorting, pages."""
    form = ExplorerForm(request.GET)
    filters = form.filters()
    clients = queries.explore_clients(**filters)
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "order": filters["order"],
        "today": timezone.localdate(),
        "query": _query_without(request, "page", "order"),
        "page_query": _query_without(request, "page"),
    }
    template = "web/explorer.html"
    if _is_htmx(request) and request.htmx.target == "client-table":
        template += "#client-table"
    return TemplateResponse(request, template, context)


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def client_detail(request: HttpRequest, code: str) -> HttpResponse:
    client = get_object_or_404(Client, code=services.normalize_code(code))
    return TemplateResponse(
        request,
        "web/client.html",
        {
            "client": client,
            "overview": queries.client_overview(client),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def quick_log(request: HttpRequest, code: str) -> HttpResponse:
    """The quick-log form of one client: a dialog over the page with htmx, a page without."""
    client = get_object_or_404(Client, code=services.normalize_code(code))
    back = _back_url(request, client)
    if request.method == "POST":
        form = QuickLogForm(request.POST, client=client, user=request.user)
        if form.is_valid():
            try:
                result = services.quick_log(
                    **form.quick_log_arguments(),
                    recorded_by=request.user,
                    via=Dedication.Via.WEB,
                )
            except IdempotencyConflict:
                form.add_error(
                    None,
                    _(
                        "This form had already been sent with other values. Press Finish "
                        "again to record it as a new dedication."
                    ),
                )
                form.renew_token()
            except AmbiguousProject:
                # Another project became active meanwhile: the form now asks for a choice.
                form = QuickLogForm(request.POST, client=client, user=request.user)
                form.is_valid()
            except InvalidInput as error:
                for field, field_messages in error.fields.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return _logged(request, result, back)
    else:
        form = QuickLogForm(client=client, user=request.user)
    template = "web/quick_log.html"
    if _is_htmx(request):
        template += "#quick-log-form"
    return TemplateResponse(
        request,
        template,
        {"client": client, "form": form, "back": back, "archived": not client.active},
    )


@require_GET
def quick_log_follow_up(request: HttpRequest, code: str) -> HttpResponse:
    """The next follow-up field again, pre-filled for the project just chosen (htmx)."""
    client = get_object_or_404(Client, code=services.normalize_code(code))
    form = QuickLogForm(client=client, user=request.user)
    choice = ProjectChoiceForm(request.GET, candidates=form.plan.candidates)
    if not choice.is_valid() or choice.follow_up_edited:
        return HttpResponse(status=204)  # nothing to change
    form = QuickLogForm(client=client, user=request.user, project=choice.cleaned_data["project"])
    return TemplateResponse(
        request, "web/quick_log.html#next-follow-up", {"client": client, "form": form}
    )


def _back_url(request: HttpRequest, client: Client) -> str:
    """Where the form returns: the page it was opened from, if it is one of ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:explorer")


def _logged(request: HttpRequest, result: services.QuickLogResult, back: str) -> HttpResponse:
    """After Finish: with htmx, close the dialog and update the page in place (the explorer
    row or the client page's lists); without, go back with the message."""
    summary = result.summary()
    if not _is_htmx(request):
        messages.success(request, summary)
        return redirect(back)
    client = result.dedication.client
    on_client_page = (request.htmx.current_url_abs_path or "").startswith(
        reverse("web:client", args=[client.code])
    )
    context = {
        "summary": summary,
        "today": timezone.localdate(),
        "client": client,
        "row": queries.explore_clients(include_archived=True).get(pk=client.pk),
        "overview": queries.client_overview(client) if on_client_page else None,
    }
    response = TemplateResponse(request, "web/quick_log_done.html", context)
    response["HX-Trigger-After-Settle"] = json.dumps({"hexa:quick-logged": {"client": client.code}})
    return response
