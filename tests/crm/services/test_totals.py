"""The totals the reports read (DedicationTotal per day, and its roll-ups: MonthTotal per
month, YearTotal per year, EmployeeDayTotal per day and employee) always equal summing the
dedications: after any mix of quick logs, dedications recorded, changed (minutes,
date, employee, task) and deleted, whatever the grouping and the filters; also with writers
at the same moment.

(No write path moves a dedication to another client or project: `change_dedication` takes
the employee, date, text, minutes and task of the same project, and nothing else writes
dedications but the domain functions here, the demo and the benchmark's loader.)
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hexa.crm import services
from hexa.crm.models import (
    Dedication,
    DedicationTotal,
    Employee,
    EmployeeDayTotal,
    MonthTotal,
    Project,
    Task,
    YearTotal,
)
from hexa.crm.services import reports, totals
from hexa.crm.services.reports import GroupBy, ReportFilters
from tests import factories

TODAY = timezone.localdate()
CLIENTS = ("ACME", "BETA")
EMPLOYEES = ("ANA", "LUIS", "EVA")

minutes = st.none() | st.integers(0, 1440)
days_ago = st.integers(0, 70)  # across weeks and months, never in the future
log = st.tuples(
    st.just("log"), st.integers(0, 1), st.integers(0, 2), days_ago, minutes
)  # client, employee
record = st.tuples(
    st.just("record"), st.integers(0, 3), st.integers(0, 2), days_ago, minutes
)  # project, employee
change = st.tuples(
    st.just("change"),
    st.integers(0, 30),  # which dedication (modulo those there are)
    st.fixed_dictionaries(
        {},
        optional={
            "minutes": minutes,
            "date": days_ago,
            "employee": st.integers(0, 2),
            "task": st.integers(0, 1),
            "text": st.just("Changed"),
        },
    ),
)
delete = st.tuples(st.just("delete"), st.integers(0, 30))
operations = st.lists(st.one_of(log, record, change, delete), min_size=1, max_size=25)


def _world() -> tuple[list, list[Project], dict[int, list[Task]], list[Employee]]:
    clients = [factories.client(code) for code in CLIENTS]
    projects, tasks = [], {}
    for client in clients:
        own = factories.project(client, client.code)  # the quick log's project
        other = factories.project(client, f"{client.code}-P", kind="production")
        for project in (own, other):
            projects.append(project)
            tasks[project.pk] = [factories.task(project, "One"), factories.task(project, "Two")]
    employees = [factories.employee(code) for code in EMPLOYEES]
    return clients, projects, tasks, employees


def _apply(operation: tuple, world: tuple) -> None:
    clients, projects, tasks, employees = world
    day = lambda ago: TODAY - dt.timedelta(days=ago)  # noqa: E731
    match operation:
        case ("log", client, employee, ago, spent):
            services.quick_log(
                client=clients[client],
                employee=employees[employee],
                text="Called",
                date=day(ago),
                minutes=spent,
                recorded_by=None,
                via=Dedication.Via.API,
            )
        case ("record", project, employee, ago, spent):
            services.record_dedication(
                project=projects[project],
                task=tasks[projects[project].pk][0],
                employee=employees[employee],
                text="Visit",
                date=day(ago),
                minutes=spent,
                recorded_by=None,
                via=Dedication.Via.WEB,
            )
        case ("change", which, fields):
            there = list(Dedication.objects.order_by("pk"))
            if not there:
                return
            dedication = there[which % len(there)]
            changes = dict(fields)
            if "date" in changes:
                changes["date"] = day(changes["date"])
            if "employee" in changes:
                changes["employee"] = employees[changes["employee"]]
            if "task" in changes:
                changes["task"] = tasks[dedication.project_id][changes["task"]]
            services.change_dedication(dedication, by=services.SYSTEM, **changes)
        case ("delete", which):
            there = list(Dedication.objects.order_by("pk"))
            if there:
                services.delete_dedication(there[which % len(there)], by=services.SYSTEM)


def _summed() -> set[tuple]:
    """The totals as summing the dedications gives them."""
    minutes: Counter[tuple] = Counter()
    entries: Counter[tuple] = Counter()
    for d in Dedication.objects.all():
        key = (d.date, d.client_id, d.project_id, d.employee_id)
        minutes[key] += d.minutes or 0
        entries[key] += 1
    return {(*key, minutes[key], entries[key]) for key in entries}


def _kept() -> set[tuple]:
    return set(
        DedicationTotal.objects.values_list(
            "date", "client_id", "project_id", "employee_id", "minutes", "entries"
        )
    )


# Each roll-up's key of a dedication, and the fields of that key.
ROLLUPS: dict[type, tuple[Callable[[Dedication], tuple], tuple[str, ...]]] = {
    MonthTotal: (
        lambda d: (d.date.replace(day=1), d.client_id, d.project_id),
        ("date", "client_id", "project_id"),
    ),
    YearTotal: (
        lambda d: (d.date.replace(month=1, day=1), d.client_id, d.project_id),
        ("date", "client_id", "project_id"),
    ),
    EmployeeDayTotal: (lambda d: (d.date, d.employee_id), ("date", "employee_id")),
}


def _summed_rollup(table: type) -> set[tuple]:
    """A roll-up's rows as summing the dedications gives them."""
    key_of, _fields = ROLLUPS[table]
    minutes: Counter[tuple] = Counter()
    entries: Counter[tuple] = Counter()
    for d in Dedication.objects.all():
        key = key_of(d)
        minutes[key] += d.minutes or 0
        entries[key] += 1
    return {(*key, minutes[key], entries[key]) for key in entries}


