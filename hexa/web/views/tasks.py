"""Tasks and incidents: the list, a task's page, creating (for a client or a project),
editing, completing, reopening, assigning and rescheduling."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexa.crm import services
from hexa.crm.errors import AmbiguousProject, DomainError, EitherOr
from hexa.crm.models import Task
from hexa.crm.services import queries
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.management import (
    AssignForm,
    RescheduleForm,
    TaskFilterForm,
    TaskForm,
    UndoForm,
)
from hexa.web.views.common import (
    PAGE_SIZE,
    KeysFirstPaginator,
    client_or_404,
    form_page,
    is_htmx,
    posted,
    project_or_404,
    query_without,
    safe_next,
    task_or_404,
)


def task_list(request: AuthenticatedRequest) -> HttpResponse:
    default: dict[str, Any] = {"status": Task.Status.PENDING}
    form = TaskFilterForm(request.GET or default)
    filters = form.cleaned_data if form.is_valid() else default
    tasks = queries.list_tasks(
        q=filters.get("q") or "",
        status=filters.get("status") or None,
        kind=filters.get("kind") or None,
        assigned_to=filters.get("assigned_to"),
    )
    page = KeysFirstPaginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "web/tasks.html",
        {
            "form": form,
            "page": page,
            "page_query": query_without(request, "page"),
            "today": timezone.localdate(),
        },
    )


def task_detail(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    task = task_or_404(task_id)
    return TemplateResponse(
        request,
        "web/task.html",
        {
            "task": task,
            "overview": queries.task_overview(task),
            "today": timezone.localdate(),
            "assign_form": AssignForm(initial={"assigned_to": task.assigned_to}),
            "reschedule_form": RescheduleForm(),
        },
    )


def _new_task_page(
    request: AuthenticatedRequest,
    *,
    form: TaskForm,
    save: Callable[[dict[str, Any]], tuple[str, str]],
    cancel: str,
    crumbs: list[tuple[str, str]],
) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or "task"
    title = _("New incident") if kind == Task.Kind.INCIDENT else _("New task")
    return form_page(
        request,
        form,
        save=save,
        title=title,
        submit=_("Create"),
        cancel=cancel,
        context={"crumbs": [*crumbs, (title, None)]},  # "New incident", not "New"
        template="web/task_form.html",
    )


def client_task_new(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """A task or incident for a client: on the project the quick log would use, or one of its
    active projects chosen in the form."""
    client = client_or_404(code)
    plan = services.plan_quick_log(client=client)
    initial = {"kind": request.GET.get("kind", "task"), "project": plan.project}
    form = TaskForm(posted(request), client=client, initial=initial)
    here = reverse("web:client", args=[client.code])

    def save(data: dict) -> tuple[str, str]:
        try:
            task, created = services.create_client_task(
                client=client, project=data.get("project"), **form.task_fields()
            )
        except AmbiguousProject as error:
            form.fields["project"].required = True
            raise DomainError(error.message, field="project") from None
        message = _("“%(title)s” created on project %(project)s%(created)s.") % {
            "title": task.title,
            "project": task.project.code,
            "created": _(" (new project)") if created else "",
        }
        return message, reverse("web:task", args=[task.pk])

    return _new_task_page(
        request,
        form=form,
        save=save,
        cancel=here,
        crumbs=[(_("Clients"), reverse("web:explorer")), (client.code, here)],
    )


def project_task_new(request: AuthenticatedRequest, code: str) -> HttpResponse:
    project = project_or_404(code)
    form = TaskForm(posted(request), initial={"kind": request.GET.get("kind", "task")})
    here = reverse("web:project", args=[project.code])

    def save(data: dict) -> tuple[str, str]:
        task = services.create_task(project=project, **form.task_fields())
        return _("“%(title)s” created.") % {"title": task.title}, reverse(
            "web:task", args=[task.pk]
        )

    return _new_task_page(
        request,
        form=form,
        save=save,
        cancel=here,
        crumbs=[(_("Projects"), reverse("web:projects")), (project.code, here)],
    )


def task_edit(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    task = task_or_404(task_id)
    fields = ("kind", "title", "next_follow_up", "assigned_to", "priority", "reported_by")
    initial = {name: getattr(task, name) for name in fields}
    initial.update(reported_via=task.reported_via, description=task.description)
    form = TaskForm(posted(request), initial=initial, editing=True)
    here = reverse("web:task", args=[task.pk])

    def save(data: dict) -> tuple[str, str]:
        services.update_task(task, **form.task_fields())
        return _("“%(title)s” saved.") % {"title": task.title}, here

    return form_page(
        request,
        form,
        save=save,
        title=_("Edit “%(title)s”") % {"title": task.title},
        submit=_("Save"),
        cancel=here,
        context={
            "crumbs": [(_("Tasks"), reverse("web:tasks")), (task.title, here), (_("Edit"), None)]
        },
        template="web/task_form.html",
    )


def _task_action(
    request: AuthenticatedRequest, task_id: int, act: Callable[[Task], str], *, undo: bool = False
) -> HttpResponse:
    """Run `act` on the task; with htmx from the agenda, answer the message and a
    `hexa:changed` event, on which the agenda refreshes its lists. With `undo`, the message
    carries an "Undo" button putting back the task's status and next follow-up as they were."""
    task = task_or_404(task_id)
    before = {"status": task.status, "next_follow_up": task.next_follow_up}
    from_agenda = request.POST.get("from") == "agenda"
    back = safe_next(request, reverse("web:task", args=[task.pk]))
    try:
        message = act(task)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if undo:
            context = {"task": task, "from_agenda": from_agenda, "next": back, **before}
            button = render_to_string("web/undo.html", context, request=request)
            message = format_html("{} {}", message, button)
        messages.success(request, message)
    response: HttpResponse
    if is_htmx(request) and from_agenda:
        response = TemplateResponse(request, "web/messages.html", {"oob": True})
    else:
        response = redirect(back)
    response["HX-Trigger-After-Settle"] = json.dumps({"hexa:changed": {"task": task.pk}})
    return response


