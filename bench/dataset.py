"""A realistic CRM, built fast: employees, clients, projects, tasks and dedications.

Runs inside a Django process (bench.inprocess). Rows are made in memory as plain tuples with
explicit ids, so relations need no round trip, and loaded in one transaction: COPY on
PostgreSQL, one executemany per table on SQLite. (bulk_create spends ~80% of its time
compiling SQL for each row: 15 s instead of 2 s for 200,000 dedications.) The tables and
columns come from the models, so the rows land where Hexa's own code would put them.

The shape, per client (shares of all clients):
- 72% one active project with the client's code; its newest pending task usually has a
  next follow-up date; 1 in 20 has no pending task (only done ones, or an incident);
- 5% several active projects, one with the client's code (the quick log uses that one);
- 5% several active projects, none with the client's code (the quick log needs a choice);
- 8% only a closed project with the client's code (the quick log creates CODE-2);
- 10% no project at all, new clients (the quick log creates CODE).
On top, 1 in 10 clients with an active project also has an old closed one. Dedications are
spread unevenly: a few clients get most of them, as in real life; they come oldest first,
as a database that grew over two years holds them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from hexa.crm.models import (
    Client,
    Dedication,
    DedicationTotal,
    Employee,
    Project,
    Task,
)
from hexa.crm.services import totals

Row = tuple[Any, ...]

EMPLOYEES = 24
TEXTS = (
    "Llamada para revisar el presupuesto del trimestre.",
    "Visita comercial: presentación de la nueva tarifa.",
    "Envío de propuesta por email con las condiciones acordadas.",
    "Reunión de seguimiento con la gerencia.",
    "Resuelta una duda sobre la última factura.",
    "Preparación de la oferta para la campaña de primavera.",
    "El cliente pide aplazar la entrega una semana.",
    "Revisión del contrato de mantenimiento anual.",
    "Formación al personal del cliente sobre el nuevo sistema.",
    "Incidencia atendida por teléfono; queda pendiente confirmar.",
)
NAMES = (
    "Panadería Rivera",
    "Clínica Sol",
    "Hotel Mar",
    "Bodegas Valle",
    "Talleres Gil",
    "Reformas Castillo",
    "Floristería Camelia",
    "Gestoría Navarro",
    "Farmacia Serrano",
    "Autoescuela Sur",
    "Óptica Miranda",
    "Librería Faro",
    "Catering Alba",
    "Gimnasio Atlas",
    "Veterinaria Roble",
    "Academia Babel",
)
MINUTES = (None, None, 15, 30, 45, 60, 90, 120, 240)
VIAS = ("web", "web", "api", "cli")

# Each table's columns, by model field name, in the order the row tuples use.
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Employee: ("id", "code", "name", "email", "active"),
    Client: ("id", "code", "name", "tax_id", "email", "phone", "notes", "active", "created_at"),
    Project: ("id", "code", "name", "client_id", "kind", "status", "created_at"),
    Task: (
        "id",
        "project_id",
        "title",
        "kind",
        "status",
        "next_follow_up",
        "created_at",
        "priority",
        "reported_by",
        "reported_via",
        "description",
    ),
    Dedication: (
        "id",
        "client_id",
        "project_id",
        "task_id",
        "employee_id",
        "date",
        "text",
        "minutes",
        "recorded_at",
        "via",
    ),
}


class Shape(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    AMBIGUOUS = "ambiguous"
    CLOSED_ONLY = "closed_only"
    NEW = "new"


SHAPES: tuple[tuple[Shape, float], ...] = (
    (Shape.MULTI, 0.05),
    (Shape.AMBIGUOUS, 0.05),
    (Shape.CLOSED_ONLY, 0.08),
    (Shape.NEW, 0.10),
)  # the rest: SINGLE


@dataclass
class Dataset:
    """What was built, and which clients the workload may use for what."""

    counts: dict[str, int]
    seconds: dict[str, float]
    employee_ids: list[int]  # active employees
    # Clients whose quick log finds an active project by the rules (maybe creating a task).
    with_project: list[int]
    # Clients with no active project: their first quick log creates a project and a task.
    without_project: list[int]
    codes: dict[int, str]


@dataclass
class _Rows:
    """The rows under construction, with the indexes the next stage needs."""

    tables: dict[type[models.Model], list[Row]] = field(
        default_factory=lambda: {model: [] for model in COLUMNS}
    )
    shape_of: dict[int, Shape] = field(default_factory=dict)
    projects_of: dict[int, list[int]] = field(default_factory=dict)  # client -> projects
    tasks_of: dict[int, list[int]] = field(default_factory=dict)  # project -> tasks
    loaded: Counter[type[models.Model]] = field(default_factory=Counter)  # streamed rows


def build(*, clients: int, dedications: int, seed: int, chunk: int | None = None) -> Dataset:
    """The dataset, loaded. With `chunk`, dedications are made and loaded that many at a time
    (10 million tuples at once would take ~10 GB): generating and inserting then overlap, and
    their seconds are counted together as "insert"."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    started = time.perf_counter()
    rows = _Rows()
    _employees(rows)
    _clients(rows, clients, rng, now)
    made = _dedications(rows, dedications, rng, now)
    if chunk is None:
        rows.tables[Dedication] = list(made)
    generated = time.perf_counter()
    with transaction.atomic(), _sqlite_load_cache():
        for model, table_rows in rows.tables.items():
            _load(model, COLUMNS[model], table_rows)
        if chunk is not None:
            with _clients_summed_once():
                while batch := list(itertools.islice(made, chunk)):
                    _load(Dedication, COLUMNS[Dedication], batch)
                    rows.loaded[Dedication] += len(batch)
        # What Hexa's writes keep as they go, summed once here.
        totals.recount()
    loaded = time.perf_counter()
    _after_bulk_load([*COLUMNS, DedicationTotal, *(rollup.table for rollup in totals.ROLLUPS)])
    finished = time.perf_counter()
    return Dataset(
        counts={
            f"{model.__name__.lower()}s": len(r) + rows.loaded[model]
            for model, r in rows.tables.items()
        },
        seconds={
            "generate": generated - started,
            "insert": loaded - generated,
            "analyze": finished - loaded,
            "total": finished - started,
        },
        employee_ids=[row[0] for row in rows.tables[Employee] if row[4]],
        with_project=[
            pk for pk, shape in rows.shape_of.items() if shape in (Shape.SINGLE, Shape.MULTI)
        ],
        without_project=[
            pk for pk, shape in rows.shape_of.items() if shape in (Shape.CLOSED_ONLY, Shape.NEW)
        ],
        codes={row[0]: row[1] for row in rows.tables[Client]},
    )


