"""The agenda of follow-ups, the clients nobody follows up, and each user's calendar feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from hexa.crm.models import CalendarFeed, Client, Employee, Task

AGENDA_WEEK_DAYS = 7


def follow_ups(
    *, employee: Employee | None = None, date_to: dt.date | None = None
) -> QuerySet[Task]:
    """Pending tasks and incidents with a next follow-up, on active projects of active
    clients, soonest first (overdue included), and within a day the oldest task first: the
    order of the indexes that read them, so that a page's rows are read and no more.

    For an `employee`, "theirs": those they are responsible for (Task.responsible, kept by
    the database): assigned to them, or unassigned (or assigned to someone no longer active)
    on a client whose latest dedication is theirs: whoever worked for the client last follows
    them up, so that no follow-up is left with nobody. Read in date order from an index of
    their own, whatever the number of follow-ups of everyone.
    """
    tasks = (
        Task.objects.pending()
        .in_active_projects()
        .filter(next_follow_up__isnull=False, project__client__active=True)
    ).select_related("project__client", "assigned_to")
    if employee is not None:
        tasks = tasks.filter(responsible=employee)
    if date_to is not None:
        tasks = tasks.filter(next_follow_up__lte=date_to)
    return tasks.order_by("next_follow_up", "id")


AGENDA_ROWS = 10
"""Follow-ups the agenda shows in each group; the rest are a "more" away."""
AGENDA_COUNT_CAP = 500
"""Each group's count stops there ("500+"): counting 40,000 follow-ups would cost more
than showing the page, and nobody acts on more than that in a day."""

GROUPS = ("overdue", "today", "week", "later")


def group_range(group: str, today: dt.date) -> Q:
    """The follow-ups of one agenda group, as seen on `today`: overdue (before today),
    today, the next 7 days, later."""
    week_end = today + dt.timedelta(days=AGENDA_WEEK_DAYS)
    return {
        "overdue": Q(next_follow_up__lt=today),
        "today": Q(next_follow_up=today),
        "week": Q(next_follow_up__gt=today, next_follow_up__lte=week_end),
        "later": Q(next_follow_up__gt=week_end),
    }[group]


def group_of(day: dt.date, today: dt.date) -> str:
    """The agenda group of a follow-up due on `day` (the rows group_range() selects)."""
    if day < today:
        return "overdue"
    if day == today:
        return "today"
    return "week" if day <= today + dt.timedelta(days=AGENDA_WEEK_DAYS) else "later"


@dataclass(frozen=True)
class Group:
    """One group of the agenda: its first follow-ups, and how many it has in all (up to
    AGENDA_COUNT_CAP, `capped` beyond)."""

    name: str
    tasks: list[Task]
    count: int
    capped: bool = False

    @property
    def more(self) -> bool:
        return self.count > len(self.tasks)


@dataclass
class Agenda:
    """Follow-ups grouped by when they are due, as seen on `today`: each group's first
    `rows` and its count, so that the page costs the same whatever the number of
    follow-ups."""

    today: dt.date
    sections: list[Group] = field(default_factory=list)

    def _tasks(self, name: str) -> list[Task]:
        return next(group.tasks for group in self.sections if group.name == name)

    @property
    def overdue(self) -> list[Task]:
        return self._tasks("overdue")

    @property
    def due_today(self) -> list[Task]:
        return self._tasks("today")

    @property
    def this_week(self) -> list[Task]:
        return self._tasks("week")

    @property
    def later(self) -> list[Task]:
        return self._tasks("later")

    @property
    def count(self) -> int:
        return sum(group.count for group in self.sections)

    def groups(self) -> list[tuple[str, list[Task]]]:
        return [(group.name, group.tasks) for group in self.sections]


def agenda(tasks: QuerySet[Task], *, today: dt.date, rows: int = AGENDA_ROWS) -> Agenda:
    """Group follow-ups (follow_ups()) by when they are due: each group's first `rows` and
    its count, two queries a group, each reading at most AGENDA_COUNT_CAP rows (everyone's
    from the index of pending follow-ups by date, one person's from theirs)."""
    grouped = Agenda(today=today)
    in_groups = [tasks.filter(group_range(name, today)) for name in GROUPS]
    counts = capped_counts(in_groups)
    for name, in_group, (count, capped) in zip(GROUPS, in_groups, counts, strict=True):
        grouped.sections.append(Group(name, list(in_group[:rows]), count, capped=capped))
    return grouped


def after(tasks: QuerySet[Task], task_id: int | None) -> QuerySet[Task]:
    """The follow-ups of `tasks` that come after the task `task_id` in the agenda's order
    (follow_ups()): the next page starts there, whatever the number of pages before it (no
    OFFSET). All of them if that task is not among `tasks` (done or moved meanwhile)."""
    task = tasks.filter(pk=task_id).first() if task_id else None
    if task is None or task.next_follow_up is None:
        return tasks
    day = task.next_follow_up
    return tasks.filter(Q(next_follow_up__gt=day) | Q(next_follow_up=day, pk__gt=task.pk))


def capped_count(rows: QuerySet[Any]) -> tuple[int, bool]:
    """How many rows (follow-ups, forgotten clients), counted up to AGENDA_COUNT_CAP, and
    whether there are more."""
    return capped_counts([rows])[0]


def capped_counts(querysets: Sequence[QuerySet[Any]]) -> list[tuple[int, bool]]:
    """capped_count() of each queryset, all in one query (one round trip for the agenda's
    four groups instead of four)."""
    counts: list[str] = []
    params: list[Any] = []
    for n, rows in enumerate(querysets):
        limited = rows.order_by().values("pk")[: AGENDA_COUNT_CAP + 1]
        try:
            sql, sql_params = limited.query.sql_with_params()
        except EmptyResultSet:  # none(), or a filter nothing can match: no query needed
            counts.append("0")
            continue
        # Django's own SQL, its values passed as parameters.
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS group{n})")  # noqa: S608
        params.extend(sql_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(counts)}", params)
        row = cursor.fetchone()
    return [(min(counted, AGENDA_COUNT_CAP), counted > AGENDA_COUNT_CAP) for counted in row]


