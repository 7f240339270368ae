"""Reports on dedications: which entries a report covers (its filters and periods), their
totals grouped by client, project, employee, week or month, the chart of time per week or
month, a client's statement, and the rows of the exports.

Every figure is computed by the database, one query per table of totals, so that a report
costs the same few queries whatever the number of dedications. Periods are computed from a
`today` the caller passes (the local date in the site's time zone, `timezone.localdate()`),
never from the clock, so that they can be stated and tested.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from django.db import connection, models
from django.db.models import BigIntegerField, Count, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hexa.crm.errors import DomainError, InvalidInput
from hexa.crm.models import (
    Client,
    Dedication,
    DedicationTotal,
    Employee,
    EmployeeDayTotal,
    MonthTotal,
    Project,
    YearTotal,
)
from hexa.crm.services.lookups import client_by_code, employee_by_code, project_by_code

ONE_WEEK = dt.timedelta(days=7)
# An export reads the database in chunks of this many rows, so that its memory stays flat.
EXPORT_CHUNK = 2_000
# The chart shows the clients or employees with most time; the rest are one "Other" series.
CHART_SERIES = 6
# More bars than this and the chart spans the days that have dedications, not the whole
# range asked for (a range over decades would otherwise draw thousands of empty weeks).
CHART_MAX_PERIODS = 260


class Period(models.TextChoices):
    """Named periods, each a range of whole days around `today`."""

    THIS_WEEK = "this_week", gettext_lazy("This week")
    LAST_WEEK = "last_week", gettext_lazy("Last week")
    THIS_MONTH = "this_month", gettext_lazy("This month")
    LAST_MONTH = "last_month", gettext_lazy("Last month")
    LAST_3_MONTHS = "last_3_months", gettext_lazy("Last three months")
    THIS_YEAR = "this_year", gettext_lazy("This year")
    LAST_YEAR = "last_year", gettext_lazy("Last year")


class GroupBy(models.TextChoices):
    CLIENT = "client", gettext_lazy("Client")
    PROJECT = "project", gettext_lazy("Project")
    EMPLOYEE = "employee", gettext_lazy("Employee")
    WEEK = "week", gettext_lazy("Week")
    MONTH = "month", gettext_lazy("Month")

    @property
    def is_period(self) -> bool:
        return self in (GroupBy.WEEK, GroupBy.MONTH)


class Step(models.TextChoices):
    """What one bar of the chart covers."""

    WEEK = "week", gettext_lazy("Week")
    MONTH = "month", gettext_lazy("Month")


class StackBy(models.TextChoices):
    """What the chart's bars are split by."""

    CLIENT = "client", gettext_lazy("Client")
    EMPLOYEE = "employee", gettext_lazy("Employee")


# --- Days, weeks and months -------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week (weeks run Monday to Sunday, as ISO 8601 and Spain say)."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_range(period: Period | str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `period` as seen on `today`: whole weeks (Monday to Sunday),
    whole months and whole years, the current one included whole even though its end is
    still to come."""
    match Period(period):
        case Period.THIS_WEEK:
            start = week_start(today)
            return start, start + dt.timedelta(days=6)
        case Period.LAST_WEEK:
            start = week_start(today) - ONE_WEEK
            return start, start + dt.timedelta(days=6)
        case Period.THIS_MONTH:
            return month_start(today), month_end(today)
        case Period.LAST_MONTH:
            last = month_start(today) - dt.timedelta(days=1)
            return month_start(last), last
        case Period.LAST_3_MONTHS:
            return _months_before(today, 2), month_end(today)
        case Period.THIS_YEAR:
            return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
        case Period.LAST_YEAR:
            return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise AssertionError(period)  # pragma: no cover - Period() refused anything else


def _period_start(step: Step | GroupBy, day: dt.date) -> dt.date:
    return week_start(day) if step == Step.WEEK else month_start(day)


def _period_end(step: Step | GroupBy, start: dt.date) -> dt.date:
    if step == Step.WEEK:  # the last week of the calendar ends with it (31 December 9999)
        return start + dt.timedelta(days=6) if start < dt.date.max - ONE_WEEK else dt.date.max
    return month_end(start)


def period_code(step: Step | GroupBy, start: dt.date) -> str:
    """`2026-W05` for a week (its ISO year and number: the week of Monday 29 December 2025
    is 2026-W01), `2026-02` for a month."""
    if step == Step.WEEK:
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m}"


# --- Filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """Which dedications a report covers. Every filter is optional; together they all hold.

    `date_from` and `date_to` are inclusive; `kind` is a Project.Kind value ("" for any).
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    client: Client | None = None
    project: Project | None = None
    employee: Employee | None = None
    kind: str = ""

    def inputs(self) -> dict[str, str]:
        """These filters as `report_filters` takes them (codes and ISO dates), leaving out
        those not set: the query string of a link to the same report."""
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "client": self.client.code if self.client else "",
            "project": self.project.code if self.project else "",
            "employee": self.employee.code if self.employee else "",
            "kind": self.kind,
        }
        return {name: value for name, value in values.items() if value}


