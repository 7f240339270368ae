"""Shapes of the JSON API's requests and responses.

Objects refer to each other by code (clients, employees, projects) or id (tasks,
dedications); dates are ISO `YYYY-MM-DD`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from hexa.crm.models import (
    CLIENT_CODE_MAX,
    PROJECT_CODE_MAX,
    TEXT_MAX,
    Dedication,
    Employee,
    Project,
    Task,
)
from hexa.crm.services.agenda import group_of
from hexa.crm.services.dedications import HistoryEntry
from hexa.crm.services.reports import Total
from hexa.lib.text import is_unicode

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: Any) -> Any:
    """Only `YYYY-MM-DD` strings: pydantic alone would also take numbers as timestamps."""
    if isinstance(value, dt.date) or value is None:
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text, and no one types it: refuse it on the field.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    # JSON may escape half of a UTF-16 pair ("\ud800"): no database can store it.
    if not is_unicode(value):
        raise ValueError("must be valid Unicode: it has a lone surrogate (such as \\ud800)")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[str, AfterValidator(_no_nul)]
# Codes as the domain takes them (hexa.crm.services.codes.check_code): letters, digits and
# . _ -, starting with a letter or digit; lower case is read as upper case, spaces around
# are ignored. Clients and employees have at most 20 characters, projects 30.
_CODE = r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*$"
Code = Annotated[Text, Field(min_length=1, max_length=PROJECT_CODE_MAX, pattern=_CODE)]
ShortCode = Annotated[Text, Field(min_length=1, max_length=CLIENT_CODE_MAX, pattern=_CODE)]
Name = Annotated[Text, Field(min_length=1, max_length=200)]
# Ids fit the database's 64-bit integers; a bigger number is a 422, not an overflow. In a
# JSON body an id is a number, not a string or a boolean.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
BodyId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]


def _minutes_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("write minutes as a whole number (90) or like 1h30, 1:30 or 1.5h")
    return value


# Minutes as a number (90) or as a person writes them ("1h30", "1:30", "1.5h").
Minutes = Annotated[
    StrictInt | Annotated[str, Field(max_length=20)], BeforeValidator(_minutes_value)
]

ProjectKind = Literal["production", "commercial"]
ProjectStatus = Literal["active", "closed"]
TaskKind = Literal["task", "incident"]
TaskStatus = Literal["pending", "done"]
Priority = Literal["low", "normal", "high", "urgent"]
Channel = Literal["phone", "email", "visit", "web"]
AgendaGroup = Literal["overdue", "today", "week", "later"]
ReportedBy = Annotated[Text, Field(max_length=200)]
LongText = Annotated[Text, Field(max_length=TEXT_MAX)]
# Rescheduling "n days later": up to ten years, so that the date stays a date.
Days = Annotated[StrictInt, Field(ge=1, le=3660)]


class Error(Schema):
    code: str = Field(description="Machine-readable error code")
    message: str
    fields: dict[str, list[str]] | None = None
    candidates: list[str] | None = Field(
        None, description="ambiguous_project: the client's active projects to choose from"
    )
    pending: int | None = Field(
        None, description="pending_tasks: how many pending tasks the project has"
    )
    client: str | None = Field(None, description="timer_running: the client whose timer is running")
    minutes: int | None = Field(
        None, description="timer_over_limit: the minutes the timer ran, to confirm or correct"
    )
    limit_hours: int | None = Field(
        None, description="timer_over_limit: the limit (HEXA_TIMER_LIMIT_HOURS)"
    )


class Input(Schema):
    """A request body: a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Employees --------------------------------------------------------------------------------


class EmployeeIn(Input):
    code: ShortCode
    name: Name
    email: Text = ""
    user: Text | None = Field(None, description="username of the login to link")


# PATCH bodies: an absent field is left as it is. `null` is taken only where the field says
# what it means ("null clears it"); elsewhere the type is not Optional (the default None only
# stands for "absent"), so that the schema and the answer agree that null is refused.
# Booleans are JSON true or false: 0, 1 or "false" are refused, not guessed.

ABSENT: Any = None
"""The default of a PATCH field whose type is not Optional: None, standing for "not sent" (a
sent null is refused), typed Any so that the field keeps its type for everyone else."""


