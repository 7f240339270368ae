"""`hexa backup` while quick logs are being written, and `hexa restore` into an empty
database: every row of every table comes back, from one consistent moment."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import database_vendor, live_database, live_query, run_hexa
from tests.server.conftest import serving
from tests.server.quick_logs import Load, prepare

pytestmark = pytest.mark.server

# The tables quick logs add rows to while the backup is taken; every other is unchanged.
WRITTEN = {"crm_dedication", "crm_idempotencykey"}
# Rows each quick log adds to in place (the reports' totals): checked against the dedications.
ADDED_TO = {"crm_dedicationtotal", "crm_monthtotal", "crm_yeartotal", "crm_employeedaytotal"}
TOTALS = (
    "SELECT date, client_id, project_id, employee_id, minutes, entries FROM crm_dedicationtotal"
)
SUMMED = (
    "SELECT date, client_id, project_id, employee_id, SUM(COALESCE(minutes, 0)), COUNT(*) "
    "FROM crm_dedication GROUP BY date, client_id, project_id, employee_id"
)


def rollups() -> list[tuple[str, str]]:
    """(the rows kept, the rows summed from the dedications) of each roll-up of the totals."""
    month, year = (
        ("strftime('%Y-%m-01', date)", "strftime('%Y-01-01', date)")
        if database_vendor() == "sqlite"
        else ("CAST(date_trunc('month', date) AS date)", "CAST(date_trunc('year', date) AS date)")
    )
    queries = [
        (
            f"SELECT date, client_id, project_id, minutes, entries FROM crm_{table}",
            f"SELECT {period}, client_id, project_id, SUM(COALESCE(minutes, 0)), COUNT(*) "
            f"FROM crm_dedication GROUP BY {period}, client_id, project_id",
        )
        for table, period in (("monthtotal", month), ("yeartotal", year))
    ]
    queries.append(
        (
            "SELECT date, employee_id, minutes, entries FROM crm_employeedaytotal",
            "SELECT date, employee_id, SUM(COALESCE(minutes, 0)), COUNT(*) "
            "FROM crm_dedication GROUP BY date, employee_id",
        )
    )
    return queries


def tables(env: dict[str, str]) -> list[str]:
    if env["HEXA_DATABASE_URL"].startswith("sqlite"):
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    return sorted(name for (name,) in live_query(env, sql))


def rows(env: dict[str, str]) -> dict[str, set[tuple]]:
    return {
        table: {tuple(map(_comparable, row)) for row in live_query(env, f'SELECT * FROM "{table}"')}
        for table in tables(env)
    }


def _comparable(value: object) -> object:
    """A column's value as a set can hold it: PostgreSQL gives JSON columns as dicts."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


@contextmanager
def empty_database(folder: Path, like: dict[str, str]) -> Iterator[dict[str, str]]:
    """A new database with no tables, of the same vendor as `like`'s."""
    env = {**like, "HEXA_DATA_DIR": str(folder), "HEXA_LANGUAGE": "en"}
    if database_vendor() == "sqlite":
        env["HEXA_DATABASE_URL"] = f"sqlite:///{folder / 'restored.sqlite3'}"
        yield env
        return
    import psycopg

    base = like["HEXA_DATABASE_URL"].rsplit("/", 1)[0]
    name = f"hexa_restored_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["HEXA_DATABASE_URL"] = f"{base}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_taken_while_quick_logs_are_written_restores_every_row(tmp_path):
    backup = tmp_path / "backups" / "hexa.backup"
    with live_database(tmp_path / "source") as source:
        token = prepare(source)
        with serving(source, workers=2) as url, Load(url, token, threads=3) as load:
            load.wait_for(201, more=30)
            made = run_hexa(source, "backup", str(backup))
            load.wait_for(201, more=30)  # still writing after the snapshot
        after = rows(source)
        key_columns = [c for (c,) in live_query(source, *column_names("crm_idempotencykey"))]
        with empty_database(tmp_path / "target", source) as target:
            restored_run = run_hexa(target, "restore", str(backup))
            restored = rows(target)
            restored_totals = (set(live_query(target, TOTALS)), set(live_query(target, SUMMED)))
            restored_rollups = [
                (set(live_query(target, kept)), set(live_query(target, summed)))
                for kept, summed in rollups()
            ]
            again = run_hexa(target, "restore", str(backup), check=False)

    assert "Backed up to" in made.stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "Restored" in restored_run.stdout
    assert set(restored) == set(after)
    for table in set(after) - WRITTEN - ADDED_TO:
        assert restored[table] == after[table], table
    # The written tables: the rows of one moment, each exactly as it is in the source...
    for table in WRITTEN:
        assert restored[table] <= after[table], table
    dedications = {row[0] for row in restored["crm_dedication"]}
    assert 30 <= len(dedications) < len(after["crm_dedication"])
    # ...and consistent: each dedication restored with its idempotency key, and no other key.
    dedication_at = key_columns.index("dedication_id")
    assert {row[dedication_at] for row in restored["crm_idempotencykey"]} == dedications
    # ...and the reports' totals are those of the dedications restored.
    assert restored_totals[0] == restored_totals[1]
    for kept, summed in restored_rollups:
        assert kept == summed
    assert again.returncode == 2
    assert "is not empty" in again.stderr


def column_names(table: str) -> tuple[str, ...]:
    if database_vendor() == "sqlite":
        return (f"SELECT name FROM pragma_table_info('{table}') ORDER BY cid",)
    return (
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        table,
    )


def test_restore_refuses_a_missing_file(tmp_path, live_env):
    refused = run_hexa(live_env, "restore", str(tmp_path / "nothing.dump"), check=False)

    assert refused.returncode == 2
    assert "nothing.dump" in refused.stderr
