"""The totals of dedications per day, client, project and employee (DedicationTotal), and
their roll-ups (ROLLUPS): per month, client and project (MonthTotal), per year, client and
project (YearTotal), per day and employee (EmployeeDayTotal); kept in step with the
dedications: every write of a dedication calls one of these, inside its own transaction, so
that a report read from any of them always equals summing the dedications.

Each change is an addition to one row, an UPSERT (`INSERT ... ON CONFLICT DO UPDATE SET
minutes = minutes + excluded.minutes`, on PostgreSQL and SQLite alike): simultaneous writers
of the same row add one after the other, never over each other, and the first to write a
row creates it without a race. Taking away (a delete, fewer minutes) is an UPDATE of a row
that must be there: one that is not means a write went around this module, and the write is
refused (OutOfStep) rather than counted wrong. A change that moves a dedication to another
row subtracts from one and adds to the other, always in the same order (the days' rows, then
each roll-up's in ROLLUPS' order, each table in the key's order), so that two such changes
cannot wait for each other (a deadlock). A row left with no dedication is removed.

The statements are written once per database (the quick log runs one on every call, and
compiling it with the ORM would cost more than running it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncYear

from hexa.crm.models import (
    Dedication,
    DedicationTotal,
    EmployeeDayTotal,
    MonthTotal,
    YearTotal,
)

_KEY = ("date", "client_id", "project_id", "employee_id")
type _Table = type[DedicationTotal] | type[MonthTotal] | type[YearTotal] | type[EmployeeDayTotal]


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


@dataclass(frozen=True)
class Rollup:
    """A table of totals that sums rows of the days' totals: its key, the key of the row
    that a day's row counts in, and how long a period a row covers (`start`: the first day
    of the period of a day; `following`: the first day of the next period)."""

    table: _Table
    key: tuple[str, ...]
    of: Callable[[Key], tuple]
    start: Callable[[dt.date], dt.date]
    following: Callable[[dt.date], dt.date]
    trunc: type[TruncMonth] | type[TruncYear] | None  # the period of a date, in SQL


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _following_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=31)).replace(day=1)


def _year_start(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


def _following_year(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 1, month=1, day=1)


ROLLUPS = (
    Rollup(
        MonthTotal,
        ("date", "client_id", "project_id"),
        lambda key: (_month_start(key.date), key.client, key.project),
        _month_start,
        _following_month,
        TruncMonth,
    ),
    Rollup(
        YearTotal,
        ("date", "client_id", "project_id"),
        lambda key: (_year_start(key.date), key.client, key.project),
        _year_start,
        _following_year,
        TruncYear,
    ),
    # Per day: recounted a month at a time.
    Rollup(
        EmployeeDayTotal,
        ("date", "employee_id"),
        lambda key: (key.date, key.employee),
        _month_start,
        _following_month,
        None,
    ),
)
_ROLLUP_OF = {rollup.table: rollup for rollup in ROLLUPS}


def _column(table: _Table, name: str) -> str:
    """The database column of one of a table of totals' fields."""
    field = table._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # a concrete field
    return field.column


def _key_of(table: _Table) -> tuple[str, ...]:
    return _KEY if table is DedicationTotal else _ROLLUP_OF[table].key