def report_filters(
    *,
    today: dt.date,
    period: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    client: str | None = None,
    project: str | None = None,
    employee: str | None = None,
    kind: str | None = None,
) -> ReportFilters:
    """Filters from what a person or a program typed: a named `period` (see Period) or a
    range of dates, and codes. Every problem is reported at once, on the field at fault
    (InvalidInput): an unknown period, kind or code, a period given together with dates, a
    range that ends before it starts. Without a period or dates, the report covers all time.
    """
    errors: dict[str, list[str]] = {}
    if period:
        if period not in Period.values:
            errors["period"] = [
                _("Choose a period among: %(periods)s.") % {"periods": ", ".join(Period.values)}
            ]
        elif date_from or date_to:
            errors["period"] = [_("Give a period or dates, not both.")]
        else:
            date_from, date_to = period_range(period, today=today)
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = [_("The end date is before the start date.")]
    if kind and kind not in Project.Kind.values:
        errors["kind"] = [
            _("Choose a kind among: %(kinds)s.") % {"kinds": ", ".join(Project.Kind.values)}
        ]
    found: dict[str, Any] = {}
    lookups = (
        ("client", client, client_by_code),
        ("project", project, project_by_code),
        ("employee", employee, employee_by_code),
    )
    for name, code, lookup in lookups:
        if code:
            try:
                found[name] = lookup(code)
            except DomainError as error:  # unknown: NotFound or InvalidInput, said on the field
                errors[name] = [error.message]
    if errors:
        raise InvalidInput(errors)
    return ReportFilters(date_from=date_from, date_to=date_to, kind=kind or "", **found)


