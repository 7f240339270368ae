"""The totals of dedications per day, client, project and employee (DedicationTotal), kept
in step with the dedications: every write of a dedication calls one of these, inside its own
transaction, so that a report read from the totals always equals summing the dedications.

Each change is an addition to one row, an UPSERT (`INSERT ... ON CONFLICT DO UPDATE SET
minutes = minutes + excluded.minutes`, on PostgreSQL and SQLite alike): simultaneous writers
of the same row add one after the other, never over each other, and the first to write a
row creates it without a race. Taking away (a delete, fewer minutes) is an UPDATE of a row
that must be there: one that is not means a write went around this module, and the write is
refused (OutOfStep) rather than counted wrong. A change that moves a dedication to another
row subtracts from one and adds to the other, always in the key's order, so that two such
changes cannot wait for each other (a deadlock). A row left with no dedication is removed.

The statements are written once per database (the quick log runs one on every call, and
compiling it with the ORM would cost more than running it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from hexa.crm.models import Dedication, DedicationTotal

_KEY = ("date", "client_id", "project_id", "employee_id")


@dataclass(frozen=True, order=True)
class Key:
    """The row of DedicationTotal a dedication counts in."""

    date: dt.date
    client: int
    project: int
    employee: int

    @classmethod
    def of(cls, dedication: Dedication) -> Key:
        return cls(
            dedication.date,
            dedication.client_id,
            dedication.project_id,
            dedication.employee_id,
        )


def _column(name: str) -> str:
    """The database column of one of DedicationTotal's fields."""
    field = DedicationTotal._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # a concrete field
    return field.column


@cache
def _statements(vendor: str) -> tuple[str, str, str]:
    """(UPSERT adding to a row, UPDATE of a row that must be there, DELETE of a row if it
    counts no dedication)."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    meta = DedicationTotal._meta
    table = quote(meta.db_table)
    key = ", ".join(quote(_column(name)) for name in _KEY)
    where = " AND ".join(f"{quote(_column(name))} = %s" for name in _KEY)
    minutes, entries = quote("minutes"), quote("entries")
    # Names from the model, values as parameters.
    add = (
        f"INSERT INTO {table} ({key}, {minutes}, {entries}) VALUES (%s, %s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET {minutes} = {table}.{minutes} + excluded.{minutes}, "
        f"{entries} = {table}.{entries} + excluded.{entries}"
    )
    update = (
        f"UPDATE {table} SET {minutes} = {minutes} + %s, {entries} = {entries} + %s "  # noqa: S608
        f"WHERE {where}"
    )
    remove = f"DELETE FROM {table} WHERE {where} AND {entries} = 0"  # noqa: S608
    return add, update, remove


class OutOfStep(RuntimeError):
    """A dedication changed or deleted was not counted in the totals: some write bypassed
    this module. The transaction is undone; `recount()` puts the totals right."""


def _add(changes: Iterable[tuple[Key, int, int]]) -> None:
    """Add (minutes, entries) to each key's row, in the key's order; then remove the rows
    left counting no dedication. A row gains dedications by an UPSERT; one that loses some
    (or only changes its minutes) must be there, and is updated (an UPSERT would check its
    negative figures as a new row's, and refuse them)."""
    connection = connections[DEFAULT_DB_ALIAS]
    add, update, remove = _statements(connection.vendor)
    emptied = []
    with connection.cursor() as cursor:
        for key, minutes, entries in sorted(changes):
            day = connection.ops.adapt_datefield_value(key.date)
            where = [day, key.client, key.project, key.employee]
            if entries > 0:
                cursor.execute(add, [*where, minutes, entries])
                continue
            cursor.execute(update, [minutes, entries, *where])
            if cursor.rowcount != 1:
                raise OutOfStep(f"no totals for {key}")
            if entries < 0:
                emptied.append(where)
        for where in emptied:
            cursor.execute(remove, where)


def counted(dedication: Dedication) -> None:
    """A new dedication (just inserted, in the caller's transaction) counts in its row."""
    _add([(Key.of(dedication), dedication.minutes or 0, 1)])


def uncounted(dedication: Dedication) -> None:
    """A dedication about to be deleted (in the caller's transaction) counts no more."""
    _add([(Key.of(dedication), -(dedication.minutes or 0), -1)])


def recounted(before: Key, before_minutes: int | None, dedication: Dedication) -> None:
    """A dedication changed from `before` (its key and minutes) to what it says now."""
    after = Key.of(dedication)
    was, now = before_minutes or 0, dedication.minutes or 0
    if after == before:
        if was != now:
            _add([(after, now - was, 0)])
        return
    _add([(before, -was, -1), (after, now, 1)])


def counted_many(dedications: Iterable[Dedication]) -> None:
    """Dedications inserted together (bulk_create), counted in one addition per row."""
    minutes: Counter[Key] = Counter()
    entries: Counter[Key] = Counter()
    for dedication in dedications:
        key = Key.of(dedication)
        minutes[key] += dedication.minutes or 0
        entries[key] += 1
    _add([(key, minutes[key], entries[key]) for key in entries])


def recount(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """Make the totals of the days from `date_from` to `date_to` (inclusive; None: no
    limit) those of summing the dedications again; the number of rows written. Writers of
    dedications wait meanwhile (SHARE lock on PostgreSQL, the single writer on SQLite): call
    it for a few weeks at a time on a large database (see recount_all)."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    table = quote(DedicationTotal._meta.db_table)
    source = quote(Dedication._meta.db_table)
    date = quote("date")
    where, params = [], []
    if date_from is not None:
        where.append(f"{date} >= %s")
        params.append(connection.ops.adapt_datefield_value(date_from))
    if date_to is not None:
        where.append(f"{date} <= %s")
        params.append(connection.ops.adapt_datefield_value(date_to))
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    key = ", ".join(quote(_column(name)) for name in _KEY)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers of dedications (who write the totals in the same transaction) wait
            # for this range to be summed; readers do not.
            cursor.execute(f"LOCK TABLE {source} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {table} {condition}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} ({key}, minutes, entries) "  # noqa: S608 - names from models
            f"SELECT {key}, SUM(COALESCE(minutes, 0)), COUNT(*) FROM {source} {condition} "
            # In the key's order, the date first: a month's rows are written together, and a
            # report reads a few pages instead of a row on every page of the table.
            f"GROUP BY {key} ORDER BY {key}",
            params,
        )
        return cursor.rowcount


def recount_all(*, days: int = 7) -> int:
    """Recount every day that has dedications, `days` at a time, each range in its own
    short transaction (writers wait for one range at most, not for the whole table); the
    number of rows written."""
    dates = Dedication.objects.order_by().values_list("date", flat=True)
    first, last = dates.order_by("date").first(), dates.order_by("-date").first()
    written = recount(date_to=first - dt.timedelta(days=1)) if first else recount()
    if first is None or last is None:
        return written
    start = first
    while start <= last:
        end = min(start + dt.timedelta(days=days - 1), last)
        written += recount(date_from=start, date_to=end)
        start = end + dt.timedelta(days=1)
    written += recount(date_from=last + dt.timedelta(days=1))
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":  # the planner's statistics of the rows written
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(DedicationTotal._meta.db_table)}")
    return written