@cache
def _statements(vendor: str, table: _Table) -> tuple[str, str, str]:
    """(UPSERT adding to a row, UPDATE of a row that must be there, DELETE of a row if it
    counts no dedication) of one table of totals."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    names = [quote(_column(table, name)) for name in _key_of(table)]
    key = ", ".join(names)
    where = " AND ".join(f"{name} = %s" for name in names)
    values = ", ".join(["%s"] * (len(names) + 2))
    minutes, entries = quote("minutes"), quote("entries")
    db_table = quote(table._meta.db_table)
    # Names from the model, values as parameters.
    add = (
        f"INSERT INTO {db_table} ({key}, {minutes}, {entries}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET {minutes} = {db_table}.{minutes} + "
        f"excluded.{minutes}, {entries} = {db_table}.{entries} + excluded.{entries}"
    )
    update = (
        f"UPDATE {db_table} SET {minutes} = {minutes} + %s, {entries} = {entries} + %s "  # noqa: S608
        f"WHERE {where}"
    )
    remove = f"DELETE FROM {db_table} WHERE {where} AND {entries} = 0"  # noqa: S608
    return add, update, remove


class OutOfStep(RuntimeError):
    """A dedication changed or deleted was not counted in the totals: some write bypassed
    this module. The transaction is undone; `recount()` puts the totals right."""


def _add(changes: Iterable[tuple[Key, int, int]]) -> None:
    """Add (minutes, entries) to each key's row of the days, and to its row of each roll-up;
    in the key's order, the days first. Then remove the rows left counting no dedication."""
    days = sorted(changes)
    _add_to(DedicationTotal, [(astuple(key), minutes, entries) for key, minutes, entries in days])
    for rollup in ROLLUPS:
        entries: Counter[tuple] = Counter()
        minutes: Counter[tuple] = Counter()
        for key, key_minutes, key_entries in days:
            entries[rollup.of(key)] += key_entries
            minutes[rollup.of(key)] += key_minutes
        _add_to(
            rollup.table,
            [
                (row, minutes[row], entries[row])
                for row in sorted(entries.keys() | minutes.keys())
                if entries[row] or minutes[row]
            ],
        )


def _add_to(table: _Table, changes: list[tuple[tuple, int, int]]) -> None:
    """Add (minutes, entries) to each key's row of `table`, in the order given. A row gains
    dedications by an UPSERT; one that loses some (or only changes its minutes) must be
    there, and is updated (an UPSERT would check its negative figures as a new row's, and
    refuse them)."""
    connection = connections[DEFAULT_DB_ALIAS]
    add, update, remove = _statements(connection.vendor, table)
    emptied = []
    with connection.cursor() as cursor:
        for key, minutes, entries in changes:
            where = [connection.ops.adapt_datefield_value(key[0]), *key[1:]]
            if entries > 0:
                cursor.execute(add, [*where, minutes, entries])
                continue
            cursor.execute(update, [minutes, entries, *where])
            if cursor.rowcount != 1:
                raise OutOfStep(f"no {table._meta.verbose_name} for {key}")
            if entries < 0:
                emptied.append(where)
        for where in emptied:
            cursor.execute(remove, where)


def counted(dedication: Dedication) -> None:
    """A new dedication (just inserted, in the caller's transaction) counts in its row of
    each table: on PostgreSQL in one statement (the quick log's path: one round trip, not
    one per table)."""
    key, minutes = Key.of(dedication), dedication.minutes or 0
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        _add([(key, minutes, 1)])
        return
    params: list[dt.date | int] = []
    for row in (astuple(key), *(rollup.of(key) for rollup in ROLLUPS)):
        params += [*row, minutes, 1]
    with connection.cursor() as cursor:
        cursor.execute(_count_everywhere(), params)