def _dated[Row: (Dedication, DedicationTotal, MonthTotal, YearTotal, EmployeeDayTotal)](
    rows: QuerySet[Row], filters: ReportFilters
) -> QuerySet[Row]:
    """`rows` (dedications, or their totals: the fields have the same names) within the
    filters' dates."""
    if filters.date_from:
        rows = rows.filter(date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(date__lte=filters.date_to)
    return rows


def _narrowed[Row: (Dedication, DedicationTotal, MonthTotal, YearTotal)](
    rows: QuerySet[Row], filters: ReportFilters
) -> QuerySet[Row]:
    """`rows` that the filters cover, but for the employee (not every table of totals has
    one: _by_employee)."""
    rows = _dated(rows, filters)
    if filters.client:
        rows = rows.filter(client=filters.client)
    if filters.project:
        # Its client too: the totals' index on (client, project, date) then serves it.
        rows = rows.filter(client_id=filters.project.client_id, project=filters.project)
    if filters.kind:
        rows = rows.filter(project__kind=filters.kind)
    return rows


def _by_employee[Row: (Dedication, DedicationTotal, EmployeeDayTotal)](
    rows: QuerySet[Row], filters: ReportFilters
) -> QuerySet[Row]:
    return rows.filter(employee=filters.employee) if filters.employee else rows


def _filtered(filters: ReportFilters) -> QuerySet[Dedication]:
    return _by_employee(_narrowed(Dedication.objects.all(), filters), filters)


type Counted = (
    QuerySet[DedicationTotal]
    | QuerySet[MonthTotal]
    | QuerySet[YearTotal]
    | QuerySet[EmployeeDayTotal]
)

type Per = Literal["day", "month", "all"]


def _counted(filters: ReportFilters, *, per: Per = "day", by: str | None = None) -> Counted:
    """The totals that the filters cover: every figure of a report is summed from them, not
    from the dedications (a period holds a fraction of the rows, and they are narrow). Every
    filter of a report is a field of the totals (or, the kind, of their project), so no
    report needs to sum the dedications.

    The caller says what it needs: figures per day (`per="day"`: weeks), per month, or for
    the whole range (`"all"`), and which field it groups them by (`by`: client, project,
    employee or None). The smallest table that has them is read:

    - no client, project or kind, in the filters or in `by`: per day and employee
      (EmployeeDayTotal), a few dozen rows a day whatever the number of clients;
    - else, without an employee: per year, client and project (YearTotal) for whole years
      without a client or project filter and no period in the figures; per month, client
      and project (MonthTotal) for whole months and no figure per day;
    - else per day, client, project and employee (DedicationTotal)."""
    clients_side = by in ("client", "project") or any(
        (filters.client, filters.project, filters.kind)
    )
    employee = by == "employee" or filters.employee is not None
    if not clients_side:
        return _by_employee(_dated(EmployeeDayTotal.objects.all(), filters), filters)
    if not employee:
        if per == "all" and _whole_years(filters) and not (filters.client or filters.project):
            return _narrowed(YearTotal.objects.all(), filters)
        if per != "day" and _whole_months(filters):
            return _narrowed(MonthTotal.objects.all(), filters)
    return _by_employee(_narrowed(DedicationTotal.objects.all(), filters), filters)


# What figures per group need: weeks are summed from days, months from months.
_PER_GROUP: dict[GroupBy, Per] = {GroupBy.WEEK: "day", GroupBy.MONTH: "month"}


def _whole_years(filters: ReportFilters) -> bool:
    """Whether the filters' dates cover whole years (an open end does)."""
    first, last = filters.date_from, filters.date_to
    starts = first is None or (first.month, first.day) == (1, 1)
    ends = last is None or (last.month, last.day) == (12, 31)
    return starts and ends


def _whole_months(filters: ReportFilters) -> bool:
    """Whether the filters' dates cover whole months (an open end does)."""
    starts = filters.date_from is None or filters.date_from.day == 1
    ends = filters.date_to is None or filters.date_to == month_end(filters.date_to)
    return starts and ends


def entries(filters: ReportFilters) -> QuerySet[Dedication]:
    """The dedications a report covers, oldest first, with what a list of them shows."""
    return (
        _filtered(filters)
        .select_related("client", "project", "task", "employee")
        .order_by("date", "id")
    )


def _minutes_total() -> Coalesce:
    # Dedications without minutes count as entries but add no time.
    return Coalesce(Sum("minutes"), Value(0), output_field=BigIntegerField())


def _count_total() -> Coalesce:
    return Coalesce(Sum("entries"), Value(0), output_field=BigIntegerField())


def summary(filters: ReportFilters) -> tuple[int, int]:
    """(minutes, count) of the dedications the filters cover, in one query."""
    figures = _counted(filters, per="all").aggregate(minutes=_minutes_total(), count=_count_total())
    return figures["minutes"], figures["count"]


# --- Totals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """One group's time and number of dedications.

    Client, project and employee groups have a `code` and `name`; week and month groups have
    their first and last day, within the report's range (`start`, `end`) and a `period` code
    (see period_code) as `code`.
    """

    group_by: GroupBy
    code: str
    name: str
    minutes: int
    count: int
    start: dt.date | None = None
    end: dt.date | None = None
    pk: int | None = None  # the client's, project's or employee's

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)

    def drill_down(self) -> dict[str, str]:
        """What to add to the report's inputs (see ReportFilters.inputs) to cover this
        group's dedications and no others."""
        if self.start is not None and self.end is not None:
            return {"date_from": self.start.isoformat(), "date_to": self.end.isoformat()}
        return {self.group_by.value: self.code}


@dataclass(frozen=True)
class Totals:
    """The totals of a report's groups: `rows` from the `offset`-th group on (all of them,
    or a page of them), and the figures of all the groups: how many, their time and count."""

    group_by: GroupBy
    rows: list[Total]
    minutes: int  # of all the groups, not only those in `rows`
    count: int
    groups: int = 0
    offset: int = 0

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)

    @property
    def more(self) -> bool:
        """Groups after those in `rows`."""
        return self.offset + len(self.rows) < self.groups


