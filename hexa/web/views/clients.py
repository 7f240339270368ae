"""The client explorer (home page), the client page, and creating, editing, archiving and
restoring clients."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hexa.crm import services
from hexa.crm.services import queries
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms import ExplorerForm
from hexa.web.forms.management import ClientForm, RestoreForm
from hexa.web.views.common import (
    PAGE_SIZE,
    KeysFirstPaginator,
    client_or_404,
    form_page,
    is_htmx,
    posted,
    query_without,
    safe_next,
    suggestions_response,
)


def explorer(request: AuthenticatedRequest) -> HttpResponse:
    """The client explorer: search, filters, sorting, pages."""
    form = ExplorerForm(request.GET)
    filters = form.filters()
    clients = queries.explore_clients(**filters)
    page = KeysFirstPaginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "order": filters["order"],
        "chosen_order": form.chosen_order(),
        "today": timezone.localdate(),
        "query": query_without(request, "page", "order"),
        "page_query": query_without(request, "page"),
    }
    template = "web/explorer.html"
    if is_htmx(request) and request.htmx.target == "client-table":
        template += "#client-table"
    return TemplateResponse(request, template, context)


def client_suggestions(request: AuthenticatedRequest) -> HttpResponse:
    """The clients a picker suggests for what was typed (the explorer's search)."""
    return suggestions_response(
        request,
        lambda q, archived: queries.search_clients(q, include_archived=archived),
        also="archived",
    )


@require_GET
def client_row(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """One client's row of the explorer, for htmx to refresh it in place after a quick log."""
    found = queries.explore_clients(include_archived=True)
    client = get_object_or_404(found, code=services.normalize_code(code))
    context = {"client": client, "today": timezone.localdate()}
    return TemplateResponse(request, "web/explorer.html#client-row", context)


def client_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The client page; with htmx, only its lists (refreshed after a quick log)."""
    client = client_or_404(code)
    template = "web/client.html"
    if is_htmx(request) and request.htmx.target == "client-lists":
        template += "#client-lists"
    return TemplateResponse(
        request,
        template,
        {
            "client": client,
            "overview": queries.client_overview(client),
            "today": timezone.localdate(),
        },
    )


def client_new(request: AuthenticatedRequest) -> HttpResponse:
    form = ClientForm(posted(request))

    def save(data: dict) -> tuple[str, str]:
        client = services.create_client(**data)
        return (
            _("Client %(code)s created.") % {"code": client.code},
            reverse("web:client", args=[client.code]),
        )

    return form_page(
        request,
        form,
        save=save,
        title=_("New client"),
        submit=_("Create client"),
        cancel=reverse("web:explorer"),
        context={"crumbs": [(_("Clients"), reverse("web:explorer")), (_("New client"), None)]},
    )


def client_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    client = client_or_404(code)
    initial = {
        name: getattr(client, name) for name in ("name", "tax_id", "email", "phone", "notes")
    }
    form = ClientForm(posted(request), initial=initial, editing=True)
    here = reverse("web:client", args=[client.code])

    def save(data: dict) -> tuple[str, str]:
        services.update_client(client, **data)
        return _("Client %(code)s saved.") % {"code": client.code}, here

    return form_page(
        request,
        form,
        save=save,
        title=_("Edit %(code)s") % {"code": client.code},
        submit=_("Save"),
        cancel=here,
        context={
            "crumbs": [
                (_("Clients"), reverse("web:explorer")),
                (client.code, here),
                (_("Edit"), None),
            ]
        },
    )


@require_POST
def client_archive(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Archive the client (it leaves the explorer and takes no new work), or restore it."""
    client = client_or_404(code)
    form = RestoreForm(request.POST)
    restore = form.is_valid() and form.cleaned_data["restore"]
    services.update_client(client, active=restore)
    if restore:
        messages.success(request, _("Client %(code)s restored.") % {"code": client.code})
    else:
        messages.success(
            request,
            _("Client %(code)s archived: it no longer appears among the clients.")
            % {"code": client.code},
        )
    return redirect(safe_next(request, reverse("web:client", args=[client.code])))
