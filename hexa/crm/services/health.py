"""Is Hexa ready to serve? For load balancers (`GET /readyz`) and `hexa serve`'s operators.

Ready means the database answers and every migration this code knows of is applied there.
The migrations on disk are read once per process (the code does not change under it); the
applied ones are asked of the database each time, in one small query.
"""

from __future__ import annotations

from functools import cache

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _


@cache
def _latest_migrations() -> frozenset[tuple[str, str]]:
    """The last migration of each app, as this code has them (applying one applies those
    before it)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def not_ready_reason() -> str | None:
    """None when the database answers and is migrated; else why not, for the operator."""
    try:
        applied = MigrationRecorder(connection).applied_migrations()
    except DatabaseError:
        return _("The database does not answer.")
    if not _latest_migrations() <= set(applied):
        return _("The database lacks migrations: run hexa migrate.")
    return None
