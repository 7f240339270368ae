"""Schema changes that do not lock writers out of a big table: on PostgreSQL, indexes are
built and dropped CONCURRENTLY (a migration that uses these sets `atomic = False`); SQLite
has one writer at a time anyway, and builds them the plain way."""

from __future__ import annotations

from typing import Any

from django.db import models


def add_index(schema_editor: Any, model: type[models.Model], index: models.Index) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            str(index.create_sql(model, schema_editor, concurrently=True)).replace(
                "CREATE INDEX CONCURRENTLY", "CREATE INDEX CONCURRENTLY IF NOT EXISTS", 1
            )
        )
    else:
        schema_editor.add_index(model, index)


def drop_index(schema_editor: Any, name: str) -> None:
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {schema_editor.quote_name(name)}")


def single_column_indexes(schema_editor: Any, table: str, column: str) -> list[str]:
    """The names of the plain indexes on exactly `column` of `table` (a foreign key's own
    index, whatever name Django gave it)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return sorted(
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == [column]
    )