class EmployeePatch(Input):
    name: Name = ABSENT
    email: Text = ABSENT
    active: StrictBool = Field(ABSENT, description="false deactivates the employee")
    user: Text | None = Field(None, description="username of the login to link; null unlinks")


class EmployeeOut(Schema):
    code: str
    name: str
    email: str
    active: bool
    user: str | None

    @staticmethod
    def resolve_user(employee: Employee) -> str | None:
        return employee.user.get_username() if employee.user else None


# --- Clients ----------------------------------------------------------------------------------


class ClientIn(Input):
    code: ShortCode
    name: Name
    tax_id: Text = ""
    email: Text = ""
    phone: Text = ""
    notes: Text = ""


class ClientPatch(Input):
    name: Name = ABSENT
    tax_id: Text = ABSENT
    email: Text = ABSENT
    phone: Text = ABSENT
    notes: Text = ABSENT
    active: StrictBool = Field(ABSENT, description="false archives the client, true restores it")


class ClientOut(Schema):
    code: str
    name: str
    tax_id: str
    email: str
    phone: str
    notes: str
    active: bool
    created_at: dt.datetime


# --- Projects ---------------------------------------------------------------------------------


class ProjectIn(Input):
    code: Code
    name: Name
    client: Code
    kind: ProjectKind = Project.Kind.COMMERCIAL.value  # type: ignore[assignment]  # .value: str to mypy
    status: ProjectStatus = Project.Status.ACTIVE.value  # type: ignore[assignment]  # .value: str to mypy


class ProjectPatch(Input):
    name: Name = ABSENT
    kind: ProjectKind = ABSENT
    status: ProjectStatus = Field(ABSENT, description="closed closes it, active reopens it")
    confirm: StrictBool = Field(
        False,
        description="close it even with pending tasks (otherwise 409 pending_tasks)",
    )


class ProjectOut(Schema):
    code: str
    name: str
    client: str
    kind: ProjectKind
    status: ProjectStatus
    created_at: dt.datetime

    @staticmethod
    def resolve_client(project: Project) -> str:
        return project.client.code


# --- Tasks ------------------------------------------------------------------------------------


class TaskFields(Input):
    """What a new task or incident may say, wherever it is created."""

    title: Name
    kind: TaskKind = Task.Kind.TASK.value  # type: ignore[assignment]  # .value: str to mypy
    status: TaskStatus = Task.Status.PENDING.value  # type: ignore[assignment]  # .value: str to mypy
    next_follow_up: IsoDate | None = None
    assigned_to: Code | None = Field(None, description="code of the employee who takes it")
    priority: Priority = Task.Priority.NORMAL.value  # type: ignore[assignment]  # .value: str to mypy
    reported_by: ReportedBy = Field("", description="incidents: who at the client reported it")
    reported_via: Channel | None = Field(None, description="incidents: how it was reported")
    description: LongText = ""


class TaskIn(TaskFields):
    project: Code


class ClientTaskIn(TaskFields):
    project: Code | None = Field(
        None,
        description="one of the client's active projects; by default the one the quick log "
        "would use (created if the client has none)",
    )


class TaskPatch(Input):
    title: Name = ABSENT
    kind: TaskKind = ABSENT
    status: TaskStatus = Field(ABSENT, description="done completes it, pending reopens it")
    next_follow_up: IsoDate | None = Field(None, description="null clears it")
    assigned_to: Code | None = Field(None, description="employee code; null unassigns it")
    priority: Priority = ABSENT
    reported_by: ReportedBy | None = Field(None, description="null clears it")
    reported_via: Channel | None = Field(None, description="null clears it")
    description: LongText | None = Field(None, description="null clears it")


class RescheduleIn(Input):
    """Exactly one of the two."""

    days: Days | None = Field(
        None,
        description="this many days after the current follow-up (after today if that is past)",
    )
    date: IsoDate | None = Field(None, description="this date")


class TaskOut(Schema):
    id: int
    project: str
    client: str
    title: str
    kind: TaskKind
    status: TaskStatus
    next_follow_up: dt.date | None
    assigned_to: str | None
    priority: Priority
    reported_by: str
    reported_via: Channel | None
    description: str
    created_at: dt.datetime
    completed_at: dt.datetime | None

    @staticmethod
    def resolve_project(task: Task) -> str:
        return task.project.code

    @staticmethod
    def resolve_client(task: Task) -> str:
        return task.project.client.code

    @staticmethod
    def resolve_assigned_to(task: Task) -> str | None:
        return task.assigned_to.code if task.assigned_to else None

    @staticmethod
    def resolve_reported_via(task: Task) -> str | None:
        return task.reported_via or None


