"""Helpers shared by the domain functions: codes, lookups, and turning Django's validation
into Hexa's domain errors."""

from __future__ import annotations

import re
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput, NotFound
from hexa.crm.models import Client, Employee, Project, Task

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")

M = TypeVar("M", bound=models.Model)


def normalize_code(value: str) -> str:
    return value.strip().upper()


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
    """Run the model's field validation (lengths, emails, choices) as InvalidInput.

    Uniqueness is checked by the caller, which knows whether a clash is a conflict.
    """
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidInput(error.message_dict) from None


def client_by_code(code: str) -> Client:
    try:
        return Client.objects.get(code=normalize_code(code))
    except Client.DoesNotExist:
        raise NotFound(_("There is no client with code %(code)s.") % {"code": code}) from None


def employee_by_code(code: str, *, field: str = "employee") -> Employee:
    """The employee with this code; an unknown code is an error on `field`."""
    try:
        return Employee.objects.get(code=normalize_code(code))
    except Employee.DoesNotExist:
        raise InvalidInput.on(
            field, _("There is no employee with code %(code)s.") % {"code": code}
        ) from None


def project_by_code(code: str, *, field: str | None = "project") -> Project:
    """The project with this code; unknown is an error on `field`, or NotFound if None."""
    try:
        return Project.objects.select_related("client").get(code=normalize_code(code))
    except Project.DoesNotExist:
        message = _("There is no project with code %(code)s.") % {"code": code}
        if field is None:
            raise NotFound(message) from None
        raise InvalidInput.on(field, message) from None


def task_by_id(task_id: int, *, field: str | None = "task") -> Task:
    try:
        return Task.objects.select_related("project__client").get(pk=task_id)
    except Task.DoesNotExist:
        message = _("There is no task %(id)s.") % {"id": task_id}
        if field is None:
            raise NotFound(message) from None
        raise InvalidInput.on(field, message) from None
