"""The quick log's writes as hand-written SQL on the bare DB-API connection: the floor.

Same statements the domain function needs, in one transaction, with none of the ORM, the
validation or the result objects: lock the client, read its active projects, pick or create
the project (finding a free code), read its latest pending task, create it or update its next
follow-up, insert the dedication, add it to the reports' totals, commit. No ORM can do these
writes faster, so the ratio domain/floor is the price of everything above the database.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any, Protocol

import psycopg

from bench.workload import Op

TASK_TITLE = "Seguimiento"  # the Spanish default the domain uses (HEXA_LANGUAGE=es)
# The dedication counted in the reports' totals (hexa.crm.services.totals), in the same
# transaction: one of the writes a quick log makes.
COUNT_IN_TOTALS = (
    "INSERT INTO crm_dedicationtotal (date, client_id, project_id, employee_id, minutes, entries)"
    " VALUES (%s, %s, %s, %s, %s, 1) ON CONFLICT (date, client_id, project_id, employee_id)"
    " DO UPDATE SET minutes = crm_dedicationtotal.minutes + excluded.minutes,"
    " entries = crm_dedicationtotal.entries + excluded.entries"
)
# And in its roll-ups (totals.ROLLUPS): its month's and its year's, and its employee's day.
COUNT_IN_MONTH = (
    "INSERT INTO crm_monthtotal (date, client_id, project_id, minutes, entries)"
    " VALUES (%s, %s, %s, %s, 1) ON CONFLICT (date, client_id, project_id)"
    " DO UPDATE SET minutes = crm_monthtotal.minutes + excluded.minutes,"
    " entries = crm_monthtotal.entries + excluded.entries"
)
COUNT_IN_YEAR = COUNT_IN_MONTH.replace("crm_monthtotal", "crm_yeartotal")
COUNT_IN_EMPLOYEE_DAY = (
    "INSERT INTO crm_employeedaytotal (date, employee_id, minutes, entries)"
    " VALUES (%s, %s, %s, 1) ON CONFLICT (date, employee_id)"
    " DO UPDATE SET minutes = crm_employeedaytotal.minutes + excluded.minutes,"
    " entries = crm_employeedaytotal.entries + excluded.entries"
)


class Floor(Protocol):
    def log(self, op: Op, employee_id: int, user_id: int, today: dt.date) -> tuple[bool, bool]:
        """Record one quick log; returns (project created, task created)."""
        ...

    def close(self) -> None: ...


def open_floor(database: dict[str, Any]) -> Floor:
    """A floor on the database Django is configured with (settings.DATABASES["default"])."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return SqliteFloor(str(database["NAME"]), database.get("OPTIONS", {}))
    return PostgresFloor(database)


def _choose(client_code: str, active: list[tuple[int, str]]) -> int | None:
    """The project rule on (id, code) rows sorted by code; None: create one."""
    if len(active) == 1:
        return active[0][0]
    for project_id, code in active:
        if code == client_code:
            return project_id
    if active:
        raise LookupError(f"{client_code} has several active projects; the workload avoids it")
    return None


def _follow_up(op: Op, today: dt.date) -> dt.date | None:
    return None if op.follow_up_days is None else today + dt.timedelta(days=op.follow_up_days)


