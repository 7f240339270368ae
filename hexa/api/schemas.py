"""Shapes of the JSON API's requests and responses.

Objects refer to each other by code (clients, employees, projects) or id (tasks,
dedications); dates are ISO `YYYY-MM-DD`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictInt

from hexa.crm.models import Dedication, Project, Task

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    """Only `YYYY-MM-DD` strings: pydantic alone would also take numbers as timestamps."""
    if isinstance(value, dt.date) or value is None:
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Code = Annotated[str, Field(min_length=1, max_length=30)]


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


class Error(Schema):
    code: str = Field(description="Machine-readable error code")
    message: str
    fields: dict[str, list[str]] | None = None
    candidates: list[str] | None = None


# --- Employees --------------------------------------------------------------------------------


class EmployeeIn(Schema):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: str = ""


class EmployeeOut(Schema):
    code: str
    name: str
    email: str
    active: bool


# --- Clients ----------------------------------------------------------------------------------


class ClientIn(Schema):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""


class ClientPatch(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    tax_id: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None
    active: bool | None = Field(None, description="false archives the client, true restores it")


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


class ProjectIn(Schema):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    client: Code
    kind: ProjectKind = Project.Kind.COMMERCIAL.value
    status: ProjectStatus = Project.Status.ACTIVE.value


class ProjectPatch(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    kind: ProjectKind | None = None
    status: ProjectStatus | None = Field(None, description="closed closes it, active reopens it")


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


class TaskIn(Schema):
    project: Code
    title: Annotated[str, Field(min_length=1, max_length=200)]
    kind: TaskKind = Task.Kind.TASK.value
    status: TaskStatus = Task.Status.PENDING.value
    next_follow_up: IsoDate | None = None


class TaskPatch(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    kind: TaskKind | None = None
    status: TaskStatus | None = None
    next_follow_up: IsoDate | None = Field(None, description="null clears it")


class TaskOut(Schema):
    id: int
    project: str
    title: str
    kind: TaskKind
    status: TaskStatus
    next_follow_up: dt.date | None
    created_at: dt.datetime

    @staticmethod
    def resolve_project(task: Task) -> str:
        return task.project.code


# --- Dedications ------------------------------------------------------------------------------


class DedicationIn(Schema):
    project: Code
    task: StrictInt | None = None
    employee: Code | None = Field(None, description="defaults to the token user's employee")
    date: IsoDate | None = Field(None, description="defaults to today")
    text: str
    minutes: Minutes | None = None


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


# --- Quick log --------------------------------------------------------------------------------


class QuickLogIn(Schema):
    text: str
    employee: Code | None = Field(None, description="defaults to the token user's employee")
    date: IsoDate | None = Field(None, description="defaults to today")
    next_follow_up: IsoDate | None = Field(
        None, description="absent leaves the task's date as it is; null clears it"
    )
    minutes: Minutes | None = None
    project: Code | None = Field(
        None, description="required when the client has several active projects"
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


class QuickLogProject(Schema):
    code: str
    created: bool


class QuickLogTask(Schema):
    id: int
    title: str
    created: bool
    next_follow_up: dt.date | None


class QuickLogOut(Schema):
    dedication: QuickLogDedication
    project: QuickLogProject
    task: QuickLogTask
