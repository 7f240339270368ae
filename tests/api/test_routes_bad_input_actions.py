"""Bad input on the task and dedication actions: incidents, a client's tasks, reschedule,
a dedication's get, change and delete, employees' changes, each refused without a token too.
Every refusal must be JSON `{code, message, fields?}` and leave the database as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hexa.crm.models import (
    Employee,
)
from tests import factories
from tests.api.conftest import assert_json_error
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


# --- Bad input on the new endpoints -------------------------------------------------------------


@pytest.fixture
def world(api, acme, website):
    """ACME with WEB (and a closed SHUT), archived OLD with its LEGACY project, BETA with
    two active projects (none with its code), an inactive employee, a task, a dedication."""
    factories.project(acme, "SHUT", status="closed")
    old = factories.client("OLD", active=False)
    factories.project(old, "LEGACY")
    beta = factories.client("BETA")
    factories.project(beta, "BETA-1")
    factories.project(beta, "BETA-2")
    factories.employee("GONE", active=False)
    task = factories.task(website, "Call back", next_follow_up=dt.date(2035, 1, 1))
    other = factories.task(factories.project(beta, "BETA-3"), "Elsewhere")
    done = factories.task(factories.project(acme, "DONE", status="closed"), "Old", status="done")
    made = factories.dedication(task, Employee.objects.get(code="ANA"), date=dt.date(2024, 5, 6))
    return {"task": task.pk, "other_task": other.pk, "done": done.pk, "dedication": made.pk}


FUTURE = "2999-01-01"
BAD_DATES = [
    ("day-first", "06/05/2024"),
    ("not-padded", "2024-5-6"),
    ("impossible-day", "2024-02-30"),
    ("words", "tomorrow"),
    ("timestamp", 1700000000),
    ("datetime", "2024-05-06T10:00:00"),
    ("empty", ""),
    ("null", None),
]


def case(case_id: str, method: str, path: str, body: Any, expect: str):
    """`expect`: "422 field", "404 not_found", "409 code", "400 bad_request"."""
    status, *rest = expect.split()
    if status == "422":
        code, field = "validation_error", (rest[0] if rest else None)
    else:
        code, field = rest[0], None
    return pytest.param(method, path, body, int(status), code, field, id=case_id)


NEW_TASK = {"project": "WEB", "title": "New"}
CLIENT_TASK = {"title": "New"}

BAD_REQUESTS = [
    # POST /tasks: the new fields
    case(
        "task-priority-unknown", "post", "/tasks", {**NEW_TASK, "priority": "asap"}, "422 priority"
    ),
    case("task-priority-null", "post", "/tasks", {**NEW_TASK, "priority": None}, "422 priority"),
    case("task-priority-caps", "post", "/tasks", {**NEW_TASK, "priority": "HIGH"}, "422 priority"),
    case(
        "task-via-unknown",
        "post",
        "/tasks",
        {**NEW_TASK, "reported_via": "fax"},
        "422 reported_via",
    ),
    case("task-via-number", "post", "/tasks", {**NEW_TASK, "reported_via": 1}, "422 reported_via"),
    case(
        "task-by-long", "post", "/tasks", {**NEW_TASK, "reported_by": "x" * 201}, "422 reported_by"
    ),
    case("task-by-nul", "post", "/tasks", {**NEW_TASK, "reported_by": "a\x00"}, "422 reported_by"),
    case("task-by-list", "post", "/tasks", {**NEW_TASK, "reported_by": ["x"]}, "422 reported_by"),
    case(
        "task-desc-long",
        "post",
        "/tasks",
        {**NEW_TASK, "description": "x" * 10_001},
        "422 description",
    ),
    case("task-desc-nul", "post", "/tasks", {**NEW_TASK, "description": "\x00"}, "422 description"),
    case(
        "task-assignee-unknown",
        "post",
        "/tasks",
        {**NEW_TASK, "assigned_to": "NOBODY"},
        "422 assigned_to",
    ),
    case(
        "task-assignee-inactive",
        "post",
        "/tasks",
        {**NEW_TASK, "assigned_to": "gone"},
        "422 assigned_to",
    ),
    case(
        "task-assignee-empty", "post", "/tasks", {**NEW_TASK, "assigned_to": ""}, "422 assigned_to"
    ),
    case(
        "task-assignee-number", "post", "/tasks", {**NEW_TASK, "assigned_to": 7}, "422 assigned_to"
    ),
    case(
        "task-assignee-nul",
        "post",
        "/tasks",
        {**NEW_TASK, "assigned_to": "A\x00"},
        "422 assigned_to",
    ),
    case("task-misspelt-field", "post", "/tasks", {**NEW_TASK, "priorty": "high"}, "422 priorty"),
    # POST /clients/{code}/tasks
    case("client-task-unknown-client", "post", "/clients/NOPE/tasks", CLIENT_TASK, "404 not_found"),
    case(
        "client-task-archived-client",
        "post",
        "/clients/OLD/tasks",
        CLIENT_TASK,
        "409 client_archived",
    ),
    case(
        "client-task-ambiguous", "post", "/clients/BETA/tasks", CLIENT_TASK, "409 ambiguous_project"
    ),
    case("client-task-no-title", "post", "/clients/ACME/tasks", {}, "422 title"),
    case("client-task-blank-title", "post", "/clients/ACME/tasks", {"title": "  "}, "422 title"),
    case(
        "client-task-long-title", "post", "/clients/ACME/tasks", {"title": "x" * 201}, "422 title"
    ),
    case(
        "client-task-kind",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "kind": "bug"},
        "422 kind",
    ),
    case(
        "client-task-priority",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "priority": "asap"},
        "422 priority",
    ),
    case(
        "client-task-via",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "reported_via": "fax"},
        "422 reported_via",
    ),
    case(
        "client-task-date",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "next_follow_up": "2024-13-01"},
        "422 next_follow_up",
    ),
    case(
        "client-task-assignee",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "assigned_to": "NOBODY"},
        "422 assigned_to",
    ),
    case(
        "client-task-project-unknown",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "project": "NOPE"},
        "422 project",
    ),
    case(
        "client-task-project-of-another-client",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "project": "BETA-1"},
        "422 project",
    ),
    case(
        "client-task-project-closed",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "project": "SHUT"},
        "422 project",
    ),
    case(
        "client-task-project-empty",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "project": ""},
        "422 project",
    ),
    case(
        "client-task-project-of-archived",
        "post",
        "/clients/OLD/tasks",
        {**CLIENT_TASK, "project": "LEGACY"},
        "409 client_archived",
    ),
    case("client-task-array-body", "post", "/clients/ACME/tasks", "[]", "400 bad_request"),
    case("client-task-malformed", "post", "/clients/ACME/tasks", "{", "400 bad_request"),
    case(
        "client-task-misspelt",
        "post",
        "/clients/ACME/tasks",
        {**CLIENT_TASK, "titel": "x"},
        "422 titel",
    ),
    # PATCH /tasks/{id}: the new fields
    case("patch-task-priority-null", "patch", "/tasks/{task}", {"priority": None}, "422 priority"),
    case(
        "patch-task-priority-unknown",
        "patch",
        "/tasks/{task}",
        {"priority": "asap"},
        "422 priority",
    ),
    case(
        "patch-task-via-unknown",
        "patch",
        "/tasks/{task}",
        {"reported_via": "fax"},
        "422 reported_via",
    ),
    case(
        "patch-task-by-long",
        "patch",
        "/tasks/{task}",
        {"reported_by": "x" * 201},
        "422 reported_by",
    ),
    case(
        "patch-task-assignee-unknown",
        "patch",
        "/tasks/{task}",
        {"assigned_to": "NOBODY"},
        "422 assigned_to",
    ),
    case(
        "patch-task-assignee-inactive",
        "patch",
        "/tasks/{task}",
        {"assigned_to": "GONE"},
        "422 assigned_to",
    ),
    case(
        "patch-task-assignee-empty",
        "patch",
        "/tasks/{task}",
        {"assigned_to": ""},
        "422 assigned_to",
    ),
    case(
        "patch-task-reopen-closed-project",
        "patch",
        "/tasks/{done}",
        {"status": "pending"},
        "409 project_closed",
    ),
    case("patch-task-misspelt", "patch", "/tasks/{task}", {"asigned_to": "ANA"}, "422 asigned_to"),
    # POST /tasks/{id}/reschedule
    case("reschedule-nothing", "post", "/tasks/{task}/reschedule", {}, "422 days"),
    case(
        "reschedule-both",
        "post",
        "/tasks/{task}/reschedule",
        {"days": 1, "date": "2035-01-01"},
        "422 date",
    ),
    case(
        "reschedule-nulls",
        "post",
        "/tasks/{task}/reschedule",
        {"days": None, "date": None},
        "422 days",
    ),
    case("reschedule-days-zero", "post", "/tasks/{task}/reschedule", {"days": 0}, "422 days"),
    case("reschedule-days-negative", "post", "/tasks/{task}/reschedule", {"days": -1}, "422 days"),
    case("reschedule-days-huge", "post", "/tasks/{task}/reschedule", {"days": 10**9}, "422 days"),
    case(
        "reschedule-days-beyond-64-bits",
        "post",
        "/tasks/{task}/reschedule",
        {"days": 2**64},
        "422 days",
    ),
    case("reschedule-days-text", "post", "/tasks/{task}/reschedule", {"days": "1"}, "422 days"),
    case("reschedule-days-decimal", "post", "/tasks/{task}/reschedule", {"days": 1.5}, "422 days"),
    case("reschedule-days-boolean", "post", "/tasks/{task}/reschedule", {"days": True}, "422 days"),
    *[
        case(
            f"reschedule-date-{label}",
            "post",
            "/tasks/{task}/reschedule",
            {"date": value},
            "422 date",
        )
        for label, value in BAD_DATES
        if value is not None
    ],
    case("reschedule-misspelt", "post", "/tasks/{task}/reschedule", {"day": 1}, "422 day"),
    case(
        "reschedule-unknown-task",
        "post",
        "/tasks/999999999/reschedule",
        {"days": 1},
        "404 not_found",
    ),
    case("reschedule-task-word", "post", "/tasks/abc/reschedule", {"days": 1}, "422 task_id"),
    case("reschedule-array-body", "post", "/tasks/{task}/reschedule", "[]", "400 bad_request"),
    case("reschedule-malformed", "post", "/tasks/{task}/reschedule", "{", "400 bad_request"),
    # GET /tasks: the new filters
    case("tasks-kind-unknown", "get", "/tasks?kind=bug", None, "422 kind"),
    case("tasks-assignee-nul", "get", "/tasks?assigned_to=A%00", None, "422 assigned_to"),
    case("tasks-client-nul", "get", "/tasks?client=A%00", None, "422 client"),
    # POST /dedications on a task alone
    case(
        "dedication-task-unknown",
        "post",
        "/dedications",
        {"task": 999999999, "text": "x"},
        "422 task",
    ),
    case("dedication-task-text", "post", "/dedications", {"task": "1", "text": "x"}, "422 task"),
    case(
        "dedication-task-of-closed",
        "post",
        "/dedications",
        {"task": Ellipsis, "text": "x"},
        "409 project_closed",
    ),
    case(
        "dedication-project-null",
        "post",
        "/dedications",
        {"project": None, "text": "x"},
        "422 project",
    ),
    # GET, PATCH and DELETE /dedications/{id}
    case("dedication-get-unknown", "get", "/dedications/999999999", None, "404 not_found"),
    case("dedication-get-word", "get", "/dedications/abc", None, "422 dedication_id"),
    case("dedication-get-zero", "get", "/dedications/0", None, "422 dedication_id"),
    case("dedication-get-huge", "get", f"/dedications/{2**64}", None, "422 dedication_id"),
    case(
        "dedication-patch-unknown",
        "patch",
        "/dedications/999999999",
        {"text": "x"},
        "404 not_found",
    ),
    case("dedication-delete-unknown", "delete", "/dedications/999999999", None, "404 not_found"),
    case("dedication-delete-word", "delete", "/dedications/abc", None, "422 dedication_id"),
    case(
        "dedication-patch-text-empty",
        "patch",
        "/dedications/{dedication}",
        {"text": ""},
        "422 text",
    ),
    case(
        "dedication-patch-text-blank",
        "patch",
        "/dedications/{dedication}",
        {"text": " \n "},
        "422 text",
    ),
    case(
        "dedication-patch-text-null",
        "patch",
        "/dedications/{dedication}",
        {"text": None},
        "422 text",
    ),
    case(
        "dedication-patch-text-long",
        "patch",
        "/dedications/{dedication}",
        {"text": "x" * 10_001},
        "422 text",
    ),
    case(
        "dedication-patch-text-nul",
        "patch",
        "/dedications/{dedication}",
        {"text": "a\x00b"},
        "422 text",
    ),
    case(
        "dedication-patch-date-future",
        "patch",
        "/dedications/{dedication}",
        {"date": FUTURE},
        "422 date",
    ),
    *[
        case(
            f"dedication-patch-date-{label}",
            "patch",
            "/dedications/{dedication}",
            {"date": value},
            "422 date",
        )
        for label, value in BAD_DATES
    ],
    case(
        "dedication-patch-employee-unknown",
        "patch",
        "/dedications/{dedication}",
        {"employee": "NOBODY"},
        "422 employee",
    ),
    case(
        "dedication-patch-employee-inactive",
        "patch",
        "/dedications/{dedication}",
        {"employee": "GONE"},
        "422 employee",
    ),
    case(
        "dedication-patch-employee-null",
        "patch",
        "/dedications/{dedication}",
        {"employee": None},
        "422 employee",
    ),
    case(
        "dedication-patch-employee-empty",
        "patch",
        "/dedications/{dedication}",
        {"employee": ""},
        "422 employee",
    ),
    case(
        "dedication-patch-minutes-negative",
        "patch",
        "/dedications/{dedication}",
        {"minutes": -1},
        "422 minutes",
    ),
    case(
        "dedication-patch-minutes-over-a-day",
        "patch",
        "/dedications/{dedication}",
        {"minutes": 1441},
        "422 minutes",
    ),
    case(
        "dedication-patch-minutes-word",
        "patch",
        "/dedications/{dedication}",
        {"minutes": "lots"},
        "422 minutes",
    ),
    case(
        "dedication-patch-minutes-decimal",
        "patch",
        "/dedications/{dedication}",
        {"minutes": 1.5},
        "422 minutes",
    ),
    case(
        "dedication-patch-minutes-boolean",
        "patch",
        "/dedications/{dedication}",
        {"minutes": True},
        "422 minutes",
    ),
    case(
        "dedication-patch-task-unknown",
        "patch",
        "/dedications/{dedication}",
        {"task": 999999999},
        "422 task",
    ),
    case(
        "dedication-patch-task-other-project",
        "patch",
        "/dedications/{dedication}",
        {"task": Ellipsis},
        "422 task",
    ),
    case(
        "dedication-patch-task-text",
        "patch",
        "/dedications/{dedication}",
        {"task": "1"},
        "422 task",
    ),
    case(
        "dedication-patch-project",
        "patch",
        "/dedications/{dedication}",
        {"project": "BETA-1"},
        "422 project",
    ),
    case(
        "dedication-patch-client",
        "patch",
        "/dedications/{dedication}",
        {"client": "BETA"},
        "422 client",
    ),
    case(
        "dedication-patch-several",
        "patch",
        "/dedications/{dedication}",
        {"text": "", "minutes": 5000, "date": FUTURE},
        "422 text",
    ),
    case(
        "dedication-patch-array-body", "patch", "/dedications/{dedication}", "[]", "400 bad_request"
    ),
    case(
        "dedication-patch-malformed", "patch", "/dedications/{dedication}", "{", "400 bad_request"
    ),
    # PATCH /projects/{code}: confirm must be a boolean
    case(
        "project-confirm-null",
        "patch",
        "/projects/WEB",
        {"status": "closed", "confirm": None},
        "422 confirm",
    ),
    case(
        "project-confirm-word",
        "patch",
        "/projects/WEB",
        {"status": "closed", "confirm": "maybe"},
        "422 confirm",
    ),
    # Employees: a manager's bad input
    case(
        "employee-user-unknown",
        "post",
        "/employees",
        {"code": "BOB", "name": "Bob", "user": "nobody"},
        "422 user",
    ),
    case(
        "employee-user-number",
        "post",
        "/employees",
        {"code": "BOB", "name": "Bob", "user": 5},
        "422 user",
    ),
    case("employee-user-taken", "patch", "/employees/GONE", {"user": "ana"}, "409 already_exists"),
]


def _fill(value: Any, refs: dict[str, int], *, ellipsis: int) -> Any:
    if value is Ellipsis:
        return ellipsis
    if isinstance(value, dict):
        return {key: _fill(item, refs, ellipsis=ellipsis) for key, item in value.items()}
    if isinstance(value, str) and "{" in value and "}" in value and value.startswith("/"):
        return value.format(**refs)
    return value


@pytest.mark.parametrize(("method", "path", "body", "status", "code", "field"), BAD_REQUESTS)
def test_bad_request_answers_a_json_error_and_writes_nothing(
    api, world, request, method, path, body, status, code, field
):
    # `...` in a body stands for a task of another project (a closed one for POST).
    case_id = request.node.callspec.id
    ellipsis = world["done"] if case_id == "dedication-task-of-closed" else world["other_task"]
    path = _fill(path, world, ellipsis=ellipsis)
    body = _fill(body, world, ellipsis=ellipsis)
    before = every_row()

    response = api.get(path) if method == "get" else api.request(method, path, body)

    body = assert_json_error(response, status, code, field)
    assert every_row() == before
    if code == "validation_error" and case_id == "dedication-patch-several":
        assert {"text", "minutes", "date"} <= set(body["fields"])


def test_closing_with_pending_tasks_error_is_documented(api):
    schema = api.get("/openapi.json").json()
    error = schema["components"]["schemas"]["Error"]["properties"]

    assert {"code", "message", "fields", "candidates", "pending"} <= set(error)


# --- Without a token ----------------------------------------------------------------------------

NEW_ENDPOINTS = [
    ("post", "/clients/ACME/tasks", {"title": "x"}),
    ("post", "/tasks/{task}/reschedule", {"days": 1}),
    ("get", "/dedications/{dedication}", None),
    ("patch", "/dedications/{dedication}", {"text": "x"}),
    ("delete", "/dedications/{dedication}", None),
    ("post", "/employees", {"code": "BOB", "name": "Bob"}),
    ("patch", "/employees/ANA", {"name": "x"}),
    ("get", "/tasks?kind=incident", None),
]


@pytest.mark.parametrize(("method", "path", "body"), NEW_ENDPOINTS)
def test_new_endpoints_refuse_a_request_without_a_token(anonymous, world, method, path, body):
    before = every_row()

    response = anonymous.request(method, _fill(path, world, ellipsis=0), body)

    assert_json_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"
    assert every_row() == before