def _employees(rows: _Rows) -> None:
    for pk in range(1, EMPLOYEES + 1):
        active = pk % 8 != 0  # a few left the company
        rows.tables[Employee].append(
            (pk, f"E{pk:03d}", f"Empleado {pk}", f"e{pk}@example.com", active)
        )


def _clients(rows: _Rows, count: int, rng: random.Random, now: dt.datetime) -> None:
    ids = list(range(1, count + 1))
    rng.shuffle(ids)  # shapes spread over the whole id range, as in real life
    start = 0
    for shape, share in SHAPES:
        size = round(count * share)
        rows.shape_of.update(dict.fromkeys(ids[start : start + size], shape))
        start += size
    rows.shape_of.update(dict.fromkeys(ids[start:], Shape.SINGLE))
    for pk in range(1, count + 1):
        code = f"C{pk:06d}"
        name = f"{rng.choice(NAMES)} {pk}"
        created = now - dt.timedelta(days=rng.randint(30, 1500))
        rows.tables[Client].append(
            (
                pk,
                code,
                name,
                f"B{pk:08d}" if pk % 3 else "",  # unique when given; a third have none
                f"info@{code.lower()}.example.com",
                f"9{pk:08d}",
                "",
                True,
                created,
            )
        )
        for project_code, active in _project_codes(code, rows.shape_of[pk], rng):
            _project(rows, pk, name, project_code, active, created, rng, now)


