"""Reports on dedications: periods around week, month and year ends (Europe/Madrid), every
filter and grouping against totals computed by hand, drill-down, the chart, the statement,
the export rows, and a number of queries that does not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from hexa.crm.demo import load_demo
from hexa.crm.errors import InvalidInput
from hexa.crm.models import Client, Dedication
from hexa.crm.services import reports
from hexa.crm.services.reports import GroupBy, Period, ReportFilters, StackBy, Step
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date
MADRID_MIDWINTER = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 Feb in Madrid


# --- Periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        # Weeks run Monday to Sunday, across a year's end too.
        (Period.THIS_WEEK, D(2026, 1, 1), (D(2025, 12, 29), D(2026, 1, 4))),
        (Period.THIS_WEEK, D(2025, 12, 29), (D(2025, 12, 29), D(2026, 1, 4))),
        (Period.THIS_WEEK, D(2026, 3, 1), (D(2026, 2, 23), D(2026, 3, 1))),  # a Sunday
        (Period.LAST_WEEK, D(2026, 1, 1), (D(2025, 12, 22), D(2025, 12, 28))),
        (Period.LAST_WEEK, D(2026, 1, 5), (D(2025, 12, 29), D(2026, 1, 4))),
        # Whole months, the current one to its end; February of a leap year.
        (Period.THIS_MONTH, D(2024, 2, 15), (D(2024, 2, 1), D(2024, 2, 29))),
        (Period.THIS_MONTH, D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31))),
        (Period.LAST_MONTH, D(2026, 1, 15), (D(2025, 12, 1), D(2025, 12, 31))),
        (Period.LAST_MONTH, D(2026, 3, 31), (D(2026, 2, 1), D(2026, 2, 28))),
        (Period.LAST_MONTH, D(2026, 3, 1), (D(2026, 2, 1), D(2026, 2, 28))),
        (Period.LAST_3_MONTHS, D(2026, 2, 10), (D(2025, 12, 1), D(2026, 2, 28))),
        (Period.LAST_3_MONTHS, D(2026, 1, 1), (D(2025, 11, 1), D(2026, 1, 31))),
        (Period.THIS_YEAR, D(2026, 12, 31), (D(2026, 1, 1), D(2026, 12, 31))),
        (Period.LAST_YEAR, D(2026, 1, 1), (D(2025, 1, 1), D(2025, 12, 31))),
    ],
)
def test_period_ranges_around_week_month_and_year_ends(period, today, expected):
    assert reports.period_range(period, today=today) == expected


def test_the_site_counts_days_in_madrid():
    assert settings.TIME_ZONE == "Europe/Madrid"


@pytest.mark.parametrize(
    ("moment", "period", "expected"),
    [
        # 23:30 UTC on 31 January is already 1 February in Madrid (UTC+1 in winter).
        (MADRID_MIDWINTER, Period.THIS_MONTH, (D(2026, 2, 1), D(2026, 2, 28))),
        (MADRID_MIDWINTER, Period.LAST_MONTH, (D(2026, 1, 1), D(2026, 1, 31))),
        # 22:30 UTC on 30 June is 1 July in Madrid (UTC+2 in summer).
        (
            dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC),
            Period.THIS_MONTH,
            (D(2026, 7, 1), D(2026, 7, 31)),
        ),
        # New Year's Eve at 23:30 UTC is New Year in Madrid.
        (
            dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
            Period.THIS_YEAR,
            (D(2027, 1, 1), D(2027, 12, 31)),
        ),
        # Sunday 22:59 UTC in winter is Sunday 23:59 in Madrid: still this week.
        (
            dt.datetime(2026, 3, 1, 22, 59, tzinfo=dt.UTC),
            Period.THIS_WEEK,
            (D(2026, 2, 23), D(2026, 3, 1)),
        ),
        (
            dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.UTC),
            Period.THIS_WEEK,
            (D(2026, 3, 2), D(2026, 3, 8)),
        ),
    ],
)
def test_periods_follow_the_local_date_in_madrid(moment, period, expected):
    today = timezone.localdate(moment)

    assert reports.period_range(period, today=today) == expected


@pytest.mark.parametrize(
    ("step", "start", "code"),
    [
        (Step.WEEK, D(2025, 12, 29), "2026-W01"),  # ISO year, not the calendar's
        (Step.WEEK, D(2026, 12, 28), "2026-W53"),
        (Step.WEEK, D(2026, 3, 2), "2026-W10"),
        (Step.MONTH, D(2026, 2, 1), "2026-02"),
    ],
)
def test_period_codes(step, start, code):
    assert reports.period_code(step, start) == code


# --- A world with totals worked out by hand ---------------------------------------------------
#
#       date        ISO week   client  project   kind        employee  minutes
#   d1  2025-12-29  2026-W01   ACME    ACME-WEB  production  ANA       60
#   d2  2025-12-31  2026-W01   ACME    ACME      commercial  LUIS      30
#   d3  2026-01-01  2026-W01   BETA    BETA      commercial  ANA       45
#   d4  2026-01-04  2026-W01   ACME    ACME-WEB  production  ANA       (none)
#   d5  2026-01-05  2026-W02   BETA    BETA      commercial  LUIS      90
#   d6  2026-01-31  2026-W05   ACME    ACME-WEB  production  LUIS      15
#   d7  2026-02-01  2026-W05   ACME    ACME      commercial  ANA       120
#   d8  2026-02-02  2026-W06   BETA    BETA      commercial  ANA       10
#
# All: 370 minutes, 8 dedications.


@pytest.fixture
def world(db):
    ana = factories.employee("ANA", name="Ana")
    luis = factories.employee("LUIS", name="Luis")
    acme = factories.client("ACME", name="Acme")
    beta = factories.client("BETA", name="Beta")
    web = factories.task(factories.project(acme, "ACME-WEB", name="Web", kind="production"))
    acme_own = factories.task(factories.project(acme, "ACME", name="Acme", kind="commercial"))
    beta_own = factories.task(factories.project(beta, "BETA", name="Beta", kind="commercial"))
    rows = [
        (web, ana, D(2025, 12, 29), 60),
        (acme_own, luis, D(2025, 12, 31), 30),
        (beta_own, ana, D(2026, 1, 1), 45),
        (web, ana, D(2026, 1, 4), None),
        (beta_own, luis, D(2026, 1, 5), 90),
        (web, luis, D(2026, 1, 31), 15),
        (acme_own, ana, D(2026, 2, 1), 120),
        (beta_own, ana, D(2026, 2, 2), 10),
    ]
    return [
        factories.dedication(task, who, date=day, minutes=minutes, text=f"d{n}")
        for n, (task, who, day, minutes) in enumerate(rows, start=1)
    ]


def filters(**inputs) -> ReportFilters:
    """report_filters() with a fixed today; dates may come as ISO text, as in inputs()."""
    inputs.setdefault("today", D(2026, 2, 10))
    for name in ("date_from", "date_to"):
        if isinstance(inputs.get(name), str):
            inputs[name] = D.fromisoformat(inputs[name])
    return reports.report_filters(**inputs)


def figures(totals: reports.Totals) -> list[tuple[str, int, int]]:
    return [(row.code, row.minutes, row.count) for row in totals.rows]


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        (GroupBy.CLIENT, [("ACME", 225, 5), ("BETA", 145, 3)]),
        (GroupBy.PROJECT, [("ACME", 150, 2), ("BETA", 145, 3), ("ACME-WEB", 75, 3)]),
        (GroupBy.EMPLOYEE, [("ANA", 235, 5), ("LUIS", 135, 3)]),
        (
            GroupBy.WEEK,
            [("2026-W01", 135, 4), ("2026-W02", 90, 1), ("2026-W05", 135, 2), ("2026-W06", 10, 1)],
        ),
        (GroupBy.MONTH, [("2025-12", 90, 2), ("2026-01", 150, 4), ("2026-02", 130, 2)]),
    ],
)
def test_totals_by_each_grouping(world, group_by, expected):
    totals = reports.totals(filters(), group_by=group_by)

    assert figures(totals) == expected
    assert (totals.minutes, totals.count) == (370, 8)


def test_code_groups_carry_names_and_period_groups_their_days(world):
    clients = reports.totals(filters(), group_by="client")
    weeks = reports.totals(filters(), group_by="week")
    months = reports.totals(filters(), group_by="month")

    assert [(row.code, row.name) for row in clients.rows] == [("ACME", "Acme"), ("BETA", "Beta")]
    assert [(row.start, row.end) for row in weeks.rows][:2] == [
        (D(2025, 12, 29), D(2026, 1, 4)),
        (D(2026, 1, 5), D(2026, 1, 11)),
    ]
    assert [(row.start, row.end) for row in months.rows] == [
        (D(2025, 12, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
    ]


@pytest.mark.parametrize(
    ("inputs", "minutes", "count"),
    [
        ({}, 370, 8),
        ({"client": "ACME"}, 225, 5),
        ({"client": " beta "}, 145, 3),  # codes are read as people type them
        ({"project": "ACME-WEB"}, 75, 3),
        ({"employee": "LUIS"}, 135, 3),
        ({"kind": "production"}, 75, 3),
        ({"kind": "commercial"}, 295, 5),
        ({"period": "this_month", "today": D(2026, 1, 15)}, 150, 4),
        ({"period": "last_month", "today": D(2026, 1, 15)}, 90, 2),
        ({"period": "this_week", "today": D(2026, 1, 1)}, 135, 4),
        ({"period": "last_week", "today": D(2026, 1, 5)}, 135, 4),
        ({"period": "this_year", "today": D(2026, 1, 15)}, 280, 6),
        ({"period": "last_year", "today": D(2026, 1, 15)}, 90, 2),
        ({"period": "last_3_months", "today": D(2026, 2, 10)}, 370, 8),
        ({"date_from": D(2025, 12, 31), "date_to": D(2026, 1, 31)}, 180, 5),
        ({"date_from": D(2026, 2, 1)}, 130, 2),
        ({"date_to": D(2025, 12, 31)}, 90, 2),
        ({"date_from": D(2026, 1, 4), "date_to": D(2026, 1, 4)}, 0, 1),  # no minutes, 1 entry
        ({"client": "ACME", "employee": "ANA", "period": "this_year"}, 120, 2),
        ({"client": "BETA", "project": "ACME"}, 0, 0),  # both hold: nothing
    ],
)
def test_each_filter_against_hand_computed_totals(world, inputs, minutes, count):
    chosen = filters(**inputs)

    assert reports.summary(chosen) == (minutes, count)
    totals = reports.totals(chosen, group_by="client")
    assert (totals.minutes, totals.count) == (minutes, count)
    assert reports.entries(chosen).count() == count


def test_period_groups_are_cut_to_the_reports_range(world):
    chosen = filters(date_from=D(2025, 12, 31), date_to=D(2026, 1, 31))

    weeks = reports.totals(chosen, group_by="week")
    months = reports.totals(chosen, group_by="month")

    assert [(row.code, row.start, row.end, row.minutes, row.count) for row in weeks.rows] == [
        ("2026-W01", D(2025, 12, 31), D(2026, 1, 4), 75, 3),
        ("2026-W02", D(2026, 1, 5), D(2026, 1, 11), 90, 1),
        ("2026-W05", D(2026, 1, 26), D(2026, 1, 31), 15, 1),
    ]
    assert [(row.code, row.start, row.end, row.minutes) for row in months.rows] == [
        ("2025-12", D(2025, 12, 31), D(2025, 12, 31), 30),
        ("2026-01", D(2026, 1, 1), D(2026, 1, 31), 150),
    ]


@pytest.mark.parametrize("group_by", list(GroupBy))
def test_each_total_drills_down_to_exactly_its_entries(world, group_by):
    inputs = {"date_from": "2025-12-31", "date_to": "2026-02-01", "kind": "commercial"}
    base = filters(**inputs)
    seen = set()

    for row in reports.totals(base, group_by=group_by).rows:
        narrowed = filters(**{**base.inputs(), **row.drill_down()})
        entries = list(reports.entries(narrowed))

        assert reports.summary(narrowed) == (row.minutes, row.count)
        assert len(entries) == row.count
        seen.update(entry.pk for entry in entries)
    assert seen == set(reports.entries(base).values_list("pk", flat=True))


def test_filters_say_themselves_as_inputs(world):
    chosen = filters(period="last_month", today=D(2026, 1, 15), client="acme", kind="production")

    assert chosen.inputs() == {
        "date_from": "2025-12-01",
        "date_to": "2025-12-31",
        "client": "ACME",
        "kind": "production",
    }
    assert filters(**chosen.inputs()) == chosen


def test_entries_come_oldest_first(world):
    assert [entry.text for entry in reports.entries(filters())] == [f"d{n}" for n in range(1, 9)]


# --- Bad input ------------------------------------------------------------------------------


def test_unknown_codes_are_errors_on_their_fields_all_at_once(world):
    with pytest.raises(InvalidInput) as error:
        filters(client="NOPE", project="NOPE", employee="NOPE", kind="secret", period="someday")

    assert set(error.value.fields) == {"client", "project", "employee", "kind", "period"}
    assert "NOPE" in error.value.fields["client"][0]


def test_a_range_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(InvalidInput) as error:
        filters(date_from=D(2026, 2, 1), date_to=D(2026, 1, 1))

    assert list(error.value.fields) == ["date_to"]


def test_a_period_and_dates_together_are_refused(world):
    with pytest.raises(InvalidInput) as error:
        filters(period="this_month", date_from=D(2026, 1, 1))

    assert list(error.value.fields) == ["period"]


def test_a_code_with_a_nul_character_is_unknown_not_a_crash(world):
    with pytest.raises(InvalidInput) as error:
        filters(client="AC\x00ME", employee="\x00")

    assert set(error.value.fields) == {"client", "employee"}


def test_no_filters_means_all_time(world):
    assert filters() == ReportFilters()


# --- The chart --------------------------------------------------------------------------------


def series_of(chart: reports.Chart) -> list[tuple[str, list[int]]]:
    return [(series.code, series.minutes) for series in chart.series]


def test_chart_of_weeks_by_client_with_empty_weeks_in_place(world):
    chosen = filters(date_from=D(2025, 12, 29), date_to=D(2026, 2, 8))

    chart = reports.chart(chosen, step="week", stack_by="client")

    assert [period.code for period in chart.periods] == [f"2026-W0{n}" for n in range(1, 7)]
    assert series_of(chart) == [
        ("ACME", [90, 0, 0, 0, 135, 0]),
        ("BETA", [45, 90, 0, 0, 0, 10]),
    ]
    assert chart.minutes == 370
    table = reports.chart_table(chart)
    assert [total for _period, _figures, total in table] == [135, 90, 0, 0, 135, 10]
    assert table[0][1] == [("Acme", 90), ("Beta", 45)]


def test_chart_of_months_by_employee(world):
    chart = reports.chart(filters(), step="month", stack_by=StackBy.EMPLOYEE)

    assert [period.code for period in chart.periods] == ["2025-12", "2026-01", "2026-02"]
    assert series_of(chart) == [("ANA", [60, 45, 130]), ("LUIS", [30, 105, 0])]


@pytest.mark.parametrize("step", ["week", "month"])
def test_the_last_days_of_the_calendar_are_a_report_like_any_other(world, step):
    last_days = filters(date_from=D(9999, 12, 1), date_to=D(9999, 12, 31))

    chart = reports.chart(last_days, step=step)
    totals = reports.totals(last_days, group_by=step)

    assert chart.periods[-1].end == dt.date.max
    assert (chart.series, totals.rows, totals.minutes) == ([], [], 0)


def test_chart_puts_the_rest_in_other(world):
    with translation.override("en"):
        chart = reports.chart(filters(), step="month", stack_by="client", series=1)

    assert series_of(chart) == [("ACME", [90, 15, 120]), ("", [0, 135, 10])]
    assert chart.series[1].name == "Other"
    assert chart.minutes == 370


def test_chart_periods_are_cut_to_the_range_and_span_it_whole(world):
    chosen = filters(period="this_month", today=D(2026, 3, 10))  # nothing in March

    chart = reports.chart(chosen, step="week")

    assert chart.series == []
    assert chart.periods[0].start == D(2026, 3, 1)  # a Sunday: its week, cut to the month
    assert chart.periods[0].code == "2026-W09"
    assert chart.periods[-1].end == D(2026, 3, 31)
    assert len(chart.periods) == 6


def test_chart_has_no_column_after_today_and_says_which_periods_are_cut_short(world):
    february = filters(period="this_month", today=D(2026, 2, 10))  # a Tuesday

    chart = reports.chart(february, step="week", today=D(2026, 2, 10))

    assert [(period.start, period.end, period.whole) for period in chart.periods] == [
        (D(2026, 2, 1), D(2026, 2, 1), False),  # a Sunday: its week began in January
        (D(2026, 2, 2), D(2026, 2, 8), True),
        (D(2026, 2, 9), D(2026, 2, 10), False),  # this week, so far
    ]
    assert series_of(chart) == [("ACME", [120, 0, 0]), ("BETA", [0, 10, 0])]


def test_chart_of_this_year_ends_with_this_month_so_far(world):
    this_year = filters(period="this_year", today=D(2026, 2, 10))

    chart = reports.chart(this_year, step="month", today=D(2026, 2, 10))

    assert [(period.code, period.end, period.whole) for period in chart.periods] == [
        ("2026-01", D(2026, 1, 31), True),
        ("2026-02", D(2026, 2, 10), False),
    ]


def test_chart_still_shows_time_dated_after_today(world):
    last = Dedication.objects.get(text="d8")
    factories.dedication(last.task, last.employee, date=D(2026, 3, 2), minutes=30)

    chart = reports.chart(filters(period="this_year"), step="month", today=D(2026, 2, 10))

    assert [period.code for period in chart.periods] == ["2026-01", "2026-02", "2026-03"]
    assert chart.periods[1].whole and chart.periods[2].whole


def test_chart_leaves_out_who_has_no_minutes(world):
    factories.dedication(
        factories.task(factories.project(factories.client("ZERO"), "ZERO")),
        Dedication.objects.first().employee,
        date=D(2026, 1, 2),
        minutes=None,
    )

    chart = reports.chart(filters(), step="month")

    assert "ZERO" not in [series.code for series in chart.series]


def test_chart_step_is_weeks_up_to_three_months_then_months(world):
    assert reports.default_step(filters(period="last_3_months")) == Step.WEEK
    assert reports.default_step(filters(period="this_year")) == Step.MONTH
    assert reports.default_step(filters()) == Step.MONTH
    assert reports.chart(filters(period="this_year")).step == Step.MONTH


# --- Statement --------------------------------------------------------------------------------


def test_statement_of_a_client_over_a_month(world):
    document = reports.statement(filters(client="ACME", period="this_month", today=D(2026, 1, 9)))

    assert document.client.code == "ACME"
    assert (document.date_from, document.date_to) == (D(2026, 1, 1), D(2026, 1, 31))
    assert [entry.text for entry in document.entries] == ["d4", "d6"]
    assert figures(document.projects) == [("ACME-WEB", 15, 2)]
    assert (document.minutes, document.count) == (15, 2)


def test_statement_needs_a_client(world):
    with pytest.raises(InvalidInput) as error:
        reports.statement(filters())

    assert list(error.value.fields) == ["client"]


# --- Exports ----------------------------------------------------------------------------------


def test_entry_rows_match_the_columns(world):
    columns = [column.key for column in reports.entry_columns()]
    rows = list(reports.entry_rows(filters(client="ACME", date_to=D(2025, 12, 31)), chunk_size=1))

    assert [dict(zip(columns, row, strict=True)) for row in rows] == [
        {
            "id": world[0].pk,
            "date": D(2025, 12, 29),
            "client": "ACME",
            "client_name": "Acme",
            "project": "ACME-WEB",
            "project_name": "Web",
            "project_kind": "production",
            "task": world[0].task_id,
            "task_title": world[0].task.title,
            "employee": "ANA",
            "employee_name": "Ana",
            "minutes": 60,
            "text": "d1",
        },
        {
            "id": world[1].pk,
            "date": D(2025, 12, 31),
            "client": "ACME",
            "client_name": "Acme",
            "project": "ACME",
            "project_name": "Acme",
            "project_kind": "commercial",
            "task": world[1].task_id,
            "task_title": world[1].task.title,
            "employee": "LUIS",
            "employee_name": "Luis",
            "minutes": 30,
            "text": "d2",
        },
    ]


def test_total_rows_match_their_columns(world):
    weeks = reports.totals(filters(date_from=D(2026, 1, 30)), group_by="week")
    clients = reports.totals(filters(), group_by="client")

    assert [c.key for c in reports.total_columns("week")] == [
        "period", "date_from", "date_to", "minutes", "hours", "count",
    ]  # fmt: skip
    assert list(reports.total_rows(weeks)) == [
        ("2026-W05", D(2026, 1, 30), D(2026, 2, 1), 135, reports.minutes_to_hours(135), 2),
        ("2026-W06", D(2026, 2, 2), D(2026, 2, 8), 10, reports.minutes_to_hours(10), 1),
    ]
    assert [c.key for c in reports.total_columns("client")] == [
        "code", "name", "minutes", "hours", "count",
    ]  # fmt: skip
    assert next(reports.total_rows(clients))[:3] == ("ACME", "Acme", 225)
    assert str(reports.minutes_to_hours(225)) == "3.75"


# --- Cost: queries do not grow with the data ------------------------------------------------


def _queries(work) -> int:
    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries)


@pytest.mark.parametrize("group_by", list(GroupBy))
def test_totals_take_one_query_and_the_chart_three_whatever_the_data(world, group_by):
    chosen = filters()
    small = (
        _queries(lambda: reports.totals(chosen, group_by=group_by)),
        _queries(lambda: reports.chart(chosen, stack_by="employee")),
    )
    for n in range(30):
        client = factories.client(f"MORE{n}")
        task = factories.task(factories.project(client, f"MORE{n}"))
        factories.dedication(
            task, factories.employee(f"EMP{n}"), date=D(2025, 6, 1) + dt.timedelta(days=n * 9)
        )

    large = (
        _queries(lambda: reports.totals(chosen, group_by=group_by)),
        _queries(lambda: reports.chart(chosen, stack_by="employee")),
    )

    assert small == large == (1, 3)


# --- The demo makes every report meaningful -------------------------------------------------


def test_demo_data_fills_every_report(db):
    today = timezone.localdate()
    load_demo(today=today)
    quarter = reports.report_filters(today=today, period="last_3_months")
    month = reports.report_filters(today=today, period="last_month")

    assert len(reports.totals(quarter, group_by="client").rows) >= 10
    assert len(reports.totals(quarter, group_by="project").rows) >= 10
    assert len(reports.totals(quarter, group_by="employee").rows) >= 3
    assert len(reports.totals(quarter, group_by="week").rows) >= 10
    assert len(reports.totals(quarter, group_by="month").rows) >= 3
    assert len(reports.totals(month, group_by="client").rows) >= 5
    for kind in ("production", "commercial"):
        assert reports.summary(reports.report_filters(today=today, kind=kind))[1] > 0
    chart = reports.chart(quarter, stack_by="client")
    assert len(chart.series) == reports.CHART_SERIES + 1  # the leaders, then "Other"
    assert reports.statement(
        reports.report_filters(today=today, period="last_3_months", client="PRIETO")
    ).entries
    assert Client.objects.filter(code="INFORMAT", active=False).exists()  # archived, reported
    assert reports.summary(reports.report_filters(today=today, client="INFORMAT"))[1] > 0
