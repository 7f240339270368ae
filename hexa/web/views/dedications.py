"""Dedications on existing work (a client's project and task, a project, a task), and
changing or deleting one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hexa.crm import services
from hexa.crm.errors import Forbidden, NotFound
from hexa.crm.models import Dedication, Project, Task
from hexa.crm.services import mail, queries
from hexa.lib.durations import format_minutes
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.management import DedicationChangeForm, DedicationForm
from hexa.web.views.common import (
    client_or_404,
    form_page,
    posted,
    project_or_404,
    safe_next,
    task_or_404,
)


def _record(
    form: DedicationForm, request: AuthenticatedRequest
) -> Callable[[dict[str, Any]], tuple[str, str]]:
    def save(data: dict[str, Any]) -> tuple[str, str]:
        dedication = services.record_dedication(
            project=data["project"],
            task=data.get("task"),
            employee=data["employee"],
            text=data["text"],
            date=data["date"],
            minutes=data["minutes"],
            recorded_by=request.user,
            via=Dedication.Via.WEB,
        )
        where = (
            reverse("web:task", args=[dedication.task_id])
            if dedication.task_id
            else reverse("web:project", args=[dedication.project.code])
        )
        return _("Activity logged on %(project)s.") % {"project": dedication.project.code}, where

    return save


def _initial(request: AuthenticatedRequest, **where: Any) -> dict[str, Any]:
    """A new dedication's form starts with the user as who (if they work here) and today."""
    return {
        **where,
        "employee": services.employee_of(request.user, active_only=True),
        "date": timezone.localdate(),
    }


def client_dedication_new(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """On a client: one of its active projects and, optionally, a pending task of it; by
    default what the quick log would use."""
    client = client_or_404(code)
    projects = Project.objects.active().of(client).order_by("code")
    here = reverse("web:client", args=[client.code])
    if not projects.exists():
        messages.info(
            request,
            _("%(code)s has no active project yet: the quick log creates one.")
            % {"code": client.code},
        )
        return redirect("web:quick-log", client.code)
    plan = services.plan_quick_log(client=client)
    initial = _initial(request, project=plan.project, task=plan.task)
    form = DedicationForm(
        posted(request),
        projects=projects,
        tasks=queries.pending_tasks_in(projects),
        initial=initial,
    )
    return _page(
        request, form, title=_("Activity for %(code)s") % {"code": client.code}, cancel=here
    )


def project_dedication_new(request: AuthenticatedRequest, code: str) -> HttpResponse:
    project = project_or_404(code)
    initial = _initial(request, project=project)
    form = DedicationForm(
        posted(request),
        projects=Project.objects.filter(pk=project.pk),
        tasks=queries.pending_tasks_in([project]),
        fixed=("project",),
        initial=initial,
    )
    here = reverse("web:project", args=[project.code])
    return _page(
        request, form, title=_("Activity on %(code)s") % {"code": project.code}, cancel=here
    )


def task_dedication_new(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    task = task_or_404(task_id)
    initial = _initial(request, project=task.project, task=task)
    form = DedicationForm(
        posted(request),
        projects=Project.objects.filter(pk=task.project_id),
        tasks=Task.objects.filter(pk=task.pk),
        fixed=("project", "task"),
        initial=initial,
    )
    here = reverse("web:task", args=[task.pk])
    return _page(
        request, form, title=_("Activity on “%(title)s”") % {"title": task.title}, cancel=here
    )


def _page(
    request: AuthenticatedRequest, form: DedicationForm, *, title: str, cancel: str
) -> HttpResponse:
    return form_page(
        request,
        form,
        save=_record(form, request),
        title=title,
        submit=_("Record"),
        cancel=cancel,
    )


def _dedication_or_404(request: AuthenticatedRequest, pk: int) -> Dedication:
    dedication = get_object_or_404(
        Dedication.objects.select_related("client", "project", "task", "employee", "recorded_by"),
        pk=pk,
    )
    if not services.can_change_dedication(request.user, dedication):
        raise PermissionDenied
    return dedication


def _dedication_back_url(dedication: Dedication) -> str:
    if dedication.task_id:
        return reverse("web:task", args=[dedication.task_id])
    return reverse("web:project", args=[dedication.project.code])


def dedication_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change a dedication, then go back to the page it was opened from (`next`)."""
    dedication = _dedication_or_404(request, pk)
    back = safe_next(request, _dedication_back_url(dedication))
    initial = {
        "text": dedication.text,
        "employee": dedication.employee,
        "date": dedication.date,
        "minutes": format_minutes(dedication.minutes),  # as the lists show it: "4h", "1h30"
        "task": dedication.task,
    }
    form = DedicationChangeForm(posted(request), initial=initial, dedication=dedication)

    def save(data: dict) -> tuple[str, str]:
        services.change_dedication(
            dedication,
            by=request.user,
            text=data["text"],
            employee=data["employee"],
            date=data["date"],
            minutes=data["minutes"],
            task=data["task"],
        )
        return _("Activity saved."), back

    return form_page(
        request,
        form,
        save=save,
        title=_("Change an activity"),
        submit=_("Save"),
        cancel=back,
        context={
            "dedication": dedication,
            "history": _history(dedication),
            "came_by_email": mail.email_of(dedication),
        },
        template="web/dedication_form.html",
    )


def _history(dedication: Dedication) -> list[dict[str, Any]]:
    """The dedication's changes as its page shows them: in the reader's language, with
    Hexa's date and duration formats, tasks by title."""
    entries = services.dedication_history(dedication.pk)
    task_ids = {
        value
        for entry in entries
        for field in entry.fields
        if field.field == "task"
        for value in (field.before, field.after)
        if value is not None
    }
    titles = dict(Task.objects.filter(pk__in=task_ids).values_list("pk", "title"))

    def shown(name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if name == "date":
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        if name == "minutes":
            return format_minutes(value)
        if name == "task":
            return titles.get(value, f"#{value}")
        return str(value)

    return [
        {
            "when": entry.change.changed_at,
            "who": _who(entry.change.changed_by),
            "fields": [
                {
                    "label": Dedication._meta.get_field(field.field).verbose_name,  # type: ignore[union-attr]  # a column
                    "before": shown(field.field, field.before),
                    "after": shown(field.field, field.after),
                }
                for field in entry.fields
            ],
        }
        for entry in entries
    ]


def _who(user: Any) -> str:
    if user is None:
        return _("Hexa")
    return user.get_full_name() or user.get_username()


def dedication_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dedication = _dedication_or_404(request, pk)
    back = safe_next(request, _dedication_back_url(dedication))
    if request.method == "POST":
        try:
            services.delete_dedication(dedication, by=request.user)
        except Forbidden:
            raise PermissionDenied from None
        except NotFound as error:  # someone else deleted it a moment ago
            messages.info(request, error.message)
        else:
            messages.success(request, _("Activity deleted."))
        return redirect(back)
    return TemplateResponse(
        request, "web/dedication_delete.html", {"dedication": dedication, "cancel": back}
    )