def _free_code(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


class SqliteFloor:
    """sqlite3 with the PRAGMAs and timeout of Hexa's settings; BEGIN IMMEDIATE takes the
    write lock up front, which is what the domain's transaction_mode="IMMEDIATE" does."""

    def __init__(self, path: str, options: dict[str, Any]) -> None:
        self.db = sqlite3.connect(path, timeout=options.get("timeout", 5), isolation_level=None)
        for pragma in str(options.get("init_command", "")).split(";"):
            if pragma.strip():
                self.db.execute(pragma)

    def close(self) -> None:
        self.db.close()

    def log(self, op: Op, employee_id: int, user_id: int, today: dt.date) -> tuple[bool, bool]:
        db = self.db
        # Django keeps aware datetimes on SQLite as naive UTC text; so does the floor.
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
        follow_up = _follow_up(op, today)
        follow_up_text = follow_up.isoformat() if follow_up else None
        db.execute("BEGIN IMMEDIATE")
        try:
            code, name, active = db.execute(
                "SELECT code, name, active FROM crm_client WHERE id = ?", (op.client_id,)
            ).fetchone()
            if not active:
                raise LookupError(f"client {code} is archived")
            projects = db.execute(
                "SELECT id, code FROM crm_project WHERE client_id = ? AND status = 'active'"
                " ORDER BY code",
                (op.client_id,),
            ).fetchall()
            project_id = _choose(code, projects)
            task: tuple[int, str | None] | None = None
            if project_id is None:
                # Codes `CODE` and `CODE-n`: '.' sorts right after '-', so this is a range scan.
                taken = db.execute(
                    "SELECT code FROM crm_project WHERE code = ? OR (code > ? AND code < ?)",
                    (code, f"{code}-", f"{code}."),
                ).fetchall()
                project_id = db.execute(
                    "INSERT INTO crm_project (code, name, kind, status, created_at, client_id)"
                    " VALUES (?, ?, 'commercial', 'active', ?, ?)",
                    (_free_code(code, {row[0] for row in taken}), name, now, op.client_id),
                ).lastrowid
            else:
                task = db.execute(
                    "SELECT id, next_follow_up FROM crm_task WHERE project_id = ?"
                    " AND status = 'pending' AND kind = 'task'"
                    " ORDER BY created_at DESC, id DESC LIMIT 1",
                    (project_id,),
                ).fetchone()
            if task is None:
                task_id = db.execute(
                    "INSERT INTO crm_task (title, kind, status, next_follow_up, created_at,"
                    " project_id, priority, reported_by, reported_via, description)"
                    " VALUES (?, 'task', 'pending', ?, ?, ?, 'normal', '', '', '')",
                    (TASK_TITLE, follow_up_text, now, project_id),
                ).lastrowid
            else:
                task_id = task[0]
                if follow_up_text is not None and task[1] != follow_up_text:
                    db.execute(
                        "UPDATE crm_task SET next_follow_up = ? WHERE id = ?",
                        (follow_up_text, task_id),
                    )
            db.execute(
                "INSERT INTO crm_dedication (date, text, minutes, recorded_at, via, client_id,"
                " recorded_by_id, employee_id, project_id, task_id)"
                " VALUES (?, ?, ?, ?, 'api', ?, ?, ?, ?, ?)",
                (
                    today.isoformat(),
                    op.text,
                    op.minutes,
                    now,
                    op.client_id,
                    user_id,
                    employee_id,
                    project_id,
                    task_id,
                ),
            )
            db.execute(
                COUNT_IN_TOTALS.replace("%s", "?"),
                (today.isoformat(), op.client_id, project_id, employee_id, op.minutes or 0),
            )
            db.execute(
                COUNT_IN_MONTH.replace("%s", "?"),
                (today.replace(day=1).isoformat(), op.client_id, project_id, op.minutes or 0),
            )
            db.execute(
                COUNT_IN_YEAR.replace("%s", "?"),
                (
                    today.replace(month=1, day=1).isoformat(),
                    op.client_id,
                    project_id,
                    op.minutes or 0,
                ),
            )
            db.execute(
                COUNT_IN_EMPLOYEE_DAY.replace("%s", "?"),
                (today.isoformat(), employee_id, op.minutes or 0),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return len(projects) == 0, task is None


class PostgresFloor:
    """psycopg 3 in a transaction, with the client row locked by SELECT ... FOR UPDATE."""

    def __init__(self, database: dict[str, Any]) -> None:
        self.db = psycopg.connect(
            dbname=database["NAME"],
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
        )

    def close(self) -> None:
        self.db.close()

    def log(self, op: Op, employee_id: int, user_id: int, today: dt.date) -> tuple[bool, bool]:
        now = dt.datetime.now(dt.UTC)
        follow_up = _follow_up(op, today)
        with self.db.transaction(), self.db.cursor() as db:
            row = db.execute(
                "SELECT code, name, active FROM crm_client WHERE id = %s FOR UPDATE",
                (op.client_id,),
            ).fetchone()
            assert row is not None  # the workload only names existing clients
            code, name, active = row
            if not active:
                raise LookupError(f"client {code} is archived")
            projects = db.execute(
                "SELECT id, code FROM crm_project WHERE client_id = %s AND status = 'active'"
                " ORDER BY code",
                (op.client_id,),
            ).fetchall()
            project_id = _choose(code, projects)
            task: tuple[int, dt.date | None] | None = None
            if project_id is None:
                taken = db.execute(
                    "SELECT code FROM crm_project WHERE code = %s OR (code > %s AND code < %s)",
                    (code, f"{code}-", f"{code}."),
                ).fetchall()
                project_id = _returned_id(
                    db.execute(
                        "INSERT INTO crm_project (code, name, kind, status, created_at, client_id)"
                        " VALUES (%s, %s, 'commercial', 'active', %s, %s) RETURNING id",
                        (_free_code(code, {r[0] for r in taken}), name, now, op.client_id),
                    )
                )
            else:
                task = db.execute(
                    "SELECT id, next_follow_up FROM crm_task WHERE project_id = %s"
                    " AND status = 'pending' AND kind = 'task'"
                    " ORDER BY created_at DESC, id DESC LIMIT 1",
                    (project_id,),
                ).fetchone()
            if task is None:
                task_id = _returned_id(
                    db.execute(
                        "INSERT INTO crm_task (title, kind, status, next_follow_up, created_at,"
                        " project_id, priority, reported_by, reported_via, description)"
                        " VALUES (%s, 'task', 'pending', %s, %s, %s, 'normal', '', '', '')"
                        " RETURNING id",
                        (TASK_TITLE, follow_up, now, project_id),
                    )
                )
            else:
                task_id = task[0]
                if follow_up is not None and task[1] != follow_up:
                    db.execute(
                        "UPDATE crm_task SET next_follow_up = %s WHERE id = %s",
                        (follow_up, task_id),
                    )
            db.execute(
                "INSERT INTO crm_dedication (date, text, minutes, recorded_at, via, client_id,"
                " recorded_by_id, employee_id, project_id, task_id)"
                " VALUES (%s, %s, %s, %s, 'api', %s, %s, %s, %s, %s)",
                (
                    today,
                    op.text,
                    op.minutes,
                    now,
                    op.client_id,
                    user_id,
                    employee_id,
                    project_id,
                    task_id,
                ),
            )
            db.execute(
                COUNT_IN_TOTALS, (today, op.client_id, project_id, employee_id, op.minutes or 0)
            )
            db.execute(
                COUNT_IN_MONTH, (today.replace(day=1), op.client_id, project_id, op.minutes or 0)
            )
            db.execute(
                COUNT_IN_YEAR,
                (today.replace(month=1, day=1), op.client_id, project_id, op.minutes or 0),
            )
            db.execute(COUNT_IN_EMPLOYEE_DAY, (today, employee_id, op.minutes or 0))
        return len(projects) == 0, task is None


def _returned_id(cursor: psycopg.Cursor[Any]) -> int:
    row = cursor.fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    return int(row[0])
