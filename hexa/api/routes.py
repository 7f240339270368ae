"""The API's endpoints. Each one parses, calls the domain, and renders.

No `from __future__ import annotations` here: django-ninja reads these signatures at run
time, in its own module, where postponed annotations would not resolve.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from ninja import Header, Router, Status
from ninja.pagination import paginate

from hexa.api.auth import ApiRequest
from hexa.api.parsing import AgendaPages, Pages
from hexa.api.schemas import (
    REPORT_PAGE,
    REPORT_PAGE_MAX,
    AgendaRow,
    ClientIn,
    ClientOut,
    ClientPatch,
    ClientTaskIn,
    ClientTaskOut,
    DedicationChangeOut,
    DedicationIn,
    DedicationOut,
    DedicationPatch,
    EmployeeIn,
    EmployeeOut,
    EmployeePatch,
    Error,
    Id,
    IsoDate,
    ProjectIn,
    ProjectKind,
    ProjectOut,
    ProjectPatch,
    ProjectStatus,
    QuickLogIn,
    QuickLogOut,
    ReportGroup,
    ReportLimit,
    ReportOffset,
    ReportOut,
    ReportPeriod,
    RescheduleIn,
    TaskFields,
    TaskIn,
    TaskKind,
    TaskOut,
    TaskPatch,
    TaskStatus,
    Text,
)
from hexa.crm import services
from hexa.crm.errors import InvalidInput, NotFound
from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.services import agenda, queries, reports
from hexa.crm.services.dedications import HistoryEntry
from hexa.crm.services.permissions import require_dedication_change, require_manager
from hexa.lib.exports import PROGRAMS, csv_response

router = Router()

ERRORS: dict[int, Any] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    409: Error,
    422: Error,
    429: Error,  # too_many_attempts: sign-in protection (hexa.api.auth)
}


def _employee(request: ApiRequest, code: str | None) -> Employee | None:
    """The named employee, or the one linked to the token's user."""
    if code:
        return services.employee_by_code(code)
    return services.employee_of(request.auth)


# --- Employees --------------------------------------------------------------------------------


def _login_user(username: str | None) -> Any:
    """The login user with this username (422 on `user` if none), or None."""
    return services.user_by_username(username) if username else None


@router.post(
    "/employees",
    response={201: EmployeeOut, **ERRORS},
    tags=["employees"],
    summary="Create an employee (managers only)",
)
def create_employee(request: ApiRequest, payload: EmployeeIn) -> Status[Employee]:
    require_manager(request.auth)  # before looking anything up for someone who may not
    data = payload.dict()
    data["user"] = _login_user(data["user"])
    return Status(201, services.create_employee(**data, by=request.auth))


@router.get("/employees", response={200: list[EmployeeOut], **ERRORS}, tags=["employees"])
@paginate(Pages)
def list_employees(request: ApiRequest, active: bool | None = None) -> QuerySet[Employee]:
    return queries.list_employees(active=active)


@router.get("/employees/{code}", response={200: EmployeeOut, **ERRORS}, tags=["employees"])
def get_employee(request: ApiRequest, code: str) -> Employee:
    return services.employee_by_code(code, field=None)


@router.patch(
    "/employees/{code}",
    response={200: EmployeeOut, **ERRORS},
    tags=["employees"],
    summary="Change, deactivate, restore or link an employee to a login (managers only)",
)
def update_employee(request: ApiRequest, code: str, payload: EmployeePatch) -> Employee:
    require_manager(request.auth)
    employee = services.employee_by_code(code, field=None)
    changes = payload.dict(exclude_unset=True)
    if "user" in changes:
        changes["user"] = _login_user(changes["user"])
    return services.update_employee(employee, by=request.auth, **changes)


# --- Clients ----------------------------------------------------------------------------------


@router.post("/clients", response={201: ClientOut, **ERRORS}, tags=["clients"])
def create_client(request: ApiRequest, payload: ClientIn) -> Status[Client]:
    return Status(201, services.create_client(**payload.dict()))


