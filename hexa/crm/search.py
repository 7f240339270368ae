"""Search text folded the same way in Python, in SQLite and in PostgreSQL: without accents,
in small letters, so that "penA" finds "Peña" and "jose" finds "José".

The database function is `hexa_fold(text)`: on PostgreSQL an immutable SQL wrapper around
the `unaccent` extension (made by migration 0006, where the trigram index on it is), on
SQLite the Python `fold` below, registered on every connection.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField

FUNCTION = "hexa_fold"


def fold(text: str) -> str:
    """`text` without accents (combining marks after a compatibility decomposition) and in
    small letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


class Fold(Func):
    """`hexa_fold(expression)` in a query."""

    function = FUNCTION
    output_field = TextField()


class Joined(Func):
    """Texts joined by a space: `(a || ' ' || b || ' ' || c)`, the shape of the search
    index's expression (migration 0006), which a query must repeat exactly to use it."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()


def client_search_text(prefix: str = "") -> Fold:
    """What the clients' search looks in: the code, name and tax id of the client (or, with
    prefix "client__", of the row's client) as one folded text, "c075001 veterinaria roble
    b00075001"."""
    return Fold(Joined(*(f"{prefix}{name}" for name in ("code", "name", "tax_id"))))


def _sqlite_fold(value: Any) -> str | None:
    return None if value is None else fold(str(value))


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, _sqlite_fold, deterministic=True)


connection_created.connect(register_sqlite_function, dispatch_uid="hexa_fold_sqlite")
