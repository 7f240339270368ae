"""What the views share: looking up what a URL names, rendering a form page, and going back
after a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from hexa.crm import services
from hexa.crm.errors import DomainError, Forbidden, NotFound
from hexa.crm.models import Client, Project, Task
from hexa.crm.services import is_manager, queries
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.base import show_error
from hexa.web.forms.pickers import SuggestionsForm

PAGE_SIZE = 25
"""Rows per page of the clients', projects' and tasks' lists."""


class KeysFirstPaginator(Paginator):
    """A Paginator whose page reads the rows it skips from the order's index only, and
    computes what is annotated for the page's rows only (queries.page_of); and that counts
    the rows only when the page it reads is full (queries.count_from_page)."""

    def get_page(self, number: Any) -> Page:
        """The first page is read before it is counted: a search that finds less than a
        page needs no count. Any other page is counted first, as Django does (a page past
        the last one is then the last one)."""
        if str(number or 1) != "1" or self.orphans or "count" in self.__dict__:
            return super().get_page(number)
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # the views pass a QuerySet
        found = queries.page_of(rows, offset=0, limit=self.per_page)
        count = queries.count_from_page(offset=0, limit=self.per_page, found=len(found))
        self.__dict__["count"] = rows.count() if count is None else count  # the cached property
        return Page(found, 1, self)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # the views pass a QuerySet
        return Page(queries.page_of(rows, offset=bottom, limit=top - bottom), number, self)


def client_or_404(code: str) -> Client:
    """The client of a page's address (a statement compiled once: every client page, quick
    log and timer asks)."""
    try:
        return services.client_by_code(code)
    except NotFound as missing:
        raise Http404(missing.message) from None


def project_or_404(code: str) -> Project:
    return get_object_or_404(
        Project.objects.select_related("client"), code=services.normalize_code(code)
    )


def task_or_404(task_id: int) -> Task:
    return get_object_or_404(
        Task.objects.select_related("project__client", "assigned_to"), pk=task_id
    )


def query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def suggestions_response(
    request: HttpRequest, search: Callable[[str, bool], QuerySet[Any]], *, also: str
) -> HttpResponse:
    """What a picker suggests for what was typed: `search(q, also)` where `also` names the
    checkbox that lets archived clients or closed projects in; one more than shown, to say
    there are more."""
    form = SuggestionsForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    q = data.get("q") or ""
    found = list(search(q, bool(data.get(also)))[: queries.SUGGESTIONS + 1]) if q.strip() else []
    return TemplateResponse(
        request,
        "web/suggestions.html",
        {"items": found[: queries.SUGGESTIONS], "more": len(found) > queries.SUGGESTIONS, "q": q},
    )


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address the form carries, if it is one of ours; else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def require_manager_page(request: AuthenticatedRequest) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], tuple[str, str]],
    title: str,
    submit: str,
    cancel: str,
    context: dict[str, Any] | None = None,
    template: str = "web/form_page.html",
) -> HttpResponse:
    """GET shows `form`; a valid POST calls `save(cleaned_data)`, which calls the domain and
    returns (message, address to go to). Domain errors go back on the form, at the field at
    fault; a permission error is a 403."""
    if request.method == "POST" and form.is_valid():
        try:
            message, address = save(form.cleaned_data)
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, message)
            return redirect(address)
    return TemplateResponse(
        request,
        template,
        {
            "form": form,
            "title": title,
            "submit": submit,
            "cancel": cancel,
            "next": safe_next(request, cancel),
            **(context or {}),
        },
    )


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one), None for a GET: `Form(request.POST or
    None)` would take an empty POST for a GET and never say what is missing."""
    return request.POST if request.method == "POST" else None