def _kept_rollup(table: type) -> set[tuple]:
    _key_of, fields = ROLLUPS[table]
    return set(table.objects.values_list(*fields, "minutes", "entries"))


def _assert_rollups_kept() -> None:
    for table in ROLLUPS:
        assert _kept_rollup(table) == _summed_rollup(table), table.__name__


def _by_hand(filters: ReportFilters, group_by: GroupBy) -> dict[str, tuple[int, int]]:
    """Each group's (minutes, count), summed in Python from the dedications themselves."""
    figures: dict[str, tuple[int, int]] = {}
    for d in reports.entries(filters):
        match group_by:
            case GroupBy.WEEK | GroupBy.MONTH:
                start = (
                    reports.week_start(d.date)
                    if group_by == GroupBy.WEEK
                    else reports.month_start(d.date)
                )
                group = reports.period_code(group_by, start)
            case _:
                group = getattr(d, group_by.value).code
        spent, count = figures.get(group, (0, 0))
        figures[group] = (spent + (d.minutes or 0), count + 1)
    return figures


def _filter_sets(world: tuple) -> list[ReportFilters]:
    clients, projects, _tasks, employees = world
    last_month = reports.month_start(reports.month_start(TODAY) - dt.timedelta(days=1))
    year = (dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31))
    return [
        ReportFilters(),
        ReportFilters(
            date_from=TODAY - dt.timedelta(days=40), date_to=TODAY - dt.timedelta(days=3)
        ),
        # Whole months: read from the totals per month.
        ReportFilters(date_from=last_month, date_to=reports.month_end(TODAY)),
        ReportFilters(
            date_from=last_month, date_to=reports.month_end(last_month), kind="commercial"
        ),
        # Whole years: read from the totals per year when by client or project.
        ReportFilters(date_from=year[0], date_to=year[1]),
        ReportFilters(date_from=year[0], date_to=year[1], kind="production"),
        ReportFilters(date_from=year[0], date_to=year[1], client=clients[0]),
        ReportFilters(client=clients[1]),
        ReportFilters(project=projects[1], date_from=TODAY - dt.timedelta(days=20)),
        ReportFilters(employee=employees[0]),
        ReportFilters(kind="production"),
    ]


def _assert_reports_agree(world: tuple) -> None:
    assert _kept() == _summed()
    _assert_rollups_kept()
    for filters in _filter_sets(world):
        for group_by in GroupBy:
            expected = _by_hand(filters, group_by)
            got = reports.totals(filters, group_by=group_by)
            assert {row.code: (row.minutes, row.count) for row in got.rows} == expected
            assert (got.minutes, got.count, got.groups) == (
                sum(m for m, _c in expected.values()),
                sum(c for _m, c in expected.values()),
                len(expected),
            )
            # Pages of one group add up to the same.
            paged = reports.totals(filters, group_by=group_by, limit=1, offset=1)
            assert paged.rows == got.rows[1:2]
            assert (paged.minutes, paged.count, paged.groups) == (
                got.minutes,
                got.count,
                got.groups,
            )
        assert reports.summary(filters) == (
            sum(m for m, _c in _by_hand(filters, GroupBy.CLIENT).values()),
            sum(c for _m, c in _by_hand(filters, GroupBy.CLIENT).values()),
        )


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_totals_equal_summing_the_dedications_after_any_writes(steps):
    with transaction.atomic():
        world = _world()
        for step in steps:
            _apply(step, world)
        _assert_reports_agree(world)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_recount_gives_the_totals_the_writes_keep(db):
    world = _world()
    for n in range(12):
        _apply(("log", n % 2, n % 3, n * 5, n * 7 if n % 4 else None), world)
    kept = _kept()
    for table in (DedicationTotal, *ROLLUPS):
        table.objects.all().delete()

    written = totals.recount_all(days=9)

    assert _kept() == kept == _summed()
    _assert_rollups_kept()
    assert written == len(kept)
    # Written in the key's order, the date first: a month's rows lie together in the table.
    keys = ("date", "client_id", "project_id", "employee_id")
    in_order_written = list(DedicationTotal.objects.order_by("id").values_list(*keys))
    assert in_order_written == sorted(in_order_written)


@pytest.mark.django_db
def test_a_write_that_bypassed_the_totals_is_refused_not_miscounted(db):
    world = _world()
    _apply(("log", 0, 0, 0, 30), world)
    DedicationTotal.objects.all().delete()  # as if the dedication had been written by hand
    dedication = Dedication.objects.get()

    with pytest.raises(totals.OutOfStep):
        services.change_dedication(dedication, by=services.SYSTEM, minutes=45)

    assert Dedication.objects.get().minutes == 30  # the change was undone with it