class ProjectUsed(Schema):
    """The project a task or a quick log went on, and whether it was created for it."""

    code: str
    created: bool


class ClientTaskOut(Schema):
    task: TaskOut
    project: ProjectUsed


# --- Dedications ------------------------------------------------------------------------------


class DedicationIn(Input):
    # `task` comes first so that `project`'s check sees it.
    task: BodyId | None = Field(None, description="one of the project's tasks or incidents")
    project: Code | None = Field(
        None, validate_default=True, description="required unless `task` is given"
    )
    employee: Code | None = Field(None, description="defaults to the token user's employee")
    date: IsoDate | None = Field(None, description="defaults to today")
    text: Text
    minutes: Minutes | None = None

    @field_validator("project")
    @classmethod
    def _project_or_task(cls, project: str | None, info: ValidationInfo) -> str | None:
        # A `task` that failed its own check is not in info.data: its error says enough.
        if project is None and "task" in info.data and info.data["task"] is None:
            raise ValueError("give the project, or one of its tasks")
        return project


class DedicationPatch(Input):
    employee: Code = Field(ABSENT, description="employee code")
    date: IsoDate = Field(ABSENT, description="not in the future")
    text: Text = ABSENT
    minutes: Minutes | None = Field(None, description="null clears it")
    task: BodyId | None = Field(None, description="a task of the same project; null: none")


class DedicationOut(Schema):
    id: int
    client: str
    project: str
    task: int | None
    employee: str
    date: dt.date
    minutes: int | None
    text: str
    recorded_by: str | None
    recorded_at: dt.datetime
    via: str
    updated_by: str | None = Field(description="who last changed it")
    updated_at: dt.datetime | None

    @staticmethod
    def resolve_client(dedication: Dedication) -> str:
        return dedication.client.code

    @staticmethod
    def resolve_project(dedication: Dedication) -> str:
        return dedication.project.code

    @staticmethod
    def resolve_task(dedication: Dedication) -> int | None:
        return dedication.task_id

    @staticmethod
    def resolve_employee(dedication: Dedication) -> str:
        return dedication.employee.code

    @staticmethod
    def resolve_recorded_by(dedication: Dedication) -> str | None:
        return dedication.recorded_by.get_username() if dedication.recorded_by else None

    @staticmethod
    def resolve_updated_by(dedication: Dedication) -> str | None:
        return dedication.updated_by.get_username() if dedication.updated_by else None


class FieldChangeOut(Schema):
    field: Literal[
        "client", "project", "task", "employee", "date", "text", "minutes", "recorded_by"
    ] = Field(description="client, project and employee by code, task by id")
    before: str | int | None = Field(description="dates as YYYY-MM-DD, minutes as a number")
    after: str | int | None = Field(description="null also when the dedication was deleted")


class DedicationChangeOut(Schema):
    id: int
    action: Literal["changed", "deleted"]
    changed_by: str | None = Field(description="user name; null: Hexa itself, or a removed user")
    changed_at: dt.datetime
    fields: list[FieldChangeOut] = Field(
        description="the fields that changed; for a delete, every field as it was"
    )

    @staticmethod
    def resolve_id(entry: HistoryEntry) -> int:
        return entry.change.pk

    @staticmethod
    def resolve_action(entry: HistoryEntry) -> str:
        return entry.change.action

    @staticmethod
    def resolve_changed_by(entry: HistoryEntry) -> str | None:
        user = entry.change.changed_by
        return user.get_username() if user else None

    @staticmethod
    def resolve_changed_at(entry: HistoryEntry) -> dt.datetime:
        return entry.change.changed_at

    @staticmethod
    def resolve_fields(entry: HistoryEntry) -> list[dict[str, Any]]:
        return [vars(change) for change in entry.fields]


# --- Quick log --------------------------------------------------------------------------------