@router.get("/clients", response={200: list[ClientOut], **ERRORS}, tags=["clients"])
@paginate(Pages)
def list_clients(
    request: ApiRequest, q: Text = "", include_archived: bool = False
) -> QuerySet[Client]:
    return queries.search_clients(q, include_archived=include_archived)


@router.get("/clients/{code}", response={200: ClientOut, **ERRORS}, tags=["clients"])
def get_client(request: ApiRequest, code: str) -> Client:
    return services.client_by_code(code)


@router.patch("/clients/{code}", response={200: ClientOut, **ERRORS}, tags=["clients"])
def update_client(request: ApiRequest, code: str, payload: ClientPatch) -> Client:
    client = services.client_by_code(code)
    return services.update_client(client, **payload.dict(exclude_unset=True))


@router.post(
    "/clients/{code}/quick-log",
    response={201: QuickLogOut, **ERRORS},
    tags=["quick log"],
    summary="Record a dedication on a client, finding or creating its project and task",
)
def quick_log(
    request: ApiRequest,
    code: str,
    payload: QuickLogIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="A retry with the same key and body returns the first response",
    ),
) -> Status[dict[str, Any]]:
    client = services.client_by_code(code)
    result = services.quick_log(
        client=client,
        **quick_log_arguments(request, payload),
        minutes=services.minutes_from(payload.minutes),
        idempotency_key=idempotency_key or None,
    )
    return Status(201, result.as_dict())


def quick_log_arguments(request: ApiRequest, payload: QuickLogIn) -> dict[str, Any]:
    """The quick log's arguments from a body, but the client, the minutes and the key (the
    timer's stop fills the minutes in: hexa.api.timer)."""
    given = payload.model_fields_set
    return {
        "employee": _employee(request, payload.employee),
        "text": payload.text,
        "date": payload.date,
        "next_follow_up": (
            payload.next_follow_up if "next_follow_up" in given else services.UNCHANGED
        ),
        "project": services.project_by_code(payload.project) if payload.project else None,
        "task": services.task_by_id(payload.task) if payload.task is not None else None,
        "recorded_by": request.auth,
        "via": Dedication.Via.API,
    }


@router.post(
    "/clients/{code}/tasks",
    response={201: ClientTaskOut, **ERRORS},
    tags=["tasks"],
    summary="Create a task or incident for a client, on the project the quick log would use",
)
def create_client_task(
    request: ApiRequest, code: str, payload: ClientTaskIn
) -> Status[dict[str, Any]]:
    client = services.client_by_code(code)
    data = _task_fields(payload)
    project = payload.project
    task, created = services.create_client_task(
        client=client,
        project=services.project_by_code(project) if project else None,
        **data,
    )
    return Status(201, {"task": task, "project": {"code": task.project.code, "created": created}})


# --- Projects ---------------------------------------------------------------------------------


@router.post("/projects", response={201: ProjectOut, **ERRORS}, tags=["projects"])
def create_project(request: ApiRequest, payload: ProjectIn) -> Status[Project]:
    data = payload.dict()
    try:
        data["client"] = services.client_by_code(data["client"])
    except NotFound as error:
        raise InvalidInput.on("client", error.message) from None
    return Status(201, services.create_project(**data))


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, tags=["projects"])
@paginate(Pages)
def list_projects(
    request: ApiRequest,
    client: Text | None = None,
    status: ProjectStatus | None = None,
    kind: ProjectKind | None = None,
) -> QuerySet[Project]:
    return queries.list_projects(client=client, status=status, kind=kind)


@router.get("/projects/{code}", response={200: ProjectOut, **ERRORS}, tags=["projects"])
def get_project(request: ApiRequest, code: str) -> Project:
    return services.project_by_code(code, field=None)


