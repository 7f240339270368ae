"""The totals of dedications per day, client, project and employee (DedicationTotal) and per
month, client and project (MonthTotal), kept in step with the dedications: every write of a
dedication calls one of these, inside its own transaction, so that a report read from either
always equals summing the dedications.

Each change is an addition to one row, an UPSERT (`INSERT ... ON CONFLICT DO UPDATE SET
minutes = minutes + excluded.minutes`, on PostgreSQL and SQLite alike): simultaneous writers
of the same row add one after the other, never over each other, and the first to write a
row creates it without a race. Taking away (a delete, fewer minutes) is an UPDATE of a row
that must be there: one that is not means a write went around this module, and the write is
refused (OutOfStep) rather than counted wrong. A change that moves a dedication to another
row subtracts from one and adds to the other, always in the same order (the days' rows, then
the months', each in the key's order), so that two such changes cannot wait for each other
(a deadlock). A row left with no dedication is removed.

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
from django.db.models.functions import TruncMonth

from hexa.crm.models import Dedication, DedicationTotal, MonthTotal

_KEY = ("date", "client_id", "project_id", "employee_id")
_MONTH_KEY = ("date", "client_id", "project_id")
_Table = type[DedicationTotal] | type[MonthTotal]


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

    def month(self) -> MonthKey:
        return MonthKey(self.date.replace(day=1), self.client, self.project)


@dataclass(frozen=True, order=True)
class MonthKey:
    """The row of MonthTotal a dedication counts in: `date` is its month's first day."""

    date: dt.date
    client: int
    project: int


def _column(table: _Table, name: str) -> str:
    """The database column of one of a table of totals' fields."""
    field = table._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # a concrete field
    return field.column


def _key_of(table: _Table) -> tuple[str, ...]:
    return _KEY if table is DedicationTotal else _MONTH_KEY


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
    """Add (minutes, entries) to each key's row of the days, and to its month's row; in the
    key's order, the days first. Then remove the rows left counting no dedication."""
    days = sorted(changes)
    months: Counter[MonthKey] = Counter()
    month_minutes: Counter[MonthKey] = Counter()
    for key, minutes, entries in days:
        months[key.month()] += entries
        month_minutes[key.month()] += minutes
    _add_to(DedicationTotal, [(astuple(key), minutes, entries) for key, minutes, entries in days])
    _add_to(
        MonthTotal,
        [
            (astuple(key), month_minutes[key], months[key])
            for key in sorted(months.keys() | month_minutes.keys())
            if months[key] or month_minutes[key]
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
    limit), and of the months they fall in, those of summing the dedications again; the
    number of rows of days written. Writers of dedications wait meanwhile (SHARE lock on
    PostgreSQL, the single writer on SQLite): call it for a few weeks at a time on a large
    database (see recount_all)."""
    with _recounting() as cursor:
        written = _recount_days(cursor, date_from, date_to)
        _recount_months(cursor, date_from, date_to)
    return written


def recount_all(*, days: int = 7, months: bool = True) -> int:
    """Recount every day that has dedications, `days` at a time, then (`months`) every
    month (recount_months), each range in its own short transaction: writers wait for one
    range at most, not for the whole table. The number of rows of days written."""
    first, last = _first_and_last_dates()
    written = 0
    step, one_day = dt.timedelta(days=days), dt.timedelta(days=1)
    weeks = _ranges(first, last, lambda start: min(start + step, (last or start) + one_day))
    for date_from, date_to in weeks:
        with _recounting() as cursor:
            written += _recount_days(cursor, date_from, date_to)
    _analyze(DedicationTotal)
    if months:
        recount_months()
    return written


def recount_months() -> None:
    """Recount every month's totals from the days' totals, a month at a time, each in its
    own short transaction."""
    first, last = _first_and_last_dates()
    first_month = first.replace(day=1) if first is not None else None
    for date_from, date_to in _ranges(first_month, last, _following_month):
        with _recounting() as cursor:
            _recount_months(cursor, date_from, date_to)
    _analyze(MonthTotal)


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


def _following_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=31)).replace(day=1)


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


def _recount_months(
    cursor: CursorWrapper, date_from: dt.date | None, date_to: dt.date | None
) -> None:
    """The totals of the months from `date_from`'s to `date_to`'s summed again from the
    days' totals (which must be in step: recount them first)."""
    connection = cursor.db
    quote = connection.ops.quote_name
    months = MonthTotal.objects.all()
    days = DedicationTotal.objects.all()
    if date_from is not None:
        months = months.filter(date__gte=date_from.replace(day=1))
        days = days.filter(date__gte=date_from.replace(day=1))
    if date_to is not None:
        following = _following_month(date_to)
        months = months.filter(date__lt=following)
        days = days.filter(date__lt=following)
    months.delete()
    select, params = (
        days.annotate(month=TruncMonth("date"))
        .values("month", "client_id", "project_id")
        .annotate(month_minutes=Sum("minutes"), month_entries=Sum("entries"))
        .order_by("month", "client_id", "project_id")
        .values_list("month", "client_id", "project_id", "month_minutes", "month_entries")
        .query.sql_with_params()
    )
    key = ", ".join(quote(_column(MonthTotal, name)) for name in _MONTH_KEY)
    cursor.execute(
        f"INSERT INTO {quote(MonthTotal._meta.db_table)} ({key}, minutes, entries) {select}",
        params,
    )
