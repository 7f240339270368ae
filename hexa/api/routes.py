"""The API's endpoints. Each one parses, calls the domain, and renders.

No `from __future__ import annotations` here: django-ninja reads these signatures at run
time, in its own module, where postponed annotations would not resolve.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Header, Router, Status
from ninja.pagination import paginate

from hexa.api.parsing import Pages
from hexa.api.schemas import (
    ClientIn,
    ClientOut,
    ClientPatch,
    DedicationIn,
    DedicationOut,
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
    TaskIn,
    TaskOut,
    TaskPatch,
    TaskStatus,
    Text,
)
from hexa.crm import services
from hexa.crm.errors import InvalidInput, NotFound
from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.services import queries

router = Router()

ERRORS: dict[int, Any] = {400: Error, 401: Error, 404: Error, 409: Error, 422: Error}


def _employee(request: HttpRequest, code: str | None) -> Employee | None:
    """The named employee, or the one linked to the token's user."""
    if code:
        return services.employee_by_code(code)
    return Employee.objects.filter(user=request.auth).first()  # type: ignore[attr-defined]


# --- Employees --------------------------------------------------------------------------------


@router.post("/employees", response={201: EmployeeOut, **ERRORS}, tags=["employees"])
def create_employee(request: HttpRequest, payload: EmployeeIn) -> Status[Employee]:
    return Status(201, services.create_employee(**payload.dict(), by=request.auth))


@router.get("/employees", response={200: list[EmployeeOut], **ERRORS}, tags=["employees"])
@paginate(Pages)
def list_employees(request: HttpRequest, active: bool | None = None) -> QuerySet[Employee]:
    return queries.list_employees(active=active)


@router.get("/employees/{code}", response={200: EmployeeOut, **ERRORS}, tags=["employees"])
def get_employee(request: HttpRequest, code: str) -> Employee:
    return services.employee_by_code(code, field=None)


@router.patch("/employees/{code}", response={200: EmployeeOut, **ERRORS}, tags=["employees"])
def update_employee(request: HttpRequest, code: str, payload: EmployeePatch) -> Employee:
    employee = services.employee_by_code(code, field=None)
    changes = payload.dict(exclude_unset=True)
    if "user" in changes:
        changes["user"] = services.user_by_username(changes["user"]) if changes["user"] else None
    return services.update_employee(employee, by=request.auth, **changes)


# --- Clients ----------------------------------------------------------------------------------


@router.post("/clients", response={201: ClientOut, **ERRORS}, tags=["clients"])
def create_client(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    return Status(201, services.create_client(**payload.dict()))


@router.get("/clients", response={200: list[ClientOut], **ERRORS}, tags=["clients"])
@paginate(Pages)
def list_clients(
    request: HttpRequest, q: Text = "", include_archived: bool = False
) -> QuerySet[Client]:
    return queries.search_clients(q, include_archived=include_archived)


@router.get("/clients/{code}", response={200: ClientOut, **ERRORS}, tags=["clients"])
def get_client(request: HttpRequest, code: str) -> Client:
    return services.client_by_code(code)


@router.patch("/clients/{code}", response={200: ClientOut, **ERRORS}, tags=["clients"])
def update_client(request: HttpRequest, code: str, payload: ClientPatch) -> Client:
    client = services.client_by_code(code)
    return services.update_client(client, **payload.dict(exclude_unset=True))


@router.post(
    "/clients/{code}/quick-log",
    response={201: QuickLogOut, **ERRORS},
    tags=["quick log"],
    summary="Record a dedication on a client, finding or creating its project and task",
)
def quick_log(
    request: HttpRequest,
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
    given = payload.model_fields_set
    result = services.quick_log(
        client=client,
        employee=_employee(request, payload.employee),
        text=payload.text,
        date=payload.date,
        next_follow_up=payload.next_follow_up if "next_follow_up" in given else services.UNCHANGED,
        minutes=services.minutes_from(payload.minutes),
        project=services.project_by_code(payload.project) if payload.project else None,
        recorded_by=request.auth,  # type: ignore[attr-defined]
        via=Dedication.Via.API,
        idempotency_key=idempotency_key or None,
    )
    return Status(201, result.as_dict())


# --- Projects ---------------------------------------------------------------------------------


@router.post("/projects", response={201: ProjectOut, **ERRORS}, tags=["projects"])
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[Project]:
    data = payload.dict()
    try:
        data["client"] = services.client_by_code(data["client"])
    except NotFound as error:
        raise InvalidInput.on("client", error.message) from None
    return Status(201, services.create_project(**data))


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, tags=["projects"])
@paginate(Pages)
def list_projects(
    request: HttpRequest,
    client: Text | None = None,
    status: ProjectStatus | None = None,
    kind: ProjectKind | None = None,
) -> QuerySet[Project]:
    return queries.list_projects(client=client, status=status, kind=kind)


@router.get("/projects/{code}", response={200: ProjectOut, **ERRORS}, tags=["projects"])
def get_project(request: HttpRequest, code: str) -> Project:
    return services.project_by_code(code, field=None)


@router.patch("/projects/{code}", response={200: ProjectOut, **ERRORS}, tags=["projects"])
def update_project(request: HttpRequest, code: str, payload: ProjectPatch) -> Project:
    project = services.project_by_code(code, field=None)
    return services.update_project(project, **payload.dict(exclude_unset=True))


# --- Tasks ------------------------------------------------------------------------------------


@router.post("/tasks", response={201: TaskOut, **ERRORS}, tags=["tasks"])
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Task]:
    data = payload.dict()
    data["project"] = services.project_by_code(data["project"])
    return Status(201, services.create_task(**data))


@router.get("/tasks", response={200: list[TaskOut], **ERRORS}, tags=["tasks"])
@paginate(Pages)
def list_tasks(
    request: HttpRequest, project: Text | None = None, status: TaskStatus | None = None
) -> QuerySet[Task]:
    return queries.list_tasks(project=project, status=status)


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, tags=["tasks"])
def get_task(request: HttpRequest, task_id: Id) -> Task:
    return services.task_by_id(task_id, field=None)


@router.patch("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, tags=["tasks"])
def update_task(request: HttpRequest, task_id: Id, payload: TaskPatch) -> Task:
    task = services.task_by_id(task_id, field=None)
    return services.update_task(task, **payload.dict(exclude_unset=True))


# --- Dedications ------------------------------------------------------------------------------


@router.post("/dedications", response={201: DedicationOut, **ERRORS}, tags=["dedications"])
def create_dedication(request: HttpRequest, payload: DedicationIn) -> Status[Dedication]:
    project = services.project_by_code(payload.project)
    return Status(
        201,
        services.record_dedication(
            project=project,
            task=services.task_by_id(payload.task) if payload.task is not None else None,
            employee=_employee(request, payload.employee),
            text=payload.text,
            date=payload.date,
            minutes=services.minutes_from(payload.minutes),
            recorded_by=request.auth,  # type: ignore[attr-defined]
            via=Dedication.Via.API,
        ),
    )


@router.get("/dedications", response={200: list[DedicationOut], **ERRORS}, tags=["dedications"])
@paginate(Pages)
def list_dedications(
    request: HttpRequest,
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
    )