def minutes_to_hours(minutes: int) -> Decimal:
    """Hours with two decimals, as spreadsheets want them (90 -> 1.50)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


_CODE_GROUPS = {
    GroupBy.CLIENT: ("client__code", "client__name"),
    GroupBy.PROJECT: ("project__code", "project__name"),
    GroupBy.EMPLOYEE: ("employee__code", "employee__name"),
}


def totals(
    filters: ReportFilters,
    *,
    group_by: GroupBy | str,
    limit: int | None = None,
    offset: int = 0,
) -> Totals:
    """Time and count of the filtered dedications per client, project, employee, week or
    month: all the groups, or `limit` of them from the `offset`-th on, with the figures of
    all of them, in one query. Clients, projects and employees come most time first; weeks
    and months in order. Groups without dedications are left out."""
    group_by = GroupBy(group_by)
    per = _PER_GROUP.get(group_by, "all")
    by = None if group_by.is_period else group_by.value
    counted = _counted(filters, per=per, by=by).order_by()
    if group_by.is_period:
        return _period_totals(filters, counted, group_by, limit, offset)
    rows, whole = _ranked(counted, group_by.value, limit, offset)
    return Totals(
        group_by,
        [Total(group_by, row.code, row.name, row.minutes, row.count, pk=row.pk) for row in rows],
        **whole,
        offset=offset,
    )


@dataclass(frozen=True)
class _Ranked:
    pk: int
    code: str
    name: str
    minutes: int
    count: int


_RANKED_MODELS: dict[str, type[models.Model]] = {
    "client": Client,
    "project": Project,
    "employee": Employee,
}


def _ranked(
    counted: Counted,
    field: str,
    limit: int | None,
    offset: int,
) -> tuple[list[_Ranked], dict[str, int]]:
    """The clients, projects or employees (`field`) of the totals `counted`, most time
    first (then most dedications, then by code), from the `offset`-th, `limit` of them;
    and how many there are, with their time and count (`groups`, `minutes`, `count`).

    The totals are summed per id first and only the groups are joined to their code and
    name: grouping by the code and name would join every row (a year's 650,000) first.
    The figures of all the groups come as window functions of the same query."""
    key = f"{field}_id"
    inner, params = (
        counted.values(key)
        .annotate(minutes=_minutes_total(), count=_count_total())
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    table = quote(_RANKED_MODELS[field]._meta.db_table)
    minutes, count = quote("minutes"), quote("count")
    sql = (
        f"SELECT r.id, r.code, r.name, g.{minutes}, g.{count}, "  # noqa: S608 - names from models
        f"COUNT(*) OVER (), SUM(g.{minutes}) OVER (), SUM(g.{count}) OVER () "
        f"FROM ({inner}) g JOIN {table} r ON r.id = g.{quote(key)} "
        f"ORDER BY g.{minutes} DESC, g.{count} DESC, r.code LIMIT %s OFFSET %s"
    )
    # SQLite takes no LIMIT ALL: a limit no report reaches.
    page = [*params, 2**62 if limit is None else limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, page)
        found = cursor.fetchall()
    rows = [_Ranked(*row[:5]) for row in found]
    if found:
        groups, all_minutes, all_count = found[0][5:]
    else:  # a page past the last: the figures on their own
        figures = counted.aggregate(
            minutes=_minutes_total(), count=_count_total(), groups=Count(key, distinct=True)
        )
        groups, all_minutes, all_count = figures["groups"], figures["minutes"], figures["count"]
    return rows, {"groups": groups, "minutes": int(all_minutes), "count": int(all_count)}


def _per_day(counted: Counted, *fields: str) -> QuerySet:
    """(date, *fields, minutes, count) of the totals, summed per day (and `fields`); per
    month from the totals per month (their date is the month's first day)."""
    return (
        counted.values("date", *fields)
        .annotate(minutes=_minutes_total(), count=_count_total())
        .values_list("date", *fields, "minutes", "count")
    )


def _period_totals(
    filters: ReportFilters,
    counted: Counted,
    group_by: GroupBy,
    limit: int | None,
    offset: int,
) -> Totals:
    """Weeks or months, added up here from the totals per day (a year has 365 at most):
    cheaper than truncating the date of every row in the database."""
    figures: dict[dt.date, tuple[int, int]] = {}
    for day, minutes, count in _per_day(counted):
        start = _period_start(group_by, day)
        before = figures.get(start, (0, 0))
        figures[start] = (before[0] + minutes, before[1] + count)
    rows = []
    for start in sorted(figures):
        first, last = _within(filters, start, _period_end(group_by, start))
        code = period_code(group_by, start)
        rows.append(Total(group_by, code, code, *figures[start], start=first, end=last))
    return Totals(
        group_by,
        rows[offset : offset + limit] if limit is not None else rows[offset:],
        minutes=sum(row.minutes for row in rows),
        count=sum(row.count for row in rows),
        groups=len(rows),
        offset=offset,
    )


def _within(filters: ReportFilters, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """A week's or month's days that the report's range covers."""
    if filters.date_from and filters.date_from > start:
        start = filters.date_from
    if filters.date_to and filters.date_to < end:
        end = filters.date_to
    return start, end


# --- The chart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPeriod:
    code: str  # see period_code
    start: dt.date  # within the report's range (and not after today)
    end: dt.date
    whole: bool = True  # False: the range (or today) cuts the week or month short


@dataclass(frozen=True)
class ChartSeries:
    code: str  # "" for the other clients or employees, together
    name: str
    minutes: list[int]  # one figure per period

    @property
    def total(self) -> int:
        return sum(self.minutes)


@dataclass(frozen=True)
class Chart:
    """Time per week or month, split by client or employee: the `series` with most time,
    then, if there are more, one series for all the others."""

    step: Step
    stack_by: StackBy
    periods: list[ChartPeriod]
    series: list[ChartSeries] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(series.total for series in self.series)


def default_step(filters: ReportFilters) -> Step:
    """Weeks for a range of up to about three months, months for anything longer."""
    start, end = filters.date_from, filters.date_to
    return Step.WEEK if start and end and (end - start).days <= 92 else Step.MONTH


def chart(
    filters: ReportFilters,
    *,
    step: Step | str | None = None,
    stack_by: StackBy | str = StackBy.CLIENT,
    series: int = CHART_SERIES,
    today: dt.date | None = None,
    totals_by: Totals | None = None,
) -> Chart:
    """The chart's figures in three queries: the `series` clients (or employees) with most
    time, the time per period of everyone, and that of each of them (the others' is the
    difference). Periods
    without time are there (as zeros) from the report's first day to its last, or to `today`
    when given: no column for weeks or months still to come. A period the range cuts short
    says so (`whole`), with its own first and last day.

    `totals_by`, the first page of the same filters' totals (the report page has them),
    gives the clients or employees with most time when it is grouped by what the bars are
    split by: two queries instead of three."""
    step = Step(step) if step else default_step(filters)
    stack_by = StackBy(stack_by)
    key = f"{stack_by.value}_id"
    per: Per = "day" if step == Step.WEEK else "month"
    everyone = _counted(filters, per=per).order_by()
    counted = _counted(filters, per=per, by=stack_by.value).order_by()
    reusable = (
        totals_by is not None
        and totals_by.group_by.value == stack_by.value
        and totals_by.offset == 0
        and (len(totals_by.rows) > series or not totals_by.more)
    )
    if not reusable or totals_by is None:
        totals_by = totals(filters, group_by=stack_by.value, limit=series + 1)
    leaders = [row for row in totals_by.rows[: series + 1] if row.minutes > 0]
    shown = leaders[:series]
    ids = [row.pk for row in shown]
    # Per day, added up here into weeks or months (see _period_totals): the time of everyone,
    # then that of the leaders (their own rows, by index); the others' is the difference.
    figures: Counter[tuple[dt.date, int | None]] = Counter()
    for day, minutes, _count in _per_day(everyone):
        figures[(_period_start(step, day), None)] += minutes
    if ids:
        for day, pk, minutes, _count in _per_day(counted.filter(**{f"{key}__in": ids}), key):
            start = _period_start(step, day)
            figures[(start, pk)] += minutes
            figures[(start, None)] -= minutes
    figures = +figures  # periods without time are left out
    with_time = [day for day, _who in figures]
    if today is not None:
        # Nobody records time ahead (a dedication's date is never in the future): no column
        # after today, unless some time was recorded beyond it all the same.
        later = [day for day in with_time if day > _period_start(step, today)]
        last = _period_end(step, max(later)) if later else today
        if filters.date_to is None or filters.date_to > last:
            filters = replace(filters, date_to=last)
    periods = _chart_periods(filters, step, with_time)
    names: list[tuple[int | None, str, str]] = [(row.pk, row.code, row.name) for row in shown]
    if len(leaders) > series:
        names.append((None, "", _("Other")))
    return Chart(
        step,
        stack_by,
        periods,
        [
            ChartSeries(
                code,
                name,
                [figures.get((_period_start(step, p.start), pk), 0) for p in periods],
            )
            for pk, code, name in names
        ],
    )


def _chart_periods(
    filters: ReportFilters, step: Step, with_time: list[dt.date]
) -> list[ChartPeriod]:
    """Every week or month from the report's first day to its last; without a first or last
    day, or when that is too many, from the first to the last with time."""
    first = _period_start(step, filters.date_from) if filters.date_from else None
    last = _period_start(step, filters.date_to) if filters.date_to else None
    if first is None or last is None or _count_periods(step, first, last) > CHART_MAX_PERIODS:
        if not with_time:
            return []
        first = max(first or min(with_time), min(with_time))
        last = min(last or max(with_time), max(with_time))
    periods = []
    start = first
    while start <= last:
        end = _period_end(step, start)
        first_day, last_day = _within(filters, start, end)
        whole = (first_day, last_day) == (start, end)
        periods.append(ChartPeriod(period_code(step, start), first_day, last_day, whole))
        if end == dt.date.max:
            break
        start = end + dt.timedelta(days=1)
    return periods


def _count_periods(step: Step, first: dt.date, last: dt.date) -> int:
    if step == Step.WEEK:
        return (last - first).days // 7 + 1
    return (last.year - first.year) * 12 + last.month - first.month + 1


# --- A client's statement ---------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A client's dedications over a period, to send to the client or to bill from."""

    client: Client
    date_from: dt.date | None
    date_to: dt.date | None
    entries: list[Dedication]  # oldest first
    projects: Totals  # time and count per project

    @property
    def minutes(self) -> int:
        return self.projects.minutes

    @property
    def count(self) -> int:
        return self.projects.count

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


def statement(filters: ReportFilters) -> Statement:
    """The statement of `filters.client` over the filters' dates (all its dedications when
    there are none), with its other filters applied too. InvalidInput on `client` if none."""
    if filters.client is None:
        raise InvalidInput.on("client", _("Choose the client of the statement."))
    return Statement(
        client=filters.client,
        date_from=filters.date_from,
        date_to=filters.date_to,
        entries=list(entries(filters)),
        projects=totals(filters, group_by=GroupBy.PROJECT),
    )


# --- Exports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportColumn:
    key: str  # stable, for programs (the API's CSV header)
    label: str  # for people (the pages' downloads), in the current language
    # For people, the words of the codes stored in this column (a project's kind).
    values: Any = None


def readable_rows(columns: list[ReportColumn], rows: Iterable[tuple]) -> Iterator[tuple]:
    """`rows` for people: each code of a column with `values` in words ("Commercial"), in
    the language active now (the words are read at once, not as the rows are streamed later)."""
    words = [
        {code: capfirst(str(word)) for code, word in column.values} if column.values else None
        for column in columns
    ]
    return (
        tuple(
            mapping.get(value, value) if mapping is not None else value
            for mapping, value in zip(words, row, strict=True)
        )
        for row in rows
    )


def entry_columns() -> list[ReportColumn]:
    return [
        ReportColumn("id", _("Number")),
        ReportColumn("date", _("Date")),
        ReportColumn("client", _("Client")),
        ReportColumn("client_name", _("Client name")),
        ReportColumn("project", _("Project")),
        ReportColumn("project_name", _("Project name")),
        ReportColumn("project_kind", _("Kind"), values=Project.Kind.choices),
        ReportColumn("task", _("Task number")),
        ReportColumn("task_title", _("Task")),
        ReportColumn("employee", _("Employee")),
        ReportColumn("employee_name", _("Employee name")),
        ReportColumn("minutes", _("Minutes")),
        ReportColumn("text", _("What was done")),
    ]


def entry_rows(filters: ReportFilters, *, chunk_size: int = EXPORT_CHUNK) -> Iterator[tuple]:
    """The filtered dedications as rows of entry_columns(), oldest first, read from the
    database `chunk_size` rows at a time (a server-side cursor on PostgreSQL): an export of
    any size holds one chunk in memory, never all of it."""
    rows = (
        _filtered(filters)
        .order_by("date", "id")
        .values_list(
            "id",
            "date",
            "client__code",
            "client__name",
            "project__code",
            "project__name",
            "project__kind",
            "task_id",
            "task__title",
            "employee__code",
            "employee__name",
            "minutes",
            "text",
        )
    )
    yield from rows.iterator(chunk_size=chunk_size)


def total_columns(group_by: GroupBy | str) -> list[ReportColumn]:
    group_by = GroupBy(group_by)
    if group_by.is_period:
        first = [
            ReportColumn("period", str(group_by.label)),
            ReportColumn("date_from", _("From")),
            ReportColumn("date_to", _("To")),
        ]
    else:
        first = [ReportColumn("code", str(group_by.label)), ReportColumn("name", _("Name"))]
    return [
        *first,
        ReportColumn("minutes", _("Minutes")),
        ReportColumn("hours", _("Hours")),
        ReportColumn("count", _("Activities")),
    ]


def total_rows(totals: Totals) -> Iterator[tuple]:
    """The rows of total_columns(totals.group_by)."""
    for row in totals.rows:
        first: tuple = (
            (row.code, row.start, row.end) if row.group_by.is_period else (row.code, row.name)
        )
        yield (*first, row.minutes, row.hours, row.count)


def chart_table(chart_: Chart) -> list[tuple[ChartPeriod, list[tuple[str, int]], int]]:
    """The chart's figures as a table: per period, each series' name and minutes, and their
    sum."""
    return [
        (
            period,
            [(series.name, series.minutes[i]) for series in chart_.series],
            sum(series.minutes[i] for series in chart_.series),
        )
        for i, period in enumerate(chart_.periods)
    ]