class QuickLogIn(Input):
    text: Text
    employee: Code | None = Field(None, description="defaults to the token user's employee")
    date: IsoDate | None = Field(None, description="defaults to today")
    next_follow_up: IsoDate | None = Field(
        None, description="absent leaves the task's date as it is; null clears it"
    )
    minutes: Minutes | None = None
    project: Code | None = Field(
        None, description="required when the client has several active projects"
    )
    task: BodyId | None = Field(
        None,
        description="a pending task or incident of the client to follow up, instead of the "
        "most recent task of its project",
    )


class QuickLogDedication(Schema):
    id: int
    client: str
    project: str
    task: int
    employee: str
    date: dt.date
    minutes: int | None
    text: str


class QuickLogTask(Schema):
    id: int
    title: str
    created: bool
    next_follow_up: dt.date | None


class QuickLogOut(Schema):
    dedication: QuickLogDedication
    project: ProjectUsed
    task: QuickLogTask


# --- Agenda -----------------------------------------------------------------------------------


class AgendaRow(Schema):
    """A pending follow-up: a task or incident of an active project of an active client."""

    task: int
    title: str
    kind: TaskKind
    priority: Priority
    client: str
    client_name: str
    project: str
    next_follow_up: dt.date
    assigned_to: str | None
    group: AgendaGroup = Field(
        description="overdue (before today), today, week (the next 7 days) or later"
    )

    @staticmethod
    def resolve_task(task: Task) -> int:
        return task.pk

    @staticmethod
    def resolve_client(task: Task) -> str:
        return task.project.client.code

    @staticmethod
    def resolve_client_name(task: Task) -> str:
        return task.project.client.name

    @staticmethod
    def resolve_project(task: Task) -> str:
        return task.project.code

    @staticmethod
    def resolve_assigned_to(task: Task) -> str | None:
        return task.assigned_to.code if task.assigned_to else None

    @staticmethod
    def resolve_group(task: Task) -> str:
        assert task.next_follow_up is not None  # a follow-up has its date
        return group_of(task.next_follow_up, timezone.localdate())


# --- Reports ----------------------------------------------------------------------------------

ReportGroup = Literal["client", "project", "employee", "week", "month"]
ReportPeriod = Literal[
    "this_week", "last_week", "this_month", "last_month", "last_3_months", "this_year", "last_year"
]


class ReportRow(Schema):
    """One group's total: a client, project or employee (`code`, `name`), or a week or month
    (`period`, and its days within the report's range)."""

    code: str | None = Field(description="the client's, project's or employee's code")
    name: str | None
    period: str | None = Field(description="2026-W05 (an ISO week) or 2026-02 (a month)")
    date_from: dt.date | None = Field(description="the period's first day in the report")
    date_to: dt.date | None = Field(description="the period's last day in the report")
    minutes: int = Field(description="time recorded (dedications without minutes add none)")
    count: int = Field(description="number of dedications")

    @staticmethod
    def resolve_code(total: Total) -> str | None:
        return None if total.group_by.is_period else total.code

    @staticmethod
    def resolve_name(total: Total) -> str | None:
        return None if total.group_by.is_period else total.name

    @staticmethod
    def resolve_period(total: Total) -> str | None:
        return total.code if total.group_by.is_period else None

    @staticmethod
    def resolve_date_from(total: Total) -> dt.date | None:
        return total.start

    @staticmethod
    def resolve_date_to(total: Total) -> dt.date | None:
        return total.end


# A page of a report's rows: at most this many (a report by client can have one row per
# client, 100,000 of them).
REPORT_PAGE = 100
REPORT_PAGE_MAX = 1000
ReportLimit = Annotated[int, Field(ge=1, le=REPORT_PAGE_MAX)]
ReportOffset = Annotated[int, Field(ge=0, le=2**31 - 1)]


class ReportOut(Schema):
    group_by: ReportGroup
    date_from: dt.date | None = Field(description="the report's first day; null: no limit")
    date_to: dt.date | None = Field(description="the report's last day; null: no limit")
    minutes: int = Field(description="time of all the rows, those of every page")
    count: int = Field(description="dedications of all the rows, those of every page")
    groups: int = Field(description="number of rows of the report, those of every page")
    offset: int = Field(description="rows of the report before those of this page")
    limit: int = Field(description="most rows a page has")
    next: str | None = Field(
        description="the address of the next page (the same request with `offset` moved on); "
        "null on the last page"
    )
    rows: list[ReportRow] = Field(description="this page's rows")
