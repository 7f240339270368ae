"""Dedications on existing work (a project, or one of its tasks or incidents), and changing
or deleting them, with who did it and when kept in DedicationChange."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput, NotFound
from hexa.crm.models import Dedication, DedicationChange, Employee, Project, Task, Via
from hexa.crm.services import totals
from hexa.crm.services.locks import lock, lock_clients_work, require_open
from hexa.crm.services.permissions import Actor, require_dedication_change
from hexa.crm.services.validation import validate_dedication

DEDICATION_FIELDS = ("employee", "date", "text", "minutes", "task")


def _check_task(project: Project, task: Task | None) -> None:
    if task is not None and task.project_id != project.pk:
        raise InvalidInput.on(
            "task",
            _("Task %(task)s belongs to project %(other)s, not %(project)s.")
            % {"task": task.pk, "other": task.project.code, "project": project.code},
        )


def record_dedication(
    *,
    project: Project,
    task: Task | None = None,
    employee: Employee | None,
    text: str,
    date: dt.date | None = None,
    minutes: int | None = None,
    recorded_by: User | None,
    via: Via,
) -> Dedication:
    """Record a dedication on an existing project, and optionally one of its tasks or
    incidents. Recording one for another employee is allowed: `recorded_by` shows who did."""
    text = text.strip()
    date = date or timezone.localdate()
    validate_dedication(employee=employee, text=text, date=date, minutes=minutes)
    assert employee is not None  # validate_dedication refuses a missing employee
    _check_task(project, task)
    with transaction.atomic():
        require_open(project)
        dedication = Dedication.objects.create(
            client=project.client,
            project=project,
            task=task,
            employee=employee,
            date=date,
            text=text,
            minutes=minutes,
            recorded_by=recorded_by,
            via=via,
        )
        totals.counted(dedication)
        return dedication


def snapshot(dedication: Dedication) -> dict[str, Any]:
    """What a dedication says, in words that outlive it (codes, not ids)."""
    return {
        "client": dedication.client.code,
        "project": dedication.project.code,
        "task": dedication.task_id,
        "employee": dedication.employee.code,
        "date": dedication.date.isoformat(),
        "text": dedication.text,
        "minutes": dedication.minutes,
        "recorded_by": (dedication.recorded_by.get_username() if dedication.recorded_by else None),
    }


def _lock(dedication: Dedication) -> Dedication:
    """The dedication's row locked and as it is now (NotFound if it was deleted)."""
    return lock(dedication, gone=_("There is no dedication %(id)s.") % {"id": dedication.pk})


def change_dedication(dedication: Dedication, *, by: Actor, **changes: Any) -> Dedication:
    """Change the employee, date, text, minutes or task (of the same project) of a
    dedication. Managers may change any; others only those they recorded or that are theirs.

    The row is locked and read again before anything is checked, so that simultaneous
    changes queue and each DedicationChange's `before` is the previous one's `after`.
    """
    require_dedication_change(by, dedication)
    unknown = set(changes) - set(DEDICATION_FIELDS)
    if unknown:
        raise InvalidInput({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    if isinstance(changes.get("text"), str):
        changes["text"] = changes["text"].strip()
    with transaction.atomic():
        lock_clients_work(dedication.client_id)
        _lock(dedication)
        require_dedication_change(by, dedication)  # as it is now: its employee may have changed
        _change_locked(dedication, by=by, changes=changes)
    return dedication


def _change_locked(dedication: Dedication, *, by: Actor, changes: dict[str, Any]) -> None:
    # Check the dedication as it would be, before touching the object.
    after = {name: changes.get(name, getattr(dedication, name)) for name in DEDICATION_FIELDS}
    if after["date"] is None:
        raise InvalidInput.on("date", _("An activity has a date."))
    validate_dedication(
        employee=after["employee"],
        text=after["text"],
        date=after["date"],
        minutes=after["minutes"],
        # Keeping the employee it had is fine even if they have left since.
        allow_inactive_employee=after["employee"] == dedication.employee,
    )
    _check_task(dedication.project, after["task"])
    changed = [name for name in changes if getattr(dedication, name) != after[name]]
    if not changed:
        return
    before = snapshot(dedication)
    counted_in, minutes = totals.Key.of(dedication), dedication.minutes
    for name in changed:
        setattr(dedication, name, after[name])
    dedication.updated_by = by if isinstance(by, AbstractBaseUser) else None
    dedication.updated_at = timezone.now()
    dedication.save(update_fields=[*changed, "updated_by", "updated_at"])
    totals.recounted(counted_in, minutes, dedication)
    DedicationChange.objects.create(
        dedication=dedication,
        dedication_number=dedication.pk,
        action=DedicationChange.Action.CHANGED,
        changed_by=dedication.updated_by,
        changed_at=dedication.updated_at,
        before=before,
        after=snapshot(dedication),
    )


def delete_dedication(dedication: Dedication, *, by: Actor) -> None:
    """Delete a dedication (same permission as changing it); its last state is kept. The
    row is locked first: of simultaneous deletes one deletes, the others find it gone."""
    require_dedication_change(by, dedication)
    with transaction.atomic():
        lock_clients_work(dedication.client_id)
        _lock(dedication)
        require_dedication_change(by, dedication)
        DedicationChange.objects.create(
            dedication=None,
            dedication_number=dedication.pk,
            action=DedicationChange.Action.DELETED,
            changed_by=by if isinstance(by, AbstractBaseUser) else None,
            before=snapshot(dedication),
        )
        DedicationChange.objects.filter(dedication=dedication).update(dedication=None)
        totals.uncounted(dedication)
        dedication.delete()


@dataclass(frozen=True)
class FieldChange:
    field: str  # a key of snapshot(): "text", "date", "minutes", "employee", "task", ...
    before: Any
    after: Any  # None also when the dedication was deleted


@dataclass(frozen=True)
class HistoryEntry:
    change: DedicationChange
    fields: list[FieldChange]

    @property
    def deleted(self) -> bool:
        return self.change.action == DedicationChange.Action.DELETED


def dedication_history(number: int) -> list[HistoryEntry]:
    """Who changed or deleted dedication `number`, when, and each field before and after,
    oldest first. It outlives the dedication: a deleted one's history ends with the delete.
    NotFound when there is no such dedication and never was (no trail)."""
    changes = list(
        DedicationChange.objects.filter(dedication_number=number)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )
    if not changes and not Dedication.objects.filter(pk=number).exists():
        raise NotFound(_("There is no dedication %(id)s.") % {"id": number})
    return [_entry(change) for change in changes]


def _entry(change: DedicationChange) -> HistoryEntry:
    before, after = change.before, change.after or {}
    if change.action == DedicationChange.Action.DELETED:
        fields = [FieldChange(name, value, None) for name, value in before.items()]
    else:
        fields = [
            FieldChange(name, before.get(name), after.get(name))
            for name in after
            if before.get(name) != after.get(name)
        ]
    return HistoryEntry(change=change, fields=fields)