@router.patch("/projects/{code}", response={200: ProjectOut, **ERRORS}, tags=["projects"])
def update_project(request: ApiRequest, code: str, payload: ProjectPatch) -> Project:
    """Closing a project with pending tasks answers 409 `pending_tasks` with `pending`, their
    number, unless `confirm` is true."""
    project = services.project_by_code(code, field=None)
    return services.update_project(project, **payload.dict(exclude_unset=True))


# --- Tasks ------------------------------------------------------------------------------------


def _assignee(code: str | None) -> Employee | None:
    return services.employee_by_code(code, field="assigned_to") if code else None


def _task_fields(payload: TaskFields) -> dict[str, Any]:
    """A new task's fields as the domain takes them."""
    data = payload.dict(exclude={"project"})
    data["assigned_to"] = _assignee(data["assigned_to"])
    data["reported_via"] = data["reported_via"] or ""
    return data


@router.post("/tasks", response={201: TaskOut, **ERRORS}, tags=["tasks"])
def create_task(request: ApiRequest, payload: TaskIn) -> Status[Task]:
    project = services.project_by_code(payload.project)
    return Status(201, services.create_task(project=project, **_task_fields(payload)))


@router.get("/tasks", response={200: list[TaskOut], **ERRORS}, tags=["tasks"])
@paginate(Pages)
def list_tasks(
    request: ApiRequest,
    project: Text | None = None,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    client: Text | None = None,
    assigned_to: Text | None = None,
) -> QuerySet[Task]:
    employee = None
    if assigned_to:
        employee = Employee.objects.filter(code=services.normalize_code(assigned_to)).first()
        if employee is None:
            # An unknown employee has no tasks, as an unknown project or client has none.
            return Task.objects.none()
    return queries.list_tasks(
        project=project, status=status, kind=kind, client=client, assigned_to=employee
    )


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, tags=["tasks"])
def get_task(request: ApiRequest, task_id: Id) -> Task:
    return services.task_by_id(task_id, field=None)


@router.patch(
    "/tasks/{task_id}",
    response={200: TaskOut, **ERRORS},
    tags=["tasks"],
    summary="Edit, complete (status done), reopen (status pending) or assign a task",
)
def update_task(request: ApiRequest, task_id: Id, payload: TaskPatch) -> Task:
    task = services.task_by_id(task_id, field=None)
    changes = payload.dict(exclude_unset=True)
    if "assigned_to" in changes:
        changes["assigned_to"] = _assignee(changes["assigned_to"])
    return services.update_task(task, **changes)


@router.post(
    "/tasks/{task_id}/reschedule",
    response={200: TaskOut, **ERRORS},
    tags=["tasks"],
    summary="Move a task's next follow-up some days later, or to a date",
)
def reschedule_task(request: ApiRequest, task_id: Id, payload: RescheduleIn) -> Task:
    task = services.task_by_id(task_id, field=None)
    try:
        return services.reschedule_task(task, days=payload.days, to=payload.date)
    except InvalidInput as error:
        # The domain speaks of the task's `next_follow_up`; this request named it `date` or
        # `days` (both when it gave neither or both).
        given = [name for name in ("days", "date") if getattr(payload, name) is not None]
        named = given if len(given) == 1 else ["days", "date"]
        fields: dict[str, list[str]] = {}
        for name, messages in error.fields.items():
            for renamed in named if name == "next_follow_up" else [name]:
                fields[renamed] = messages
        raise InvalidInput(fields) from None


# --- Dedications ------------------------------------------------------------------------------


@router.post(
    "/dedications",
    response={201: DedicationOut, **ERRORS},
    tags=["dedications"],
    summary="Record a dedication on a project, or on one of its tasks or incidents",
)
def create_dedication(request: ApiRequest, payload: DedicationIn) -> Status[Dedication]:
    task = services.task_by_id(payload.task) if payload.task is not None else None
    if payload.project:
        project = services.project_by_code(payload.project)
    else:
        assert task is not None  # DedicationIn wants one of them
        project = task.project
    return Status(
        201,
        services.record_dedication(
            project=project,
            task=task,
            employee=_employee(request, payload.employee),
            text=payload.text,
            date=payload.date,
            minutes=services.minutes_from(payload.minutes),
            recorded_by=request.auth,
            via=Dedication.Via.API,
        ),
    )