def forgotten_clients(*, today: dt.date, days: int = 30) -> QuerySet[Client]:
    """Active clients with no follow-up scheduled and no dedication in the last `days` days,
    those that would otherwise fall through the cracks; longest forgotten first. (Both dates
    are on the client's row, kept by the database: models.Client.)"""
    since = today - dt.timedelta(days=days)
    return (
        Client.objects.filter(active=True, next_follow_up__isnull=True)
        .filter(Q(last_dedication__lt=since) | Q(last_dedication__isnull=True))
        .order_by(F("last_dedication").asc(nulls_first=True), "code")
    )


def forgotten_after(clients: QuerySet[Client], code: str | None) -> QuerySet[Client]:
    """The forgotten clients (forgotten_clients()) that come after the client `code` in
    their order, never worked for first, then longest forgotten: the next page starts there
    (no OFFSET). All of them if that client is not among them (worked for meanwhile)."""
    client = clients.filter(code=code).first() if code else None
    if client is None:
        return clients
    day = client.last_dedication
    if day is None:
        return clients.filter(
            Q(last_dedication__isnull=True, code__gt=client.code) | Q(last_dedication__isnull=False)
        )
    return clients.filter(Q(last_dedication=day, code__gt=client.code) | Q(last_dedication__gt=day))


# --- Calendar feed --------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_calendar_feed(user: User) -> str:
    """A new secret for the user's calendar address (the old one stops working). Only its
    digest is kept, so it is shown once."""
    secret = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"digest": _digest(secret), "created_at": timezone.now()}
    )
    return secret


def revoke_calendar_feed(user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def calendar_owner(secret: str) -> User | None:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(digest=_digest(secret), user__is_active=True)
        .first()
    )
    return feed.user if feed else None
