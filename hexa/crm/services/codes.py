"""Codes (clients', projects', employees'): their canonical form and what a typed one may be."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")


def normalize_code(value: str) -> str:
    return value.strip().upper()


def normalize_tax_id(value: str) -> str:
    """`b-1234 5678` and `B12345678` are the same tax id."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def code_to_look_up(code: str) -> str | None:
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
