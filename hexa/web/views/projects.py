"""Projects: the list, a project's page, creating, editing, closing and reopening."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexa.crm import services
from hexa.crm.errors import Conflict, DomainError
from hexa.crm.models import Client, Project
from hexa.crm.services import queries
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.base import show_error
from hexa.web.forms.management import CloseProjectForm, ProjectFilterForm, ProjectForm
from hexa.web.views.common import (
    PAGE_SIZE,
    form_page,
    posted,
    project_or_404,
    query_without,
    suggestions_response,
)

PENDING_SHOWN = 20  # on the page that closes a project; "and N more" says the rest


def project_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET)
    form.is_valid()  # a wrong filter is said on its field; the list keeps the others
    filters = form.cleaned_data
    client = filters.get("client")
    projects = queries.list_projects(
        q=filters.get("q") or "",
        client=client.code if client else None,
        status=filters.get("status") or None,
        kind=filters.get("kind") or None,
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "web/projects.html",
        {"form": form, "page": page, "page_query": query_without(request, "page")},
    )


def project_suggestions(request: AuthenticatedRequest) -> HttpResponse:
    """The projects a picker suggests for what was typed: by code or name, or their
    client's."""
    return suggestions_response(
        request, lambda q, closed: queries.search_projects(q, include_closed=closed), also="closed"
    )


def project_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    project = project_or_404(code)
    return TemplateResponse(
        request,
        "web/project.html",
        {
            "project": project,
            "overview": queries.project_overview(project),
            "today": timezone.localdate(),
        },
    )


def project_new(request: AuthenticatedRequest) -> HttpResponse:
    client = Client.objects.filter(
        code=services.normalize_code(request.GET.get("client", ""))
    ).first()
    form = ProjectForm(posted(request), client=client)
    cancel = reverse("web:client", args=[client.code]) if client else reverse("web:projects")

    def save(data: dict) -> tuple[str, str]:
        project = services.create_project(**data)
        return (
            _("Project %(code)s created.") % {"code": project.code},
            reverse("web:project", args=[project.code]),
        )

    return form_page(
        request,
        form,
        save=save,
        title=_("New project"),
        submit=_("Create project"),
        cancel=cancel,
        context={"crumbs": [(_("Projects"), reverse("web:projects")), (_("New project"), None)]},
    )


def project_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    project = project_or_404(code)
    form = ProjectForm(
        posted(request),
        initial={"name": project.name, "kind": project.kind},
        editing=True,
    )
    here = reverse("web:project", args=[project.code])

    def save(data: dict) -> tuple[str, str]:
        services.update_project(project, **data)
        return _("Project %(code)s saved.") % {"code": project.code}, here

    return form_page(
        request,
        form,
        save=save,
        title=_("Edit project %(code)s") % {"code": project.code},
        submit=_("Save"),
        cancel=here,
        context={
            "crumbs": [
                (_("Projects"), reverse("web:projects")),
                (project.code, here),
                (_("Edit"), None),
            ]
        },
    )


def project_close(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Close a project. With pending tasks, the page lists them once and asks to confirm."""
    project = project_or_404(code)
    here = reverse("web:project", args=[project.code])
    form = CloseProjectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(
                project, status=Project.Status.CLOSED, confirm=form.cleaned_data["confirm"]
            )
        except Conflict as error:
            if error.code != "pending_tasks":
                raise
            # The page already says what closing does to them: point at what to do.
            form.add_error(
                "confirm", _("Not closed: confirm here to close it with its pending tasks.")
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Project %(code)s closed.") % {"code": project.code})
            return redirect(here)
    pending = queries.pending_tasks(project)
    shown = list(pending[:PENDING_SHOWN])
    count = len(shown) if len(shown) < PENDING_SHOWN else pending.count()
    return TemplateResponse(
        request,
        "web/project_close.html",
        {
            "project": project,
            "form": form,
            "pending": count,
            "pending_tasks": shown,
            "more": count - len(shown),
            "today": timezone.localdate(),
            "cancel": here,
        },
    )


@require_POST
def project_reopen(request: AuthenticatedRequest, code: str) -> HttpResponse:
    project = project_or_404(code)
    try:
        services.update_project(project, status=Project.Status.ACTIVE)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Project %(code)s reopened.") % {"code": project.code})
    return redirect("web:project", project.code)