@router.get("/dedications", response={200: list[DedicationOut], **ERRORS}, tags=["dedications"])
@paginate(Pages)
def list_dedications(
    request: ApiRequest,
    client: Text | None = None,
    project: Text | None = None,
    task: Id | None = None,
    employee: Text | None = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
) -> QuerySet[Dedication]:
    return queries.list_dedications(
        client=client,
        project=project,
        task=task,
        employee=employee,
        date_from=date_from,
        date_to=date_to,
    ).select_related("updated_by")


@router.get(
    "/dedications/{dedication_id}",
    response={200: DedicationOut, **ERRORS},
    tags=["dedications"],
)
def get_dedication(request: ApiRequest, dedication_id: Id) -> Dedication:
    return services.dedication_by_id(dedication_id)


@router.get(
    "/dedications/{dedication_id}/history",
    response={200: list[DedicationChangeOut], **ERRORS},
    tags=["dedications"],
    summary="Who changed or deleted a dedication, when, and each field before and after",
)
def dedication_history(request: ApiRequest, dedication_id: Id) -> list[HistoryEntry]:
    """Oldest first; each change's `before` is the previous one's `after`. Whoever may read
    the dedication may read its history, which outlives it: a deleted dedication's history
    ends with the delete. 404 when there is no such dedication and never was."""
    return services.dedication_history(dedication_id)


@router.patch(
    "/dedications/{dedication_id}",
    response={200: DedicationOut, **ERRORS},
    tags=["dedications"],
    summary="Change a dedication (managers, whoever recorded it, and its employee's user)",
)
def update_dedication(
    request: ApiRequest, dedication_id: Id, payload: DedicationPatch
) -> Dedication:
    dedication = services.dedication_by_id(dedication_id)
    require_dedication_change(request.auth, dedication)  # before looking anything up
    changes = payload.dict(exclude_unset=True)
    if "employee" in changes:
        changes["employee"] = services.employee_by_code(changes["employee"])
    if "minutes" in changes:
        changes["minutes"] = services.minutes_from(changes["minutes"])
    if changes.get("task") is not None:
        changes["task"] = services.task_by_id(changes["task"])
    return services.change_dedication(dedication, by=request.auth, **changes)


@router.delete(
    "/dedications/{dedication_id}",
    response={204: None, **ERRORS},
    tags=["dedications"],
    summary="Delete a dedication (managers, whoever recorded it, and its employee's user)",
)
def delete_dedication(request: ApiRequest, dedication_id: Id) -> Status[None]:
    services.delete_dedication(services.dedication_by_id(dedication_id), by=request.auth)
    return Status(204, None)


# --- Agenda -----------------------------------------------------------------------------------


@router.get(
    "/agenda",
    response={200: list[AgendaRow], **ERRORS},
    tags=["agenda"],
    summary="Pending follow-ups, soonest first (overdue included)",
)
@paginate(AgendaPages)
def list_agenda(
    request: ApiRequest,
    employee: Text | None = None,
    date_to: IsoDate | None = None,
) -> QuerySet[Task]:
    """Everyone's follow-ups, or an `employee`'s: assigned to them, or unassigned on a client
    whose latest dedication is theirs. `date_to` keeps those due up to that day."""
    return agenda.follow_ups(
        employee=services.employee_by_code(employee) if employee else None, date_to=date_to
    )


# --- Reports ----------------------------------------------------------------------------------

_REPORT_FILTERS = (
    "`period` (this_week, last_week, this_month, last_month, last_3_months, this_year, "
    "last_year: whole weeks, Monday to Sunday, and whole months and years, the current one "
    "included, in the server's time zone) or `date_from`/`date_to` (inclusive; neither: all "
    "time); `client`, `project` and `employee` by code; `kind` of project."
)


