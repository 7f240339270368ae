"""The agenda of follow-ups (which tasks, whose, grouped by when), the clients nobody follows
up, and each user's secret calendar address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.crm import services
from hexa.crm.models import CalendarFeed, Client, Employee, Task
from hexa.crm.services.agenda import (
    GROUPS,
    agenda,
    calendar_owner,
    follow_ups,
    forgotten_after,
    forgotten_clients,
    group_of,
    group_range,
    new_calendar_feed,
    revoke_calendar_feed,
)
from tests import factories
from tests.crm.services.conftest import set_now

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DAY = dt.timedelta(days=1)
# A fixed "today" where the grouping does not depend on the clock.
TODAY = dt.date(2026, 3, 10)


def on(day_offset: int, base: dt.date = TODAY) -> dt.date:
    return base + dt.timedelta(days=day_offset)


def titles(tasks) -> list[str]:
    return [task.title for task in tasks]


@pytest.fixture
def project(client_acme):
    return factories.project(client_acme, "ACME")


@pytest.fixture
def luis(db) -> Employee:
    return factories.employee("LUIS", name="Luis")


# --- Which follow-ups ---------------------------------------------------------------------------


def test_follow_ups_are_pending_tasks_and_incidents_with_a_date(project, today):
    task = factories.task(project, "Task", next_follow_up=today)
    incident = factories.task(project, "Incident", kind="incident", next_follow_up=today)

    assert set(follow_ups()) == {task, incident}


def test_follow_ups_leave_out_done_closed_archived_and_unscheduled(client_acme, project, today):
    wanted = factories.task(project, "Wanted", next_follow_up=today)
    factories.task(project, "Done", status="done", next_follow_up=today)
    factories.task(project, "No date")
    closed = factories.project(client_acme, "OLD", status="closed")
    factories.task(closed, "Closed project", next_follow_up=today)
    archived = factories.client("GONE", active=False)
    factories.task(factories.project(archived, "GONE"), "Archived client", next_follow_up=today)

    assert list(follow_ups()) == [wanted]


def test_completing_a_task_takes_it_off_and_reopening_puts_it_back(project, today):
    task = factories.task(project, next_follow_up=today)

    services.complete_task(services.task_by_id(task.pk))
    assert list(follow_ups()) == []

    services.reopen_task(services.task_by_id(task.pk))
    assert list(follow_ups()) == [task]


def test_follow_ups_come_soonest_first_then_the_oldest_task_first(client_acme):
    beta = factories.project(factories.client("BETA"), "BETA")
    alpha = factories.project(factories.client("ALPHA"), "ALPHA")
    acme = factories.project(client_acme, "ACME")
    factories.task(beta, "beta today", next_follow_up=on(0))
    factories.task(acme, "acme today 1", next_follow_up=on(0))
    factories.task(alpha, "alpha tomorrow", next_follow_up=on(1))
    factories.task(acme, "acme today 2", next_follow_up=on(0))
    factories.task(beta, "beta last week", next_follow_up=on(-7))

    assert titles(follow_ups()) == [
        "beta last week",
        "beta today",
        "acme today 1",
        "acme today 2",
        "alpha tomorrow",
    ]


def test_date_to_keeps_follow_ups_due_on_or_before_it(project):
    for offset in (-3, 0, 1, 5):
        factories.task(project, f"day {offset}", next_follow_up=on(offset))

    assert titles(follow_ups(date_to=on(0))) == ["day -3", "day 0"]
    assert titles(follow_ups(date_to=on(1))) == ["day -3", "day 0", "day 1"]


# --- Whose follow-ups ---------------------------------------------------------------------------


def test_an_employees_follow_ups_include_those_assigned_to_them(project, employee, luis):
    task = factories.task(project, next_follow_up=TODAY)
    Task.objects.filter(pk=task.pk).update(assigned_to=employee)
    factories.dedication(task, luis)  # Luis worked last, but it is Ana's

    assert list(follow_ups(employee=employee)) == [task]
    assert list(follow_ups(employee=luis)) == []


def test_unassigned_follow_ups_belong_to_whoever_worked_for_the_client_last(
    project, employee, luis, today
):
    task = factories.task(project, next_follow_up=TODAY)
    factories.dedication(task, employee, date=today - 5 * DAY)
    factories.dedication(task, luis, date=today - 2 * DAY)

    assert list(follow_ups(employee=luis)) == [task]
    assert list(follow_ups(employee=employee)) == []


def test_latest_means_latest_date_not_latest_recorded(project, employee, luis, today):
    task = factories.task(project, next_follow_up=TODAY)
    factories.dedication(task, employee, date=today - 1 * DAY)
    factories.dedication(task, luis, date=today - 9 * DAY)  # recorded later, about earlier work

    assert list(follow_ups(employee=employee)) == [task]
    assert list(follow_ups(employee=luis)) == []


def test_on_the_same_date_the_last_recorded_wins(project, employee, luis, today):
    task = factories.task(project, next_follow_up=TODAY)
    factories.dedication(task, luis, date=today)
    factories.dedication(task, employee, date=today)

    assert list(follow_ups(employee=employee)) == [task]
    assert list(follow_ups(employee=luis)) == []


def test_the_latest_dedication_counts_on_any_project_of_the_client(
    client_acme, project, employee, luis, today
):
    task = factories.task(project, next_follow_up=TODAY)
    factories.dedication(task, employee, date=today - 3 * DAY)
    old = factories.task(factories.project(client_acme, "OLD", status="closed"))
    factories.dedication(old, luis, date=today)

    assert list(follow_ups(employee=luis)) == [task]


def test_dedications_for_other_clients_do_not_count(project, employee, luis, today):
    task = factories.task(project, next_follow_up=TODAY)
    factories.dedication(task, employee, date=today - 3 * DAY)
    elsewhere = factories.task(factories.project(factories.client("OTHER"), "OTHER"))
    factories.dedication(elsewhere, luis, date=today)

    assert list(follow_ups(employee=employee)) == [task]
    assert list(follow_ups(employee=luis)) == []


def test_follow_ups_assigned_to_someone_else_are_not_yours_even_if_you_worked_last(
    project, employee, luis
):
    task = factories.task(project, next_follow_up=TODAY)
    Task.objects.filter(pk=task.pk).update(assigned_to=luis)
    factories.dedication(task, employee)

    assert list(follow_ups(employee=employee)) == []
    assert list(follow_ups(employee=luis)) == [task]


def test_unassigned_follow_ups_of_a_client_nobody_worked_for_are_only_in_everyones(
    project, employee
):
    task = factories.task(project, next_follow_up=TODAY)

    assert list(follow_ups(employee=employee)) == []
    assert list(follow_ups()) == [task]


def test_everyones_agenda_has_them_all(project, employee, luis):
    mine = factories.task(project, "mine", next_follow_up=TODAY)
    Task.objects.filter(pk=mine.pk).update(assigned_to=employee)
    theirs = factories.task(project, "theirs", next_follow_up=TODAY)
    Task.objects.filter(pk=theirs.pk).update(assigned_to=luis)
    nobodys = factories.task(project, "nobody's", next_follow_up=TODAY)

    assert set(follow_ups()) == {mine, theirs, nobodys}


def test_an_employees_agenda_still_leaves_out_done_closed_and_archived(
    client_acme, project, employee
):
    def assigned(task: Task) -> Task:
        Task.objects.filter(pk=task.pk).update(assigned_to=employee)
        return task

    wanted = assigned(factories.task(project, "Wanted", next_follow_up=TODAY))
    assigned(factories.task(project, "Done", status="done", next_follow_up=TODAY))
    assigned(factories.task(project, "No date"))
    closed = factories.project(client_acme, "OLD", status="closed")
    assigned(factories.task(closed, "Closed", next_follow_up=TODAY))
    gone = factories.project(factories.client("GONE", active=False), "GONE")
    assigned(factories.task(gone, "Archived", next_follow_up=TODAY))

    assert list(follow_ups(employee=employee)) == [wanted]


# --- Grouped by when ----------------------------------------------------------------------------


def test_grouping_at_the_boundaries(project):
    for offset in (-30, -1, 0, 1, 7, 8, 60):
        factories.task(project, f"day {offset:+d}", next_follow_up=on(offset))

    grouped = agenda(follow_ups(), today=TODAY)

    assert titles(grouped.overdue) == ["day -30", "day -1"]
    assert titles(grouped.due_today) == ["day +0"]
    assert titles(grouped.this_week) == ["day +1", "day +7"]
    assert titles(grouped.later) == ["day +8", "day +60"]
    assert [(group.name, group.count) for group in grouped.sections] == [
        ("overdue", 2),
        ("today", 1),
        ("week", 2),
        ("later", 2),
    ]
    assert grouped.count == 7
    assert grouped.today == TODAY
    assert [name for name, _tasks in grouped.groups()] == ["overdue", "today", "week", "later"]


def test_grouping_across_the_end_of_a_month_and_a_year(project):
    new_years_eve = dt.date(2026, 12, 31)
    for day in (dt.date(2026, 12, 30), new_years_eve, dt.date(2027, 1, 7), dt.date(2027, 1, 8)):
        factories.task(project, day.isoformat(), next_follow_up=day)

    grouped = agenda(follow_ups(), today=new_years_eve)

    assert titles(grouped.overdue) == ["2026-12-30"]
    assert titles(grouped.due_today) == ["2026-12-31"]
    assert titles(grouped.this_week) == ["2027-01-07"]
    assert titles(grouped.later) == ["2027-01-08"]


def test_an_agenda_of_nothing_counts_nothing(project):
    factories.task(project, "Someone's", next_follow_up=TODAY)

    grouped = agenda(Task.objects.none(), today=TODAY)

    assert [(group.name, group.count, group.tasks) for group in grouped.sections] == [
        (name, 0, []) for name in ("overdue", "today", "week", "later")
    ]


def test_empty_agenda(db):
    grouped = agenda(follow_ups(), today=TODAY)

    assert grouped.count == 0
    assert all(tasks == [] for _name, tasks in grouped.groups())


@pytest.mark.parametrize(
    ("now", "madrid_today"),
    [
        # Winter (UTC+1): 23:30 UTC is already 00:30 of the next day in Madrid.
        (dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC), dt.date(2026, 3, 11)),
        (dt.datetime(2026, 3, 10, 22, 59, tzinfo=UTC), dt.date(2026, 3, 10)),
        (dt.datetime(2026, 3, 10, 23, 0, tzinfo=UTC), dt.date(2026, 3, 11)),
        # Summer (UTC+2): from 22:00 UTC.
        (dt.datetime(2026, 6, 15, 22, 30, tzinfo=UTC), dt.date(2026, 6, 16)),
        (dt.datetime(2026, 6, 15, 21, 59, tzinfo=UTC), dt.date(2026, 6, 15)),
        # The night summer time starts (29 March 2026, 01:00 UTC).
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), dt.date(2026, 3, 29)),
    ],
)
def test_today_is_madrids_date_around_midnight(project, monkeypatch, now, madrid_today):
    for offset in (-1, 0, 1, 7, 8):
        factories.task(project, f"day {offset:+d}", next_follow_up=on(offset, madrid_today))
    set_now(monkeypatch, now)

    grouped = agenda(follow_ups(), today=timezone.localdate())

    assert grouped.today == madrid_today
    assert titles(grouped.overdue) == ["day -1"]
    assert titles(grouped.due_today) == ["day +0"]
    assert titles(grouped.this_week) == ["day +1", "day +7"]
    assert titles(grouped.later) == ["day +8"]


def test_a_follow_up_due_on_the_utc_date_is_overdue_at_half_past_eleven_utc(project, monkeypatch):
    factories.task(project, "due on the UTC date", next_follow_up=dt.date(2026, 3, 10))
    set_now(monkeypatch, dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC))

    grouped = agenda(follow_ups(), today=timezone.localdate())

    assert titles(grouped.overdue) == ["due on the UTC date"]
    assert grouped.due_today == []


def test_today_follows_the_configured_time_zone(project, monkeypatch, settings):
    settings.TIME_ZONE = "America/New_York"
    factories.task(project, "the 9th", next_follow_up=dt.date(2026, 3, 9))
    factories.task(project, "the 10th", next_follow_up=dt.date(2026, 3, 10))
    # 03:00 UTC on the 10th is still 23:00 on the 9th in New York (UTC-4 from 8 March).
    set_now(monkeypatch, dt.datetime(2026, 3, 10, 3, 0, tzinfo=UTC))

    grouped = agenda(follow_ups(), today=timezone.localdate())

    assert grouped.today == dt.date(2026, 3, 9)
    assert titles(grouped.due_today) == ["the 9th"]
    assert titles(grouped.this_week) == ["the 10th"]


# --- Cost ---------------------------------------------------------------------------------------


def _make_follow_ups(n: int, employee: Employee, other: Employee) -> None:
    for i in range(n):
        client = factories.client(f"Q{n}X{i}")
        project = factories.project(client, f"Q{n}X{i}")
        task = factories.task(project, next_follow_up=on(i % 12 - 3))
        if i % 3 == 0:
            Task.objects.filter(pk=task.pk).update(assigned_to=employee)
        elif i % 3 == 1:
            Task.objects.filter(pk=task.pk).update(assigned_to=other)
        for _ in range(2):
            factories.dedication(task, employee if i % 2 else other)


def _queries_of_the_agenda(employee: Employee | None) -> tuple[int, int]:
    """Queries to show an agenda (every row with its client and assignee), and its rows."""
    with CaptureQueriesContext(connection) as queries:
        grouped = agenda(follow_ups(employee=employee), today=TODAY)
        for _name, tasks in grouped.groups():
            for task in tasks:
                _shown = (task.project.code, task.project.client.code, task.project.client.name)
                _assignee = task.assigned_to.name if task.assigned_to else ""
    return len(queries), grouped.count


@pytest.mark.parametrize("whose", ["everyone's", "an employee's"])
def test_query_count_of_the_agenda_does_not_grow_with_the_rows(employee, luis, whose):
    who = employee if whose == "an employee's" else None
    _make_follow_ups(2, employee, luis)
    small, small_rows = _queries_of_the_agenda(who)
    _make_follow_ups(40, employee, luis)
    big, big_rows = _queries_of_the_agenda(who)

    assert big_rows > small_rows > 0
    # The 4 groups' counts in one query, then each group's first rows.
    assert small == big == 5


def test_query_count_of_forgotten_clients_does_not_grow_with_the_rows(employee, luis, today):
    _make_follow_ups(30, employee, luis)
    for i in range(30):
        factories.client(f"IDLE{i}")

    with CaptureQueriesContext(connection) as queries:
        found = [(c.code, c.last_dedication) for c in forgotten_clients(today=today)]

    assert len(found) == 30
    assert len(queries) == 1


# --- Forgotten clients --------------------------------------------------------------------------


def _worked(client: Client, employee: Employee, day: dt.date) -> None:
    project = Client.objects.get(pk=client.pk).projects.first() or factories.project(client)
    factories.dedication(factories.task(project), employee, date=day)


def test_a_client_never_worked_for_and_without_follow_up_is_forgotten(client_acme, today):
    assert [c.code for c in forgotten_clients(today=today)] == ["ACME"]


@pytest.mark.parametrize(
    ("days_ago", "forgotten"),
    [(0, False), (29, False), (30, False), (31, True), (400, True)],
)
def test_forgotten_after_thirty_days_without_dedication(
    client_acme, employee, today, days_ago, forgotten
):
    _worked(client_acme, employee, today - days_ago * DAY)

    assert (client_acme in forgotten_clients(today=today)) is forgotten


@pytest.mark.parametrize(("days_ago", "forgotten"), [(7, False), (8, True)])
def test_the_number_of_days_is_a_parameter(client_acme, employee, today, days_ago, forgotten):
    _worked(client_acme, employee, today - days_ago * DAY)

    assert (client_acme in forgotten_clients(today=today, days=7)) is forgotten


def test_the_latest_dedication_decides(client_acme, employee, today):
    _worked(client_acme, employee, today - 90 * DAY)
    _worked(client_acme, employee, today - 3 * DAY)

    assert list(forgotten_clients(today=today)) == []


@pytest.mark.parametrize("offset", [-20, 0, 15])
def test_a_client_with_a_follow_up_scheduled_is_not_forgotten(client_acme, project, today, offset):
    factories.task(project, next_follow_up=today + offset * DAY)  # overdue counts as scheduled

    assert list(forgotten_clients(today=today)) == []


@pytest.mark.parametrize("kind", ["task", "incident"])
def test_any_kind_of_follow_up_counts(client_acme, project, today, kind):
    factories.task(project, kind=kind, next_follow_up=today)

    assert list(forgotten_clients(today=today)) == []


@pytest.mark.parametrize("what", ["done task", "closed project", "no date"])
def test_follow_ups_that_do_not_count_leave_the_client_forgotten(client_acme, project, today, what):
    if what == "done task":
        factories.task(project, status="done", next_follow_up=today)
    elif what == "closed project":
        closed = factories.project(client_acme, "OLD", status="closed")
        factories.task(closed, next_follow_up=today)
    else:
        factories.task(project)

    assert [c.code for c in forgotten_clients(today=today)] == ["ACME"]


def test_archived_clients_are_never_forgotten(today):
    factories.client("GONE", active=False)

    assert list(forgotten_clients(today=today)) == []


def test_forgotten_clients_come_longest_forgotten_first(employee, today):
    for code, days_ago in [("MID", 60), ("OLDEST", 400), ("RECENT", 40)]:
        _worked(factories.client(code), employee, today - days_ago * DAY)
    factories.client("NEVER-B")
    factories.client("NEVER-A")
    _worked(factories.client("BUSY"), employee, today)

    found = [(c.code, c.last_dedication) for c in forgotten_clients(today=today)]

    assert found == [
        ("NEVER-A", None),
        ("NEVER-B", None),
        ("OLDEST", today - 400 * DAY),
        ("MID", today - 60 * DAY),
        ("RECENT", today - 40 * DAY),
    ]


@pytest.mark.parametrize("page_size", [1, 2, 3, 7])
def test_forgotten_clients_come_a_page_at_a_time_each_once_in_order(employee, today, page_size):
    """Pages start after the last client of the previous one, through the never worked for
    (no date) and clients forgotten on the same day alike."""
    for code, days_ago in [("MID", 60), ("OLD-B", 400), ("OLD-A", 400), ("RECENT", 40)]:
        _worked(factories.client(code), employee, today - days_ago * DAY)
    for code in ("NEVER-C", "NEVER-A", "NEVER-B"):
        factories.client(code)
    everyone = [c.code for c in forgotten_clients(today=today)]

    seen: list[str] = []
    after = None
    while page := list(forgotten_after(forgotten_clients(today=today), after)[:page_size]):
        seen += [c.code for c in page]
        after = page[-1].code

    assert seen == everyone
    assert everyone[:3] == ["NEVER-A", "NEVER-B", "NEVER-C"]
    assert everyone[3:5] == ["OLD-A", "OLD-B"]


def test_forgotten_clients_after_one_no_longer_forgotten_start_over(employee, today):
    factories.client("NEVER")
    busy = factories.client("BUSY")
    _worked(busy, employee, today)

    clients = forgotten_clients(today=today)

    assert [c.code for c in forgotten_after(clients, "BUSY")] == ["NEVER"]
    assert [c.code for c in forgotten_after(clients, None)] == ["NEVER"]


def test_forgotten_clients_are_a_separate_list_from_the_agenda(client_acme, project, today):
    """A client is either followed up (in the agenda) or possibly forgotten, never both."""
    factories.task(project, next_follow_up=today)
    idle = factories.client("IDLE")

    agenda_clients = {task.project.client for task in follow_ups()}
    assert agenda_clients == {client_acme}
    assert list(forgotten_clients(today=today)) == [idle]


# --- Calendar feed ------------------------------------------------------------------------------


def test_a_new_calendar_feed_keeps_only_a_digest(user):
    secret = new_calendar_feed(user)

    feed = CalendarFeed.objects.get()
    assert feed.user == user
    assert len(secret) >= 32
    assert secret not in feed.digest
    assert len(feed.digest) == 64 and int(feed.digest, 16) >= 0
    assert secret not in str(list(CalendarFeed.objects.values()))
    assert calendar_owner(secret) == user


def test_a_new_secret_revokes_the_old_one(user):
    old = new_calendar_feed(user)

    new = new_calendar_feed(user)

    assert new != old
    assert CalendarFeed.objects.count() == 1
    assert calendar_owner(old) is None
    assert calendar_owner(new) == user


def test_revoking_stops_the_feed(user):
    secret = new_calendar_feed(user)

    revoke_calendar_feed(user)

    assert calendar_owner(secret) is None
    assert not CalendarFeed.objects.exists()


def test_revoking_without_a_feed_is_harmless(user):
    revoke_calendar_feed(user)

    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("guess", ["", "x", "a" * 43, "\x00", "ÿ" * 10])
def test_unknown_secrets_have_no_owner(user, guess):
    new_calendar_feed(user)

    assert calendar_owner(guess) is None


def test_feeds_of_several_users_are_independent(user):
    other = factories.user("luis")
    mine = new_calendar_feed(user)
    theirs = new_calendar_feed(other)

    new_calendar_feed(user)  # renewing mine does not touch theirs

    assert calendar_owner(mine) is None
    assert calendar_owner(theirs) == other


def test_the_feed_of_an_inactive_user_stops_working(user):
    secret = new_calendar_feed(user)

    user.is_active = False
    user.save()

    assert calendar_owner(secret) is None


def test_the_digest_is_not_the_secret_even_in_the_module(user):
    """A look at the stored value alone must not open the feed."""
    new_calendar_feed(user)
    digest = CalendarFeed.objects.get().digest

    assert calendar_owner(digest) is None


def test_follow_ups_of_someone_who_left_go_to_whoever_worked_for_the_client_last(
    project, employee, luis
):
    task = factories.task(project, next_follow_up=TODAY)
    Task.objects.filter(pk=task.pk).update(assigned_to=luis)
    factories.dedication(task, employee)
    luis.active = False
    luis.save()

    assert list(follow_ups(employee=employee)) == [task]


def test_ones_follow_ups_are_those_assigned_to_them_or_inherited_from_their_last_work(
    employee, luis
):
    _make_follow_ups(12, employee, luis)
    Employee.objects.filter(pk=luis.pk).update(active=False)  # his assigned ones go too

    for person in (employee, luis):
        everyones = follow_ups()
        theirs = [
            task.pk
            for task in everyones
            if (task.assigned_to_id == person.pk and task.assigned_to.active)
            or (
                (task.assigned_to is None or not task.assigned_to.active)
                and task.project.client.last_worked_by_id == person.pk
            )
        ]
        assert theirs, person
        assert [task.pk for task in follow_ups(employee=person)] == theirs


def test_a_days_group_is_the_group_whose_range_holds_it(project):
    for offset in range(-3, 12):
        factories.task(project, f"day {offset:+d}", next_follow_up=on(offset))
    for task in Task.objects.all():
        holding = [g for g in GROUPS if Task.objects.filter(group_range(g, TODAY), pk=task.pk)]
        assert holding == [group_of(task.next_follow_up, TODAY)], task.title
