"""Read-side rules: how clients are searched and how lists are filtered, in one place for the
web pages, the API and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput
from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.search import Fold, client_search_text, fold
from hexa.crm.services.codes import normalize_code, normalize_tax_id

# How many clients or projects a picker suggests, and names in a "several match" message.
SUGGESTIONS = 10
NAMED = 5


def _client_match(q: str) -> Q:
    """A client (or a row's client) whose code, name or tax id contains `q`, ignoring case
    and accents; a tax id is matched without its spaces or dashes. The queryset carries the
    alias of _folded() first. On PostgreSQL this reads a trigram index (migration 0006)."""
    needle = fold(q)
    match = Q(**{f"{_FOLDED}__contains": needle})
    if (tax_id := fold(normalize_tax_id(q))) and tax_id != needle:
        match |= Q(**{f"{_FOLDED}__contains": tax_id})
    return match


_FOLDED = "folded_search_text"


def _folded(prefix: str = "") -> dict[str, Fold]:
    """The folded text that _client_match() filters on, of the client or (with prefix
    "client__") of the row's client."""
    return {_FOLDED: client_search_text(prefix)}


def _searched(q: str) -> str:
    return q.replace("\x00", "").strip()


def search_clients(q: str = "", *, include_archived: bool = False) -> QuerySet[Client]:
    """Clients whose code, name or tax id contains `q` (case-insensitive): the explorer's
    search, and the client pickers'."""
    clients = Client.objects.all() if include_archived else Client.objects.filter(active=True)
    if q := _searched(q):
        clients = clients.alias(**_folded()).filter(_client_match(q))
    return clients.order_by("code")


def search_projects(
    q: str = "", *, include_closed: bool = True, client: Client | None = None
) -> QuerySet[Project]:
    """Projects whose code or name contains `q`, or whose client's code, name or tax id
    does (the client search): the project pickers'."""
    projects = Project.objects.select_related("client").order_by("code")
    if not include_closed:
        projects = projects.active()
    if client is not None:
        projects = projects.filter(client=client)
    if q := _searched(q):
        projects = projects.alias(**_folded("client__")).filter(
            Q(code__icontains=q) | Q(name__icontains=q) | _client_match(q)
        )
    return projects


def _named(
    q: str,
    *,
    every: QuerySet[Any],
    searched: QuerySet[Any],
    exact: Callable[[Any], bool],
    field: str,
    none: str,
) -> Any:
    """The row of `every` whose code is `q`, or else the only one of `searched` (what the
    search for `q` finds), or the only one of those that `exact` says `q` names; otherwise
    InvalidInput on `field`: `none` when nothing matches, or which ones match."""
    if q and (by_code := every.filter(code=normalize_code(q)).first()) is not None:
        return by_code
    found = list(searched[: SUGGESTIONS + 1]) if q else []
    named = found if len(found) == 1 else [row for row in found if exact(row)]
    if len(named) == 1:
        return named[0]
    if not found:
        raise InvalidInput.on(field, none % {"text": q})
    shown = ", ".join(f"{row.code} ({row.name})" for row in found[:NAMED])
    shown += "…" if len(found) > NAMED else ""
    raise InvalidInput.on(
        field,
        _("“%(text)s” matches several: %(names)s. Type more of it, or choose one.")
        % {"text": q, "names": shown},
    )


def find_client(text: str, *, field: str = "client", include_archived: bool = True) -> Client:
    """The client that `text` names, as a person types it where a client is chosen: its
    code, or else the one client whose code, name or tax id contains it (the explorer's
    search), or the one of those whose name or tax id it is exactly. Otherwise an error on
    `field` that says what to type (InvalidInput)."""
    q = _searched(text)
    tax_id = normalize_tax_id(q)
    return _named(
        q,
        every=Client.objects.all() if include_archived else Client.objects.filter(active=True),
        searched=search_clients(q, include_archived=include_archived),
        exact=lambda c: c.name.casefold() == q.casefold() or c.tax_id == tax_id,
        field=field,
        none=_("No client matches “%(text)s”: type its code, part of its name or its tax id."),
    )


def find_project(text: str, *, field: str = "project", include_closed: bool = True) -> Project:
    """The project that `text` names: its code, or else the one project whose code or name
    (or its client's code, name or tax id) contains it, or the one of those whose name it
    is exactly. Otherwise an error on `field` that says what to type (InvalidInput)."""
    q = _searched(text)
    return _named(
        q,
        every=search_projects(include_closed=include_closed),
        searched=search_projects(q, include_closed=include_closed),
        exact=lambda p: p.name.casefold() == q.casefold(),
        field=field,
        none=_("No project matches “%(text)s”: type its code, part of its name or its client's."),
    )


def list_employees(*, active: bool | None = None) -> QuerySet[Employee]:
    employees = Employee.objects.select_related("user").order_by("code")
    return employees if active is None else employees.filter(active=active)


def list_projects(
    *,
    client: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    q: str = "",
) -> QuerySet[Project]:
    projects = search_projects(q)
    if client:
        projects = projects.filter(client__code=normalize_code(client))
    if status:
        projects = projects.filter(status=status)
    if kind:
        projects = projects.filter(kind=kind)
    return projects


def list_tasks(
    *,
    project: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    client: str | None = None,
    assigned_to: Employee | None = None,
    q: str = "",
) -> QuerySet[Task]:
    tasks = Task.objects.select_related("project__client", "assigned_to").order_by(
        "-created_at", "-id"
    )
    if project:
        tasks = tasks.filter(project__code=normalize_code(project))
    if client:
        tasks = tasks.filter(project__client__code=normalize_code(client))
    if status:
        tasks = tasks.filter(status=status)
    if kind:
        tasks = tasks.filter(kind=kind)
    if assigned_to is not None:
        tasks = tasks.filter(assigned_to=assigned_to)
    if q := q.replace("\x00", "").strip():
        tasks = tasks.filter(
            Q(title__icontains=q)
            | Q(project__code__icontains=q)
            | Q(project__client__code__icontains=q)
            | Q(project__client__name__icontains=q)
        )
    return tasks


def list_dedications(
    *,
    client: str | None = None,
    project: str | None = None,
    task: int | None = None,
    employee: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Dedication]:
    dedications = Dedication.objects.select_related(
        "client", "project", "employee", "recorded_by__employee"
    ).order_by("-date", "-id")
    if client:
        dedications = dedications.filter(client__code=normalize_code(client))
    if project:
        dedications = dedications.filter(project__code=normalize_code(project))
    if task is not None:
        dedications = dedications.filter(task_id=task)
    if employee:
        dedications = dedications.filter(employee__code=normalize_code(employee))
    if date_from:
        dedications = dedications.filter(date__gte=date_from)
    if date_to:
        dedications = dedications.filter(date__lte=date_to)
    return dedications


EXPLORER_ORDERS = {
    "code": [F("code").asc()],
    "-code": [F("code").desc()],
    "name": [F("name").asc(), F("code").asc()],
    "-name": [F("name").desc(), F("code").asc()],
    "next": [F("next_follow_up").asc(nulls_last=True), F("code").asc()],
    "-next": [F("next_follow_up").desc(nulls_last=True), F("code").asc()],
    "last": [F("last_dedication").desc(nulls_last=True), F("code").asc()],
    "-last": [F("last_dedication").asc(nulls_first=True), F("code").asc()],
}


def explorer_order(order: str | None, *, due: bool) -> str:
    """The explorer's order: the one chosen; else, among the clients whose follow-up is due,
    the longest overdue first (whom to call first); else by code."""
    if order in EXPLORER_ORDERS:
        return order
    return "next" if due else "code"


def explore_clients(
    *,
    q: str = "",
    due_by: dt.date | None = None,
    unscheduled: bool = False,
    order: str | None = None,
    include_archived: bool = False,
    archived: bool = False,
) -> QuerySet[Client]:
    """The client explorer: clients matching `q`, each with

    - `active_projects` (annotated): how many active projects it has;
    - `next_follow_up`: the earliest next follow-up of its pending tasks (tasks and incidents)
      on active projects;
    - `last_dedication`: the date of its latest dedication.

    `due_by` keeps clients whose next follow-up is on or before that day; `unscheduled` keeps
    clients with none; `archived` shows the archived clients instead of the active ones;
    `order` is a key of EXPLORER_ORDERS (by default, see explorer_order).
    The two dates are kept on the client's row by the database (models.Client), and each
    order has its index: a page reads its rows from an index whatever the filter, the order
    or the number of clients, and the count of active projects is a subquery on an index for
    the rows shown only (page with page_of()).
    """
    active = Project.objects.active().of(OuterRef("pk"))
    clients = search_clients(q, include_archived=include_archived or archived)
    if archived:
        clients = clients.filter(active=False)
    clients = clients.annotate(
        active_projects=Coalesce(
            Subquery(active.order_by().values("client").annotate(n=Count("pk")).values("n")[:1]),
            0,
        ),
    )
    if due_by is not None:
        clients = clients.filter(next_follow_up__lte=due_by)
    if unscheduled:
        clients = clients.filter(next_follow_up__isnull=True)
    return clients.order_by(*EXPLORER_ORDERS[explorer_order(order, due=due_by is not None)])


def count_from_page(*, offset: int, limit: int, found: int) -> int | None:
    """How many rows a list has, known without counting them when its page read from
    `offset` (`found` of at most `limit` rows) is not full and is not past the end: the
    rows end on it. None when only counting says (a full page, or nothing past the start).
    A search that finds a few clients then reads them once instead of twice: on SQLite,
    whose search calls a Python function on every client, that halves it."""
    if found < limit and (found > 0 or offset == 0):
        return offset + found
    return None


def page_of[M: Model](rows: QuerySet[M], *, offset: int, limit: int) -> list[M]:
    """`rows[offset:offset + limit]`, reading the rows that are skipped from the order's
    index only: their keys first, then the page's rows with what is annotated on them (a
    plain slice would compute the annotations of every row skipped: a deep page would cost
    as much as all the pages before it)."""
    keys = list(rows.values_list("pk", flat=True)[offset : offset + limit])
    found = {row.pk: row for row in rows.filter(pk__in=keys)}
    return [found[key] for key in keys if key in found]


@dataclass(frozen=True)
class ClientOverview:
    """What the client page shows."""

    projects: list[Project]  # active ones
    tasks: list[Task]  # pending, on active projects, soonest follow-up first
    dedications: list[Dedication]  # the latest


def client_overview(client: Client, *, latest: int = 20) -> ClientOverview:
    return ClientOverview(
        projects=list(Project.objects.active().of(client).order_by("code")),
        tasks=list(
            Task.objects.of(client)
            .in_active_projects()
            .pending()
            .select_related("project")
            .order_by(F("next_follow_up").asc(nulls_last=True), "-created_at", "-id")
        ),
        dedications=list(
            Dedication.objects.filter(client=client)
            .select_related(
                "project", "task", "employee", "recorded_by__employee", "email__employee"
            )
            .order_by("-date", "-id")[:latest]
        ),
    )


@dataclass(frozen=True)
class WorkOverview:
    """A project's or a task's page: its tasks, latest dedications and time spent."""

    tasks: list[Task]
    dedications: list[Dedication]
    minutes: int
    count: int


def project_overview(project: Project, *, latest: int = 50) -> WorkOverview:
    dedications = Dedication.objects.filter(project=project)
    totals = dedications.aggregate(minutes=Sum("minutes"), count=Count("id"))
    return WorkOverview(
        tasks=list(
            project.tasks.select_related("assigned_to").order_by(
                "-status", F("next_follow_up").asc(nulls_last=True), "-created_at", "-id"
            )
        ),
        dedications=list(
            dedications.select_related(
                "employee", "task", "recorded_by__employee", "email__employee"
            ).order_by("-date", "-id")[:latest]
        ),
        minutes=totals["minutes"] or 0,
        count=totals["count"],
    )


def pending_tasks_in(projects: Iterable[Project] | QuerySet[Project]) -> QuerySet[Task]:
    """The pending tasks and incidents of these projects, by project, newest first: the
    quick log's and the activity form's choice of task."""
    return (
        Task.objects.filter(project__in=projects)
        .pending()
        .select_related("project")
        .order_by("project__code", "-created_at", "-id")
    )


def pending_tasks(project: Project) -> QuerySet[Task]:
    """A project's pending tasks and incidents, soonest follow-up first: what closing it
    would take off the agenda."""
    return project.tasks.pending().order_by(
        F("next_follow_up").asc(nulls_last=True), "-created_at", "-id"
    )


def task_overview(task: Task, *, latest: int = 50) -> WorkOverview:
    dedications = Dedication.objects.filter(task=task)
    totals = dedications.aggregate(minutes=Sum("minutes"), count=Count("id"))
    return WorkOverview(
        tasks=[],
        dedications=list(
            dedications.select_related(
                "employee", "recorded_by__employee", "email__employee"
            ).order_by("-date", "-id")[:latest]
        ),
        minutes=totals["minutes"] or 0,
        count=totals["count"],
    )