@cache
def _count_everywhere() -> str:
    """The UPSERT adding to a row of every table, as one PostgreSQL statement (each in a
    WITH: different tables, so no row is written twice). A new dedication's rows of the
    days, months and years are its client's alone, which the writer has locked, and it adds
    to one row of an employee's day: the order in which they are written cannot make two
    writers wait for each other."""
    tables = (DedicationTotal, *(rollup.table for rollup in ROLLUPS))
    adds = [_statements("postgresql", table)[0] for table in tables]
    return "WITH " + ", ".join(f"t{i} AS ({add})" for i, add in enumerate(adds)) + " SELECT 1"


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
    limit), and the roll-ups' rows of the periods they fall in, those of summing the
    dedications again; the number of rows of days written. Writers of dedications wait
    meanwhile (SHARE lock on PostgreSQL, the single writer on SQLite): call it for a few
    weeks at a time on a large database (see recount_all)."""
    with _recounting() as cursor:
        written = _recount_days(cursor, date_from, date_to)
        for rollup in ROLLUPS:
            _recount_rollup(cursor, rollup, date_from, date_to)
    return written


def recount_all(*, days: int = 7, rollups: bool = True) -> int:
    """Recount every day that has dedications, `days` at a time, then (`rollups`) every
    roll-up (recount_rollups), each range in its own short transaction: writers wait for one
    range at most, not for the whole table. The number of rows of days written."""
    first, last = _first_and_last_dates()
    written = 0
    step, one_day = dt.timedelta(days=days), dt.timedelta(days=1)
    weeks = _ranges(first, last, lambda start: min(start + step, (last or start) + one_day))
    for date_from, date_to in weeks:
        with _recounting() as cursor:
            written += _recount_days(cursor, date_from, date_to)
    _analyze(DedicationTotal)
    if rollups:
        recount_rollups()
    return written


def recount_rollups(*tables: _Table) -> None:
    """Recount the roll-ups `tables` (all of them when none is named) from the days' totals,
    a period of each at a time (a month, or a year), each in its own short transaction."""
    first, last = _first_and_last_dates()
    for rollup in ROLLUPS:
        if tables and rollup.table not in tables:
            continue
        first_period = rollup.start(first) if first is not None else None
        for date_from, date_to in _ranges(first_period, last, rollup.following):
            with _recounting() as cursor:
                _recount_rollup(cursor, rollup, date_from, date_to)
        _analyze(rollup.table)


def _ranges(
    first: dt.date | None, last: dt.date | None, following: Callable[[dt.date], dt.date]
) -> list[tuple[dt.date | None, dt.date | None]]:
    """Ranges of dates (inclusive; None: no limit) that cover every day once: before
    `first`; from `first` on, each ending the day before `following(its start)`, until past
    `last`; and after. One range of everything when there are no dates."""
    if first is None or last is None:
        return [(None, None)]
    one_day = dt.timedelta(days=1)
    ranges: list[tuple[dt.date | None, dt.date | None]] = [(None, first - one_day)]
    start = first
    while start <= last:
        following_start = following(start)
        ranges.append((start, following_start - one_day))
        start = following_start
    ranges.append((start, None))
    return ranges


def _first_and_last_dates() -> tuple[dt.date | None, dt.date | None]:
    dates = Dedication.objects.order_by().values_list("date", flat=True)
    return dates.order_by("date").first(), dates.order_by("-date").first()


def _analyze(table: _Table) -> None:
    """The planner's statistics of the rows written (PostgreSQL)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table._meta.db_table)}")


@contextmanager
def _recounting() -> Iterator[CursorWrapper]:
    """A transaction in which writers of dedications wait (and readers do not)."""
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers of dedications (who write the totals in the same transaction) wait
            # for this range to be summed; readers do not.
            source = connection.ops.quote_name(Dedication._meta.db_table)
            cursor.execute(f"LOCK TABLE {source} IN SHARE MODE")
        yield cursor


def _recount_days(cursor: CursorWrapper, date_from: dt.date | None, date_to: dt.date | None) -> int:
    """The days' totals from `date_from` to `date_to` summed again from the dedications."""
    connection = cursor.db
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
    key = ", ".join(quote(_column(DedicationTotal, name)) for name in _KEY)
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


def _recount_rollup(
    cursor: CursorWrapper, rollup: Rollup, date_from: dt.date | None, date_to: dt.date | None
) -> None:
    """The roll-up's rows of the periods from `date_from`'s to `date_to`'s summed again from
    the days' totals (which must be in step: recount them first)."""
    connection = cursor.db
    quote = connection.ops.quote_name
    rows = rollup.table._default_manager.all()
    days = DedicationTotal.objects.all()
    if date_from is not None:
        rows = rows.filter(date__gte=rollup.start(date_from))
        days = days.filter(date__gte=rollup.start(date_from))
    if date_to is not None:
        following = rollup.following(date_to)
        rows = rows.filter(date__lt=following)
        days = days.filter(date__lt=following)
    rows.delete()
    period = rollup.trunc("date") if rollup.trunc is not None else models.F("date")
    fields = ["period", *rollup.key[1:]]
    select, params = (
        days.annotate(period=period)
        .values(*fields)
        .annotate(rollup_minutes=Sum("minutes"), rollup_entries=Sum("entries"))
        .order_by(*fields)
        .values_list(*fields, "rollup_minutes", "rollup_entries")
        .query.sql_with_params()
    )
    key = ", ".join(quote(_column(rollup.table, name)) for name in rollup.key)
    cursor.execute(
        f"INSERT INTO {quote(rollup.table._meta.db_table)} ({key}, minutes, entries) {select}",
        params,
    )