def _project_codes(code: str, shape: Shape, rng: random.Random) -> list[tuple[str, bool]]:
    """(code, active) of each project of a client of this shape."""
    codes: list[tuple[str, bool]] = []
    if shape in (Shape.SINGLE, Shape.MULTI):
        codes.append((code, True))
    if shape is Shape.MULTI:
        codes += [(f"{code}-P{n}", True) for n in range(1, rng.randint(2, 3))]
    if shape is Shape.AMBIGUOUS:
        codes += [(f"{code}-A", True), (f"{code}-B", True)]
    if shape is Shape.CLOSED_ONLY:
        codes.append((code, False))
    elif shape is not Shape.NEW and rng.random() < 0.1:
        codes.append((f"{code}-OLD", False))
    return codes


def _project(
    rows: _Rows,
    client_id: int,
    name: str,
    code: str,
    active: bool,
    client_created: dt.datetime,
    rng: random.Random,
    now: dt.datetime,
) -> None:
    projects = rows.tables[Project]
    pk = len(projects) + 1
    created = client_created + dt.timedelta(days=rng.randint(0, 20))
    kind = "production" if "-P" in code else "commercial"
    projects.append((pk, code, name, client_id, kind, "active" if active else "closed", created))
    rows.projects_of.setdefault(client_id, []).append(pk)
    # Older tasks are done; the newest is pending on an active project (1 in 20 is not, and
    # half of those have a pending incident instead, which the quick log must not pick).
    tasks = rows.tables[Task]
    count = rng.randint(1, 4)
    newest_pending = active and rng.random() >= 0.05
    age = (now - created).days
    for n in range(count):
        newest = n == count - 1
        incident = newest and active and not newest_pending and rng.random() < 0.5
        pending = (newest and newest_pending) or incident
        follow_up = (
            (now + dt.timedelta(days=rng.randint(-30, 60))).date()
            if pending and rng.random() < 0.75
            else None
        )
        task_id = len(tasks) + 1
        tasks.append(
            (
                task_id,
                pk,
                "Incidencia" if incident else "Seguimiento",
                "incident" if incident else "task",
                "pending" if pending else "done",
                follow_up,
                now - dt.timedelta(days=max(0, age - (n + 1) * age // (count + 1))),
                "normal",
                "",
                "",
                "",
            )
        )
        rows.tasks_of.setdefault(pk, []).append(task_id)


def _dedications(rows: _Rows, count: int, rng: random.Random, now: dt.datetime) -> Iterator[Row]:
    clients = list(rows.projects_of)
    if not clients:
        return
    weights = [rng.paretovariate(1.2) for _ in clients]
    employees = [row[0] for row in rows.tables[Employee]]
    ages = _oldest_first(count, rng, newest=60, oldest=730 * 24 * 60)
    for pk, client_id in enumerate(rng.choices(clients, weights, k=count), start=1):
        project_id = rng.choice(rows.projects_of[client_id])
        recorded = now - dt.timedelta(minutes=next(ages))
        yield (
            pk,
            client_id,
            project_id,
            rng.choice(rows.tasks_of[project_id]) if rng.random() < 0.9 else None,
            rng.choice(employees),
            recorded.date(),
            rng.choice(TEXTS),
            rng.choice(MINUTES),
            recorded,
            rng.choice(VIAS),
        )


def _oldest_first(count: int, rng: random.Random, *, newest: int, oldest: int) -> Iterator[int]:
    """`count` ages in minutes, uniform between `newest` and `oldest`, oldest first: a
    database that grew over two years holds its dedications in the order they were recorded
    (ids and table pages follow the dates), and a month's rows sit together, as reports find
    them in real life. Drawn in order without holding them all (10 million at once would take
    gigabytes): the largest of k uniforms is U^(1/k), the next the largest of the k - 1
    below it, and so on."""
    top = 1.0
    for k in range(count, 0, -1):
        top *= rng.random() ** (1 / k)
        yield newest + round(top * (oldest - newest))


def _load(model: type[models.Model], names: Sequence[str], rows: list[Row]) -> None:
    """Insert `rows` (values in `names` order) into the model's table, fast."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    # Names come from our models, values travel as parameters (or COPY data).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        converters = [_sqlite_converter(f) for f in fields]
        if any(converters):
            rows = [
                tuple(
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(converters, row, strict=True)
                )
                for row in rows
            ]
        placeholders = ", ".join(["%s"] * len(fields))
        insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        cursor.executemany(insert, rows)


@contextmanager
def _clients_summed_once() -> Iterator[None]:
    """On PostgreSQL, each batch of dedications would have its trigger (migration 0008) move
    nearly every client's latest dedication and last worker again, and each new last worker
    move that client's follow-ups (0014's row trigger, one UPDATE a client, planned without
    statistics of tables loaded in this transaction: a scan of all tasks for each client).
    The triggers are off while the batches load; then every client is summed once and every
    follow-up given its responsible once, by the triggers' own functions, as one statement
    each, after ANALYZE."""
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    dedications, clients = quote(Dedication._meta.db_table), quote(Client._meta.db_table)
    with connection.cursor() as cursor:
        # A table can't change its triggers while checks of its deferred foreign keys wait.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {dedications} DISABLE TRIGGER USER")
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {dedications} ENABLE TRIGGER USER")
        for model in COLUMNS:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
        cursor.execute(f"ALTER TABLE {clients} DISABLE TRIGGER USER")
        # The functions of migrations 0008 and 0014, which name their tables themselves.
        cursor.execute("SELECT hexa_refresh_last_dedications(ARRAY(SELECT id FROM crm_client))")
        cursor.execute(f"ALTER TABLE {clients} ENABLE TRIGGER USER")
        cursor.execute(
            "SELECT hexa_refresh_responsible(ARRAY(SELECT id FROM crm_task "
            "WHERE status = 'pending' AND next_follow_up IS NOT NULL))"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _sqlite_load_cache() -> Iterator[None]:
    """SQLite's default 2 MB page cache makes index inserts spill to disk during the load;
    a large one only while loading (the measurements use what Hexa configures) is 40% faster."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _sqlite_converter(model_field: Any) -> Callable[[Any], Any] | None:
    """Dates and times as Django writes them on SQLite (naive UTC text): Python's own sqlite3
    adapters differ, and are deprecated."""
    converter: Callable[[Any], Any] | None = None
    if isinstance(model_field, models.DateTimeField):  # a DateField too: ask first
        converter = connection.ops.adapt_datetimefield_value
    elif isinstance(model_field, models.DateField):
        converter = connection.ops.adapt_datefield_value
    return converter


def _after_bulk_load(tables: list[type[models.Model]]) -> None:
    """What a database that grew normally would have: sequences past the explicit ids, and,
    on PostgreSQL, planner statistics and a visibility map (autovacuum would make them
    anyway, but in the middle of a measurement), and a clients' table of its own size.

    The clients' latest dedication is kept by a trigger (migration 0008) that updates every
    client a batch of dedications touches; loaded oldest first in one transaction, each
    batch updated nearly every client again, and no vacuum could reclaim the old rows until
    it ended: 100,000 clients took 337 MB instead of 13, and every count of clients read all
    of it (72 ms instead of 10). A database that grew over years was vacuumed as it went."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            for model in tables:
                full = "FULL " if model is Client else ""
                cursor.execute(f"VACUUM {full}ANALYZE {quote(model._meta.db_table)}")