def _report_filters(
    period: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    client: str | None,
    project: str | None,
    employee: str | None,
    kind: str | None,
) -> reports.ReportFilters:
    return reports.report_filters(
        today=timezone.localdate(),
        period=period,
        date_from=date_from,
        date_to=date_to,
        client=client,
        project=project,
        employee=employee,
        kind=kind,
    )


@router.get(
    "/reports/dedications",
    response={200: ReportOut, **ERRORS},
    tags=["reports"],
    summary="Time and number of dedications per client, project, employee, week or month",
    description=f"Filters: {_REPORT_FILTERS} Clients, projects and employees come most time "
    "first; weeks and months in order. Groups without dedications are left out. The rows come "
    f"in pages of `limit` (default {REPORT_PAGE}, at most {REPORT_PAGE_MAX}) from the "
    "`offset`-th on: `groups` says how many rows the report has, `next` is the address of "
    "the next page (null on the last), and `minutes` and `count` are those of all the rows, "
    "whatever the page. The CSV below has every row in one file.",
)
def report_dedications(
    request: ApiRequest,
    group_by: ReportGroup = "client",
    period: ReportPeriod | None = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    client: Text | None = None,
    project: Text | None = None,
    employee: Text | None = None,
    kind: ProjectKind | None = None,
    limit: ReportLimit = REPORT_PAGE,
    offset: ReportOffset = 0,
) -> dict[str, Any]:
    filters = _report_filters(period, date_from, date_to, client, project, employee, kind)
    totals = reports.totals(filters, group_by=group_by, limit=limit, offset=offset)
    following = None
    if totals.more:
        query = request.GET.copy()
        query["offset"] = str(offset + len(totals.rows))
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "group_by": totals.group_by.value,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "minutes": totals.minutes,
        "count": totals.count,
        "groups": totals.groups,
        "offset": offset,
        "limit": limit,
        "next": following,
        "rows": totals.rows,
    }


@router.get(
    "/reports/dedications.csv",
    response={200: None, **ERRORS},
    tags=["reports"],
    summary="The filtered dedications, or with `group_by` their totals, as CSV",
    description=f"Filters: {_REPORT_FILTERS} The file is streamed as it is read, so it may be "
    "of any size. Without `group_by`, one row per dedication, oldest first; with it, the "
    "rows of GET /reports/dedications. The CSV is for programs, the same whatever the "
    "language of the request: UTF-8 without a byte order mark, `,` between cells, a header "
    "row of column keys (`id`, `date`, `client`, ..., `hours`), dates as YYYY-MM-DD, hours "
    "with a decimal point (`1.50`), and codes as stored (`project_kind` is `production` or "
    "`commercial`). The web pages' downloads are for spreadsheets instead, in the user's "
    "language (in Spanish: `;` between cells, decimal commas, translated headers and kinds).",
    openapi_extra={
        "responses": {
            200: {
                "description": "CSV for programs: UTF-8, `,` between cells, decimal "
                "points, ISO dates, codes, a header row of column keys",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_dedications(
    request: ApiRequest,
    group_by: ReportGroup | None = None,
    period: ReportPeriod | None = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    client: Text | None = None,
    project: Text | None = None,
    employee: Text | None = None,
    kind: ProjectKind | None = None,
) -> StreamingHttpResponse:
    filters = _report_filters(period, date_from, date_to, client, project, employee, kind)
    if group_by:
        columns = reports.total_columns(group_by)
        rows = reports.total_rows(reports.totals(filters, group_by=group_by))
        name = f"totals-{group_by}.csv"
    else:
        columns = reports.entry_columns()
        rows = reports.entry_rows(filters)
        name = "dedications.csv"
    # Column keys, not the labels people read: programs rely on them.
    return csv_response([column.key for column in columns], rows, filename=name, style=PROGRAMS)
