"""Backups of the whole database, taken while Hexa runs, and their restore into an empty one.

SQLite: sqlite3's online backup API copies the database page by page from one read snapshot,
so the copy is consistent even while quick logs are being written, and it includes what is
still in the -wal file (the copy reads through SQLite, not the files). The copy is one plain
SQLite file. PostgreSQL: pg_dump in its custom format (compressed, one snapshot), restored by
pg_restore in one transaction. A backup is restored only into an empty database (no tables):
restoring over data would mix two histories.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.errors import Conflict, InvalidInput


class NotEmpty(Conflict):
    code = "not_empty"


def default_backup_path(now: dt.datetime | None = None) -> Path:
    """DATA_DIR/backups/hexa-YYYYMMDD-HHMMSS.<sqlite3|dump>."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    return settings.DATA_DIR / "backups" / f"hexa-{stamp}.{suffix}"


def _private_file(path: Path) -> None:
    """The backup holds password hashes and sessions: the owner's only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)


def _libpq_env() -> dict[str, str]:
    database: Mapping[str, object] = settings.DATABASES["default"]
    names = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    env = {**os.environ, "PGDATABASE": str(database["NAME"])}
    env.update({pg: str(database[key]) for key, pg in names.items() if database.get(key)})
    return env


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, env=_libpq_env(), capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip()}")


def backup(path: Path) -> Path:
    """A consistent copy of the whole database in `path` (made 0600), taken online."""
    path = Path(path)
    _private_file(path)
    if connection.vendor == "sqlite":
        partial = path.with_name(f".{path.name}.partial")
        _private_file(partial)
        with (
            closing(sqlite3.connect(settings.DATABASES["default"]["NAME"])) as source,
            closing(sqlite3.connect(partial)) as target,
        ):
            source.backup(target)  # all pages in one step: one snapshot
        partial.replace(path)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"])
    return path


def table_count() -> int:
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def restore(path: Path) -> None:
    """The backup in `path` into this database, which must be empty (NotEmpty otherwise)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput.on("file", _("There is no file %(path)s.") % {"path": path})
    if tables := table_count():
        raise NotEmpty(
            _(
                "The database %(name)s is not empty (%(tables)d tables): restore only into an "
                "empty database, made for it."
            )
            % {"name": settings.DATABASES["default"]["NAME"], "tables": tables}
        )
    if connection.vendor == "sqlite":
        connection.close()
        with (
            closing(sqlite3.connect(path)) as source,
            closing(sqlite3.connect(settings.DATABASES["default"]["NAME"])) as target,
        ):
            source.backup(target)
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={settings.DATABASES['default']['NAME']}",
              str(path)])  # fmt: skip
