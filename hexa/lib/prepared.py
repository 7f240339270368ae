"""Statements that Django compiles to SQL once, then runs again and again with new values.

Django turns a queryset into SQL every time it runs it. For the quick log that compilation
is most of the cost: 100-300 µs a statement, where SQLite runs the statement itself in under
10 µs (`make bench` measured the ORM's compilation at about 85 % of a quick log). These
classes keep Django's SQL - correct for each database, written by the ORM from the models -
and skip only the compiling:

    latest_task = PreparedSelect(
        lambda project: Task.objects.filter(project_id=project).order_by("-created_at")[:1],
        project=int,
    )
    latest_task(project=12)  # -> [<Task>], built as the ORM would build it

Parameters are integers or strings, compared as they are (a lookup that transforms its value,
such as `icontains`, cannot take one). Constants (`status="pending"`) are compiled in.
Querysets returning model instances or `values_list` tuples are supported, without
`select_related`.

With the setting `HEXA_PREPARED_SQL` false (environment variable of the same name), each
statement runs through the plain ORM instead: the escape hatch if a Django upgrade breaks
this module. The quick-log tests run in both modes (tests/conftest.py's `sql_modes`: the
domain's, the API's, the web form's and the idempotency tests; `hexa log`'s through the
environment variable, tests/cli/conftest.py), and tests/lib/test_prepared.py compares every
class with the ORM.

Django internals this relies on (not public API; an upgrade that changes them fails those
tests): `QuerySet._iterable_class`, `ModelIterable`, `ValuesListIterable`,
`Query.select_related`, `Query.select_for_update`, `Query.get_compiler`, the compiler's
`as_sql()`, `select`, `col_count` and `get_converters()`, `Model.from_db`, `Model._state`
(`adding` and `db`, set on an inserted instance), `Model._base_manager`,
`_meta.local_concrete_fields` (the columns an insert writes, `generated` ones left out),
`InsertQuery.insert_values`, the insert compiler's `returning_fields` and
`returning_params`, `DatabaseOperations.fetch_returned_rows`, `UpdateQuery.add_update_values`
and `Query.add_filter`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError

# Values that stand for the parameters while Django compiles: no real query has them. The
# integer fits a 32-bit column (auth_user's id): Django compiles a value out of a column's
# range into a query that matches nothing.
_SENTINEL = -2_017_236_000
_SENTINEL_TEXT = "\ue000hexa-parameter-"


def _connection() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def _key(connection: BaseDatabaseWrapper) -> tuple[str, str]:
    return connection.alias, connection.vendor


def _compiled_once() -> bool:
    """False: every statement goes through the plain ORM (settings.HEXA_PREPARED_SQL)."""
    return bool(getattr(settings, "HEXA_PREPARED_SQL", True))


@dataclass(frozen=True)
class _Select:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression)
    model: type[Model] | None  # None: rows are tuples
    attnames: tuple[str, ...]
    for_update: bool


class PreparedSelect:
    def __init__(self, build: Callable[..., QuerySet[Any]], **types: type[int] | type[str]):
        self.build = build
        self.types = types
        self._compiled: dict[tuple[str, str], _Select] = {}

    def __call__(self, **values: int | str) -> list[Any]:
        for name, value in values.items():
            if type(value) is not self.types[name]:
                raise TypeError(f"{name} must be {self.types[name].__name__}, not {value!r}")
        if not _compiled_once():
            return list(self.build(**values))
        connection = _connection()
        compiled = self._compiled.get(_key(connection))
        if compiled is None:
            compiled = self._compiled[_key(connection)] = self._compile(connection)
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update outside of a transaction")
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [self._convert(row, compiled, connection) for row in rows]
        if compiled.model is None:
            return [tuple(row) for row in rows]
        model = compiled.model
        return [model.from_db(connection.alias, compiled.attnames, row) for row in rows]

    @staticmethod
    def _convert(row: Any, compiled: _Select, connection: BaseDatabaseWrapper) -> list[Any]:
        row = list(row)
        for position, converters, expression in compiled.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row

    def _compile(self, connection: BaseDatabaseWrapper) -> _Select:
        sentinels: dict[str, int | str] = {
            name: _SENTINEL - n if kind is int else f"{_SENTINEL_TEXT}{n}"
            for n, (name, kind) in enumerate(self.types.items())
        }
        queryset = self.build(**sentinels)
        if queryset.query.select_related:
            raise ValueError("PreparedSelect does not follow select_related")
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise ValueError("PreparedSelect returns model instances or values_list tuples")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = tuple(
            (position, name)
            for position, value in enumerate(params)
            for name, sentinel in sentinels.items()
            if type(value) is type(sentinel) and value == sentinel
        )
        if missing := set(self.types) - {name for _position, name in slots}:
            raise ValueError(f"parameters not used by the query: {sorted(missing)}")
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(found), expression)
            for position, (found, expression) in compiler.get_converters(columns).items()
        )
        model = queryset.model if queryset._iterable_class is ModelIterable else None
        return _Select(
            sql=sql,
            params=tuple(params),
            slots=slots,
            converters=converters,
            model=model,
            attnames=tuple(column.target.attname for column in columns) if model else (),
            for_update=bool(queryset.query.select_for_update),
        )


class PreparedInsert:
    """INSERT of one model instance, compiled once: as `instance.save()` for a new row,
    without signals (Hexa uses none). Sets the instance's primary key."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.local_concrete_fields if not f.generated]
        self.fields = [f for f in self.fields if f is not model._meta.pk]
        self._compiled: dict[tuple[str, str], tuple[str, Any]] = {}

    def __call__(self, instance: Model) -> None:
        if not _compiled_once():
            instance.save(force_insert=True)
            return
        connection = _connection()
        compiled = self._compiled.get(_key(connection))
        if compiled is None:
            compiled = self._compiled[_key(connection)] = self._compile(connection, instance)
        sql, returning_params = compiled
        params = [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in self.fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (row,) = connection.ops.fetch_returned_rows(cursor, returning_params)
        instance.pk = row[0]
        instance._state.adding = False
        instance._state.db = connection.alias

    def _compile(self, connection: BaseDatabaseWrapper, sample: Model) -> tuple[str, Any]:
        if not connection.features.can_return_columns_from_insert:
            raise NotImplementedError(f"{connection.vendor} cannot return inserted ids")
        query = InsertQuery(self.model)
        query.insert_values(self.fields, [sample])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [self.model._meta.pk]
        ((sql, _params),) = compiler.as_sql()
        return sql, compiler.returning_params


class PreparedUpdate:
    """UPDATE of one field of one row, by primary key, compiled once.

    `sample` is any value of the field's type other than the ones it will be set to: it
    marks where the value goes in the compiled statement.
    """

    def __init__(self, model: type[Model], field_name: str, *, sample: Any) -> None:
        self.model = model
        # A column of the model's own table: a reverse relation cannot be set by an UPDATE.
        self.field = cast("Field[Any, Any]", model._meta.get_field(field_name))
        self.sample = sample
        self._compiled: dict[tuple[str, str], tuple[str, int, int]] = {}

    def __call__(self, pk: int, value: Any) -> int:
        """Set the field of row `pk` to `value`; returns the number of rows changed."""
        if not _compiled_once():
            return self.model._base_manager.filter(pk=pk).update(**{self.field.name: value})
        connection = _connection()
        compiled = self._compiled.get(_key(connection))
        if compiled is None:
            compiled = self._compiled[_key(connection)] = self._compile(connection)
        sql, value_position, pk_position = compiled
        params: list[Any] = [None, None]
        params[value_position] = self.field.get_db_prep_save(value, connection)
        params[pk_position] = pk
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _compile(self, connection: BaseDatabaseWrapper) -> tuple[str, int, int]:
        query = UpdateQuery(self.model)
        query.add_update_values({self.field.name: self.sample})
        query.add_filter("pk", _SENTINEL)  # type: ignore[arg-type]  # django-stubs wants tuples
        sql, params = query.get_compiler(connection=connection).as_sql()
        params = list(params)
        mark = self.field.get_db_prep_save(self.sample, connection)
        if len(params) != 2 or mark not in params or _SENTINEL not in params:
            raise ValueError(f"unexpected UPDATE for {self.model.__name__}: {sql}")
        return sql, params.index(mark), params.index(_SENTINEL)