@pytest.mark.django_db
@pytest.mark.parametrize("table", list(ROLLUPS), ids=lambda table: table.__name__)
def test_a_write_that_bypassed_a_rollup_is_refused_too(db, table):
    world = _world()
    _apply(("log", 0, 0, 0, 30), world)
    table.objects.all().delete()
    dedication = Dedication.objects.get()

    with pytest.raises(totals.OutOfStep):
        services.delete_dedication(dedication, by=services.SYSTEM)

    assert Dedication.objects.get() == dedication


TABLES = ("crm_employeedaytotal", "crm_yeartotal", "crm_monthtotal", "crm_dedicationtotal")


def _tables(read: Callable[[], object]) -> set[str]:
    """The tables of totals that `read` sums."""
    with CaptureQueriesContext(connection) as queries:
        read()
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return {name for name in TABLES if name in sql}


@pytest.mark.django_db
def test_each_report_reads_the_smallest_totals_that_have_its_figures(db):
    world = _world()
    clients, _projects, _tasks, employees = world
    _apply(("log", 0, 0, 0, 30), world)
    month = ReportFilters(date_from=reports.month_start(TODAY), date_to=reports.month_end(TODAY))
    year = ReportFilters(date_from=dt.date(TODAY.year, 1, 1), date_to=dt.date(TODAY.year, 12, 31))
    some_days = ReportFilters(date_from=TODAY, date_to=TODAY)  # never a whole month
    ana = ReportFilters(date_from=month.date_from, date_to=month.date_to, employee=employees[0])
    acme = ReportFilters(date_from=year.date_from, date_to=year.date_to, client=clients[0])
    production = ReportFilters(date_from=year.date_from, date_to=year.date_to, kind="production")

    # No client, project or kind: per day and employee, whatever the period.
    for filters in (month, year, some_days, ana):
        assert _tables(lambda f=filters: reports.summary(f)) == {"crm_employeedaytotal"}
        for group_by in ("employee", "week", "month"):
            read = lambda f=filters, g=group_by: reports.totals(f, group_by=g)  # noqa: E731
            assert _tables(read) == {"crm_employeedaytotal"}
    assert _tables(lambda: reports.chart(year, step="month", stack_by="employee")) == {
        "crm_employeedaytotal"
    }
    # By client or project over whole years: per year; over whole months: per month.
    assert _tables(lambda: reports.totals(year, group_by="client")) == {"crm_yeartotal"}
    assert _tables(lambda: reports.totals(production, group_by="project")) == {"crm_yeartotal"}
    assert _tables(lambda: reports.totals(month, group_by="client")) == {"crm_monthtotal"}
    assert _tables(lambda: reports.summary(acme)) == {"crm_monthtotal"}  # by its index
    assert _tables(lambda: reports.totals(production, group_by="month")) == {"crm_monthtotal"}
    # The chart by client: everyone's months from the smallest, the leading clients from
    # the year's, and their months from the months'.
    assert _tables(lambda: reports.chart(year, step="month", stack_by="client")) == {
        "crm_employeedaytotal",
        "crm_yeartotal",
        "crm_monthtotal",
    }
    # Clients and employees together, or clients by week or by days: per day.
    assert _tables(lambda: reports.totals(ana, group_by="client")) == {"crm_dedicationtotal"}
    assert _tables(lambda: reports.totals(acme, group_by="week")) == {"crm_dedicationtotal"}
    assert _tables(lambda: reports.summary(replace(some_days, client=clients[0]))) == {
        "crm_dedicationtotal"
    }
    assert reports.summary(month) == reports.summary(some_days) == reports.summary(year)
    assert reports.summary(year) == (30, 1)


# --- Writers at the same moment (PostgreSQL: real concurrent transactions) ---------------------

WRITERS = 8
ROUNDS = 6


def _at_once(work: Callable[[int], None]) -> list[BaseException]:
    """work(i) in WRITERS threads released together, each with its own connection."""
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_of_the_same_totals_lose_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing happens at the same moment")
    world = _world()
    employees = world[3]
    # Dedications to change and delete, all on the same day, client, project and employee.
    for _ in range(WRITERS * ROUNDS):
        _apply(("record", 0, 0, 1, 10), world)
    mine = list(Dedication.objects.order_by("pk").values_list("pk", flat=True))

    def work(i: int) -> None:
        for r in range(ROUNDS):
            # Every writer adds to, and takes from, the same rows at the same moments.
            _apply(("log", 0, 0, 1, 5), world)
            _apply(("record", 0, 1, 1, 7), world)
            dedication = Dedication.objects.get(pk=mine[i * ROUNDS + r])
            if r % 2:
                services.delete_dedication(dedication, by=services.SYSTEM)
            else:
                services.change_dedication(
                    dedication, by=services.SYSTEM, minutes=20, employee=employees[1 + i % 2]
                )

    errors = _at_once(work)

    assert errors == []
    assert _kept() == _summed()
    _assert_rollups_kept()
    assert Dedication.objects.count() == WRITERS * ROUNDS * 2 + WRITERS * ROUNDS // 2
