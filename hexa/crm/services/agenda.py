"""The agenda of follow-ups, the clients nobody follows up, and each user's calendar feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hexa.crm.models import CalendarFeed, Client, Dedication, Employee, Task

AGENDA_WEEK_DAYS = 7


def follow_ups(
    *, employee: Employee | None = None, date_to: dt.date | None = None
) -> QuerySet[Task]:
    """Pending tasks and incidents with a next follow-up, on active projects of active
    clients, soonest first (overdue included).

    For an `employee`, "theirs": assigned to them, or unassigned (or assigned to someone no
    longer active) on a client whose latest dedication is theirs: whoever worked for the
    client last follows them up, so that no follow-up is left with nobody.
    """
    tasks = (
        Task.objects.pending()
        .in_active_projects()
        .filter(next_follow_up__isnull=False, project__client__active=True)
    ).select_related("project__client", "assigned_to")
    if employee is not None:
        last_worked_by = Dedication.objects.filter(client=OuterRef("project__client")).order_by(
            "-date", "-id"
        )
        tasks = tasks.annotate(
            last_worked_by=Subquery(last_worked_by.values("employee")[:1])
        ).filter(
            Q(assigned_to=employee)
            | (
                (Q(assigned_to__isnull=True) | Q(assigned_to__active=False))
                & Q(last_worked_by=employee.pk)
            )
        )
    if date_to is not None:
        tasks = tasks.filter(next_follow_up__lte=date_to)
    return tasks.order_by("next_follow_up", "project__client__code", "id")


@dataclass
class Agenda:
    """Follow-ups grouped by when they are due, as seen on `today`."""

    today: dt.date
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    this_week: list[Task] = field(default_factory=list)  # the next 7 days
    later: list[Task] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due_today) + len(self.this_week) + len(self.later)

    def groups(self) -> list[tuple[str, list[Task]]]:
        return [
            ("overdue", self.overdue),
            ("today", self.due_today),
            ("week", self.this_week),
            ("later", self.later),
        ]


def agenda(tasks: QuerySet[Task] | list[Task], *, today: dt.date) -> Agenda:
    """Group follow-ups: overdue (before today), today, the next 7 days, later."""
    grouped = Agenda(today=today)
    week_end = today + dt.timedelta(days=AGENDA_WEEK_DAYS)
    for task in tasks:
        day = task.next_follow_up
        assert day is not None
        if day < today:
            grouped.overdue.append(task)
        elif day == today:
            grouped.due_today.append(task)
        elif day <= week_end:
            grouped.this_week.append(task)
        else:
            grouped.later.append(task)
    return grouped


def forgotten_clients(*, today: dt.date, days: int = 30) -> QuerySet[Client]:
    """Active clients with no follow-up scheduled and no dedication in the last `days` days,
    those that would otherwise fall through the cracks; longest forgotten first."""
    scheduled = Task.objects.in_active_projects().pending().filter(next_follow_up__isnull=False)
    latest = Dedication.objects.filter(client=OuterRef("pk")).order_by("-date")
    since = today - dt.timedelta(days=days)
    return (
        Client.objects.filter(active=True)
        .exclude(pk__in=scheduled.values("project__client_id"))
        .annotate(last_dedication=Subquery(latest.values("date")[:1]))
        .filter(Q(last_dedication__lt=since) | Q(last_dedication__isnull=True))
        .order_by(F("last_dedication").asc(nulls_first=True), "code")
    )


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
