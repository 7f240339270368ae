"""Helpers shared by the domain functions: codes, lookups, and turning Django's validation
into Hexa's domain errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from hexa.crm.errors import ClientArchived, Conflict, InvalidInput, NotFound
from hexa.crm.models import Client, Employee, Project, Task
from hexa.lib.prepared import PreparedSelect

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")


def normalize_code(value: str) -> str:
    return value.strip().upper()


def _findable(code: str) -> str | None:
    """The code to look up, or None when no row can have it (codes never hold NUL, and
    PostgreSQL refuses NUL in a query)."""
    return None if "\x00" in code else normalize_code(code)


def check_code(value: str, *, field: str = "code", max_length: int) -> str:
    """The canonical form of a user-typed code, or InvalidInput on `field`."""
    code = normalize_code(value)
    if not code:
        raise InvalidInput.on(field, _("A code is required."))
    if len(code) > max_length:
        raise InvalidInput.on(
            field, _("A code has at most %(max)d characters.") % {"max": max_length}
        )
    if not CODE_PATTERN.match(code):
        raise InvalidInput.on(
            field,
            _("A code uses letters A-Z, digits and . _ - only, starting with a letter or digit."),
        )
    return code


def full_clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's field validation (lengths, emails, choices) as InvalidInput, and
    refuse NUL characters, which PostgreSQL cannot store and no one means to type.

    Uniqueness is checked by the caller, which knows whether a clash is a conflict.
    """
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, str) and "\x00" in value:
            errors.setdefault(field.name, []).append(_("Null characters are not allowed."))
    if errors:
        raise InvalidInput(errors)


def _missing(message: str, field: str | None) -> NotFound | InvalidInput:
    """An unknown reference: an error on the `field` that named it, or NotFound (a path)."""
    return NotFound(message) if field is None else InvalidInput.on(field, message)


def client_by_code(code: str) -> Client:
    found = _findable(code)
    client = Client.objects.filter(code=found).first() if found else None
    if client is None:
        raise NotFound(_("There is no client with code %(code)s.") % {"code": code.strip()})
    return client


def employee_by_code(code: str, *, field: str | None = "employee") -> Employee:
    """The employee with this code; unknown is an error on `field`, or NotFound if None."""
    found = _findable(code)
    employee = Employee.objects.select_related("user").filter(code=found).first() if found else None
    if employee is None:
        message = _("There is no employee with code %(code)s.") % {"code": code.strip()}
        raise _missing(message, field)
    return employee


def project_by_code(code: str, *, field: str | None = "project") -> Project:
    """The project with this code; unknown is an error on `field`, or NotFound if None."""
    found = _findable(code)
    project = Project.objects.select_related("client").filter(code=found).first() if found else None
    if project is None:
        message = _("There is no project with code %(code)s.") % {"code": code.strip()}
        raise _missing(message, field)
    return project


def user_by_username(username: str, *, field: str = "user") -> AbstractBaseUser:
    User = get_user_model()
    user = User.objects.filter(username=username).first() if "\x00" not in username else None
    if user is None:
        raise InvalidInput.on(field, _("There is no user %(username)s.") % {"username": username})
    return user


def task_by_id(task_id: int, *, field: str | None = "task") -> Task:
    task = Task.objects.select_related("project__client").filter(pk=task_id).first()
    if task is None:
        raise _missing(_("There is no task %(id)s.") % {"id": task_id}, field)
    return task


def lock_client(client: Client, *, archived: str | None = None) -> Client:
    """Lock the client's row for this transaction (other writers for it wait) and return the
    client as it is now. NotFound if it is gone, ClientArchived (with the message `archived`)
    if it is archived. Call inside a transaction."""
    row = next(iter(_lock_client(client=client.pk)), None)
    if row is None:
        raise NotFound(_("There is no client with code %(code)s.") % {"code": client.code})
    client.active, client.code, client.name = row  # as they are now, not as passed in
    if not client.active:
        raise ClientArchived(
            (archived or _("Client %(code)s is archived: restore it to log activity."))
            % {"code": client.code}
        )
    return client


def require_open(project: Project) -> None:
    """New work (tasks, dedications, reopened tasks) needs an active project of an active
    client, as they are now: the client's row is locked, so that neither can change before
    the work is written. Call inside a transaction."""
    lock_client(project.client, archived=_("Client %(code)s is archived: restore it to add work."))
    project.status = (
        Project.objects.filter(pk=project.pk).values_list("status", flat=True).first()
        or Project.Status.CLOSED
    )
    if not project.is_active:
        raise Conflict(
            _("Project %(code)s is closed: reopen it to add work.") % {"code": project.code},
            code="project_closed",
        )


def lock[M: models.Model](instance: M, *, gone: str) -> M:
    """Lock `instance`'s row for this transaction (other writers of it wait here) and reload
    its fields as they are now, so that what is checked and what a change says it was are
    not stale. NotFound with the message `gone` if the row was deleted meanwhile. Call
    inside a transaction. (On SQLite the transaction's BEGIN IMMEDIATE already made this
    writer wait for the others: FOR UPDATE is not needed there, and Django leaves it out.)"""
    manager = type(instance)._default_manager
    try:
        instance.refresh_from_db(from_queryset=manager.select_for_update(of=("self",)))
    except ObjectDoesNotExist:
        raise NotFound(gone) from None
    return instance


@contextmanager
def unchanged_on_error(instance: models.Model) -> Iterator[None]:
    """On a refusal, put the object's fields back as they were: callers keep an object that
    says what the database says, and can retry with it."""
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    cache = dict(instance._state.fields_cache)
    try:
        yield
    except BaseException:
        vars(instance).update(values)
        instance._state.fields_cache = cache
        raise


_lock_client = PreparedSelect(
    lambda client: (
        Client.objects.select_for_update().filter(pk=client).values_list("active", "code", "name")
    ),
    client=int,
)
