"""Django's model validation as Hexa's domain error."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput


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
