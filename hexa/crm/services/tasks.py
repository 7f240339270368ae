"""Tasks and incidents: create (for a project, or for a client by the quick log's project
rule), edit, complete, reopen, assign, reschedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.errors import Conflict, EitherOr, InvalidInput
from hexa.crm.models import Client, Employee, Project, Task
from hexa.crm.services.locks import lock, lock_client, require_open, unchanged_on_error
from hexa.crm.services.model_validation import full_clean
from hexa.crm.services.quick_log import client_project
from hexa.crm.services.validation import (
    follow_up_errors,
    latest_follow_up,
    validate_follow_up,
)

TASK_FIELDS = (
    "title",
    "kind",
    "status",
    "next_follow_up",
    "assigned_to",
    "priority",
    "reported_by",
    "reported_via",
    "description",
)


def _check_assignee(employee: Employee | None) -> None:
    if employee is not None and not employee.active:
        raise InvalidInput.on(
            "assigned_to", _("Employee %(code)s is no longer active.") % {"code": employee.code}
        )


def _strip(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def create_task(
    *,
    project: Project,
    title: str,
    kind: str = Task.Kind.TASK,
    status: str = Task.Status.PENDING,
    next_follow_up: dt.date | None = None,
    assigned_to: Employee | None = None,
    priority: str = Task.Priority.NORMAL,
    reported_by: str = "",
    reported_via: str = "",
    description: str = "",
) -> Task:
    """A task or incident on an active project of an active client."""
    _check_assignee(assigned_to)
    validate_follow_up(next_follow_up)
    task = Task(
        project=project,
        **_strip(
            {
                "title": title,
                "kind": kind,
                "status": status,
                "next_follow_up": next_follow_up,
                "assigned_to": assigned_to,
                "priority": priority,
                "reported_by": reported_by,
                "reported_via": reported_via,
                "description": description,
            }
        ),
    )
    if status == Task.Status.DONE:
        task.completed_at = timezone.now()
    full_clean(task)
    with transaction.atomic():
        require_open(project)
        task.save(force_insert=True)
    return task


def create_client_task(
    *, client: Client, project: Project | None = None, **fields: Any
) -> tuple[Task, bool]:
    """A task or incident for a client, on the project the quick log would use (created if
    the client has none), or on `project`, one of its active projects. Returns the task and
    whether its project was created. AmbiguousProject when the client has several active
    projects and none has its code."""
    with transaction.atomic():
        locked = lock_client(client)
        chosen, created = client_project(locked, project)
        return create_task(project=chosen, **fields), created


def update_task(task: Task, **changes: Any) -> Task:
    """Change any of TASK_FIELDS (None clears an optional text). Marking it done records when;
    reopening a task of a closed project or an archived client is refused: reopen the
    project (or restore the client)."""
    for name in ("reported_by", "reported_via", "description"):
        if name in changes and changes[name] is None:
            changes[name] = ""  # null clears an optional field
    changes = _strip(changes)
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise InvalidInput({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    reopening = changes.get("status") == Task.Status.PENDING and task.status != Task.Status.PENDING
    completing = changes.get("status") == Task.Status.DONE and task.status != Task.Status.DONE
    if "assigned_to" in changes and changes["assigned_to"] != task.assigned_to:
        _check_assignee(changes["assigned_to"])
    if changes.get("next_follow_up") != task.next_follow_up:
        validate_follow_up(changes.get("next_follow_up"))
    with unchanged_on_error(task), transaction.atomic():
        changed = []
        for name, value in changes.items():
            if getattr(task, name) != value:
                setattr(task, name, value)
                changed.append(name)
        full_clean(task)
        if reopening:
            require_open(task.project)
            task.completed_at = None
            changed.append("completed_at")
        if completing:
            task.completed_at = timezone.now()
            changed.append("completed_at")
        if {"next_follow_up", "status"} & set(changed) and not reopening:
            # The database then updates the client's next follow-up (models.Client): lock
            # the client first, as the quick log does, so that the two never wait for each
            # other's row.
            client = task.project.client
            lock(client, gone=_("There is no client with code %(code)s.") % {"code": client.code})
        if changed:
            task.save(update_fields=changed)
    return task


def complete_task(task: Task) -> Task:
    return update_task(task, status=Task.Status.DONE)


def reopen_task(task: Task) -> Task:
    return update_task(task, status=Task.Status.PENDING)


def assign_task(task: Task, employee: Employee | None) -> Task:
    return update_task(task, assigned_to=employee)


def reschedule_task(
    task: Task,
    *,
    days: int | None = None,
    to: dt.date | None = None,
    today: dt.date | None = None,
) -> Task:
    """Move the next follow-up of a pending task `to` a date (today or later), or `days`
    later (one or more). Days count from the current follow-up, or from today when that is
    already past (an overdue follow-up put off "one day" is due tomorrow, not yesterday)."""
    today = today or timezone.localdate()
    if days is None and to is None:
        raise EitherOr.on("next_follow_up", _("Give either a number of days or a date."))
    if days is not None and to is not None:
        raise EitherOr.on("next_follow_up", _("Give either a number of days or a date, not both."))
    if task.status != Task.Status.PENDING:
        raise Conflict(_("The task is done: reopen it to reschedule it."), code="task_done")
    if days is not None and days < 1:
        raise InvalidInput.on("days", _("Put it off by one day or more."))
    if to is not None and to < today:
        raise InvalidInput.on("next_follow_up", _("The new date cannot be in the past."))
    if to is None:
        base = max(task.next_follow_up or today, today)
        # Compared before adding, so that a far follow-up (set before Hexa had a range) is
        # refused instead of overflowing the dates Python can hold.
        if (days or 0) > (latest_follow_up(today) - base).days:
            raise InvalidInput({"days": follow_up_errors(dt.date.max, today=today)})
        to = base + dt.timedelta(days=days or 0)
    return update_task(task, next_follow_up=to)