@require_POST
def task_complete(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    def act(task: Task) -> str:
        services.complete_task(task)
        return _("“%(title)s” done.") % {"title": task.title}

    return _task_action(request, task_id, act, undo=True)


@require_POST
def task_undo(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    """The "Undo" of a one-click action: the task's status and next follow-up as they were."""
    form = UndoForm(request.POST)

    def act(task: Task) -> str:
        if not form.is_valid():
            raise DomainError(" ".join(str(m) for ms in form.errors.values() for m in ms))
        services.update_task(task, **form.cleaned_data)
        return _("“%(title)s” is as it was.") % {"title": task.title}

    return _task_action(request, task_id, act)


@require_POST
def task_reopen(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    def act(task: Task) -> str:
        services.reopen_task(task)
        return _("“%(title)s” reopened.") % {"title": task.title}

    return _task_action(request, task_id, act)


@require_POST
def task_reschedule(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    form = RescheduleForm(request.POST)

    def act(task: Task) -> str:
        if not form.is_valid():
            raise DomainError(" ".join(str(m) for ms in form.errors.values() for m in ms))
        try:
            services.reschedule_task(
                task, days=form.cleaned_data["days"], to=form.cleaned_data["to"]
            )
        except EitherOr as error:
            raise DomainError(_("Choose +1 day, +1 week, or a date.")) from error
        assert task.next_follow_up is not None  # reschedule_task gave it one
        return _("“%(title)s”: next follow-up %(date)s.") % {
            "title": task.title,
            "date": formats.date_format(task.next_follow_up, "SHORT_DATE_FORMAT"),
        }

    return _task_action(request, task_id, act, undo=True)


@require_POST
def task_assign(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    form = AssignForm(request.POST)

    def act(task: Task) -> str:
        if not form.is_valid():
            raise DomainError(" ".join(str(m) for ms in form.errors.values() for m in ms))
        services.assign_task(task, form.cleaned_data["assigned_to"])
        if task.assigned_to:
            return _("“%(title)s” assigned to %(who)s.") % {
                "title": task.title,
                "who": task.assigned_to.name,
            }
        return _("“%(title)s” is assigned to nobody.") % {"title": task.title}

    return _task_action(request, task_id, act)
