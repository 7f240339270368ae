"""The API's fuller management, as a client program sees it: tasks and incidents (for a project
or for a client), completing, reopening, assigning and rescheduling them; dedications on
existing work, changed and deleted with a kept trail and by whom the rules allow; closing
projects with pending tasks; managing employees (managers only).

Every refusal must be JSON `{code, message, fields?}` and leave the database as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.api.models import ApiToken
from hexa.crm import services
from hexa.crm.errors import InvalidInput
from hexa.crm.models import (
    Client,
    Dedication,
    DedicationChange,
    Employee,
    IdempotencyKey,
    Project,
    Task,
)
from tests import factories
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db

# --- Helpers ------------------------------------------------------------------------------------

MODELS = (Client, Employee, Project, Task, Dedication, DedicationChange, IdempotencyKey)


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every Hexa table: equal before and after means nothing was written."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def assert_error(response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str), body
    assert body["message"].strip(), body
    if status == 422:
        assert body["fields"], body
        for messages in body["fields"].values():
            assert messages, body
            assert all(isinstance(m, str) and m.strip() for m in messages), body
    if field is not None:
        assert field in body["fields"], body
    return body


def assert_instant(text: str | None, value: dt.datetime | None) -> None:
    """The API writes datetimes to the millisecond."""
    assert text is not None
    assert value is not None
    assert abs(dt.datetime.fromisoformat(text) - value) < dt.timedelta(milliseconds=1)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture(scope="module")
def _handler() -> ClientHandler:
    # One handler (one middleware load) for the module: a new one costs ~80 ms.
    return ClientHandler()


@pytest.fixture
def api(api, _handler) -> Api:
    """Ana, a manager, employee ANA (tests/api/conftest.py)."""
    api.http.handler = _handler
    return api


@pytest.fixture
def anonymous(anonymous, _handler) -> Api:
    anonymous.http.handler = _handler
    return anonymous


@pytest.fixture
def as_user(_handler):
    """An API client acting as `user`."""

    def make(user: AbstractUser) -> Api:
        client = Api(ApiToken.objects.issue(user=user)[1])
        client.http.handler = _handler
        return client

    return make


@pytest.fixture
def acme(db) -> Client:
    return factories.client("ACME", name="Acme S.L.")


@pytest.fixture
def web(acme) -> Project:
    return factories.project(acme, "WEB", name="Website")


@pytest.fixture
def luis(db) -> Employee:
    """An active employee with no login."""
    return factories.employee("LUIS", name="Luis")


def task_body(task: Task, **overrides: Any) -> dict[str, Any]:
    """TaskOut for `task` as it is in the database."""
    task.refresh_from_db()
    body = {
        "id": task.pk,
        "project": task.project.code,
        "client": task.project.client.code,
        "title": task.title,
        "kind": task.kind,
        "status": task.status,
        "next_follow_up": task.next_follow_up.isoformat() if task.next_follow_up else None,
        "assigned_to": task.assigned_to.code if task.assigned_to else None,
        "priority": task.priority,
        "reported_by": task.reported_by,
        "reported_via": task.reported_via or None,
        "description": task.description,
        "created_at": None,
        "completed_at": None,
    }
    return {**body, **overrides}


def same_task(response_body: dict[str, Any], task: Task) -> None:
    """The body is TaskOut of the task as stored, timestamps to the millisecond."""
    expected = task_body(task)
    assert {k: v for k, v in response_body.items() if not k.endswith("_at")} == {
        k: v for k, v in expected.items() if not k.endswith("_at")
    }
    assert_instant(response_body["created_at"], task.created_at)
    if task.completed_at is None:
        assert response_body["completed_at"] is None
    else:
        assert_instant(response_body["completed_at"], task.completed_at)


# --- Tasks and incidents for a project ----------------------------------------------------------


def test_create_incident_with_priority_reporter_channel_description_and_assignee(api, web, luis):
    response = api.post(
        "/tasks",
        {
            "project": "web",
            "title": " The form loses orders ",
            "kind": "incident",
            "priority": "urgent",
            "reported_by": " Marta (shop) ",
            "reported_via": "phone",
            "description": " Since Monday, orders over 100 EUR vanish. ",
            "assigned_to": "luis",
            "next_follow_up": "2035-03-04",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert body == {
        "id": task.pk,
        "project": "WEB",
        "client": "ACME",
        "title": "The form loses orders",
        "kind": "incident",
        "status": "pending",
        "next_follow_up": "2035-03-04",
        "assigned_to": "LUIS",
        "priority": "urgent",
        "reported_by": "Marta (shop)",
        "reported_via": "phone",
        "description": "Since Monday, orders over 100 EUR vanish.",
        "created_at": body["created_at"],
        "completed_at": None,
    }
    assert (
        task.project,
        task.kind,
        task.assigned_to,
        task.priority,
        task.reported_by,
        task.reported_via,
        task.description,
        task.completed_at,
    ) == (
        web,
        "incident",
        luis,
        "urgent",
        "Marta (shop)",
        "phone",
        "Since Monday, orders over 100 EUR vanish.",
        None,
    )


def test_create_task_defaults_to_normal_priority_unassigned_and_no_reporter(api, web):
    response = api.post("/tasks", {"project": "WEB", "title": "Quote"})

    assert response.status_code == 201, response.content
    task = Task.objects.get()
    same_task(response.json(), task)
    assert (task.priority, task.assigned_to, task.reported_by, task.reported_via) == (
        "normal",
        None,
        "",
        "",
    )
    assert response.json()["reported_via"] is None


def test_create_task_already_done_records_when(api, web):
    before = timezone.now()

    response = api.post(
        "/tasks", {"project": "WEB", "title": "Done on the phone", "status": "done"}
    )

    assert response.status_code == 201, response.content
    task = Task.objects.get()
    assert task.status == "done"
    assert before <= task.completed_at <= timezone.now()
    same_task(response.json(), task)


# --- Tasks and incidents for a client -----------------------------------------------------------


def test_client_task_creates_the_clients_project_when_it_has_none(api, acme):
    response = api.post(
        "/clients/acme/tasks", {"title": "Printer jammed", "kind": "incident", "priority": "high"}
    )

    assert response.status_code == 201, response.content
    project = Project.objects.get()
    task = Task.objects.get()
    assert response.json()["project"] == {"code": "ACME", "created": True}
    same_task(response.json()["task"], task)
    assert (project.code, project.client, project.kind, project.status, project.name) == (
        "ACME",
        acme,
        "commercial",
        "active",
        "Acme S.L.",
    )
    assert (task.project, task.kind, task.priority) == (project, "incident", "high")


def test_client_task_uses_the_only_active_project(api, acme, web):
    factories.project(acme, "OLD", status="closed")

    response = api.post("/clients/ACME/tasks", {"title": "Call back"})

    assert response.status_code == 201, response.content
    assert response.json()["project"] == {"code": "WEB", "created": False}
    assert Task.objects.get().project == web
    assert Project.objects.count() == 2


def test_client_task_among_several_projects_uses_the_one_with_the_clients_code(api, acme, web):
    own = factories.project(acme, "ACME")

    response = api.post("/clients/ACME/tasks", {"title": "Call back"})

    assert response.json()["project"] == {"code": "ACME", "created": False}
    assert Task.objects.get().project == own


def test_client_task_among_several_projects_without_its_code_asks_to_choose(api, acme, web):
    factories.project(acme, "SHOP")
    before = db_state()

    response = api.post("/clients/ACME/tasks", {"title": "Call back"})

    body = assert_error(response, 409, "ambiguous_project")
    assert body["candidates"] == ["SHOP", "WEB"]
    assert db_state() == before


def test_client_task_on_a_chosen_project(api, acme, web):
    shop = factories.project(acme, "SHOP")

    response = api.post(
        "/clients/ACME/tasks", {"title": "Send catalogue", "project": "shop", "assigned_to": "ANA"}
    )

    assert response.status_code == 201, response.content
    assert response.json()["project"] == {"code": "SHOP", "created": False}
    task = Task.objects.get()
    assert (task.project, task.assigned_to.code) == (shop, "ANA")
    assert response.json()["task"]["assigned_to"] == "ANA"


def test_client_task_that_fails_does_not_leave_a_new_project_behind(api, acme):
    # The project is created and the task then refused (inactive assignee): all or nothing.
    factories.employee("GONE", active=False)
    before = db_state()

    response = api.post("/clients/ACME/tasks", {"title": "Call", "assigned_to": "GONE"})

    assert_error(response, 422, "validation_error", "assigned_to")
    assert db_state() == before


# --- Editing, completing, reopening, assigning ------------------------------------------------


def test_patch_task_assigns_it_and_edits_the_incident_fields(api, web, luis):
    task = factories.task(web, "Broken form", kind="incident")

    response = api.patch(
        f"/tasks/{task.pk}",
        {
            "assigned_to": "luis",
            "priority": "low",
            "reported_by": "Marta",
            "reported_via": "email",
            "description": "See the attached screenshot.",
        },
    )

    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert (
        task.assigned_to,
        task.priority,
        task.reported_by,
        task.reported_via,
        task.description,
    ) == (luis, "low", "Marta", "email", "See the attached screenshot.")
    same_task(response.json(), task)


def test_patch_task_null_unassigns_and_clears_the_reporter(api, web, luis):
    task = factories.task(web, "Broken form", kind="incident")
    Task.objects.filter(pk=task.pk).update(
        assigned_to=luis, reported_by="Marta", reported_via="web", description="Details"
    )

    response = api.patch(
        f"/tasks/{task.pk}",
        {"assigned_to": None, "reported_by": None, "reported_via": None, "description": None},
    )

    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert (task.assigned_to, task.reported_by, task.reported_via, task.description) == (
        None,
        "",
        "",
        "",
    )
    assert (response.json()["assigned_to"], response.json()["reported_via"]) == (None, None)


def test_patch_task_leaves_what_is_not_given(api, web, luis):
    task = factories.task(web, "Broken form", kind="incident")
    Task.objects.filter(pk=task.pk).update(assigned_to=luis, priority="high", reported_by="Marta")

    response = api.patch(f"/tasks/{task.pk}", {"title": "Broken order form"})

    task.refresh_from_db()
    assert (task.title, task.assigned_to, task.priority, task.reported_by) == (
        "Broken order form",
        luis,
        "high",
        "Marta",
    )
    same_task(response.json(), task)


def test_complete_then_reopen_a_task_records_and_clears_when_it_was_done(api, web):
    task = factories.task(web, "Call back", next_follow_up=dt.date(2035, 1, 1))
    before = timezone.now()

    done = api.patch(f"/tasks/{task.pk}", {"status": "done"})

    task.refresh_from_db()
    assert task.status == "done"
    assert before <= task.completed_at <= timezone.now()
    same_task(done.json(), task)

    reopened = api.patch(f"/tasks/{task.pk}", {"status": "pending"})

    task.refresh_from_db()
    assert (task.status, task.completed_at, task.next_follow_up) == (
        "pending",
        None,
        dt.date(2035, 1, 1),
    )
    assert reopened.json()["completed_at"] is None


def test_completing_a_done_task_again_keeps_when_it_was_done(api, web):
    task = factories.task(web, "Call back")
    api.patch(f"/tasks/{task.pk}", {"status": "done"})
    completed_at = Task.objects.get(pk=task.pk).completed_at

    response = api.patch(f"/tasks/{task.pk}", {"status": "done"})

    assert response.status_code == 200, response.content
    assert Task.objects.get(pk=task.pk).completed_at == completed_at


@pytest.mark.parametrize(
    ("setup", "code"),
    [("project-closed", "project_closed"), ("client-archived", "client_archived")],
)
def test_reopening_a_task_of_closed_work_is_refused(api, acme, web, setup, code):
    task = factories.task(web, "Finished", status="done")
    if setup == "project-closed":
        Project.objects.filter(pk=web.pk).update(status="closed")
    else:
        Client.objects.filter(pk=acme.pk).update(active=False)
    before = db_state()

    response = api.patch(f"/tasks/{task.pk}", {"status": "pending"})

    assert_error(response, 409, code)
    assert db_state() == before


# --- Rescheduling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "body", "expected"),
    [
        pytest.param(10, {"days": 1}, 11, id="a-day-after-a-future-follow-up"),
        pytest.param(10, {"days": 7}, 17, id="a-week-after-a-future-follow-up"),
        pytest.param(-5, {"days": 1}, 1, id="overdue-a-day-from-today"),
        pytest.param(-5, {"days": 7}, 7, id="overdue-a-week-from-today"),
        pytest.param(None, {"days": 7}, 7, id="unscheduled-a-week-from-today"),
        pytest.param(0, {"days": 1}, 1, id="due-today-to-tomorrow"),
        pytest.param(10, {"date": "DAY+3"}, 3, id="to-a-sooner-date"),
        pytest.param(-5, {"date": "DAY+0"}, 0, id="overdue-to-today"),
        pytest.param(None, {"date": "DAY+30"}, 30, id="unscheduled-to-a-date"),
    ],
)
def test_reschedule_moves_the_next_follow_up(api, web, today, current, body, expected):
    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    task = factories.task(
        web, "Call back", next_follow_up=None if current is None else day(current)
    )
    if "date" in body:
        body = {"date": day(int(body["date"].removeprefix("DAY"))).isoformat()}

    response = api.post(f"/tasks/{task.pk}/reschedule", body)

    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.next_follow_up == day(expected)
    same_task(response.json(), task)


def test_reschedule_refuses_a_past_date_on_the_date_field(api, web, today):
    task = factories.task(web, "Call back", next_follow_up=today)
    before = db_state()

    response = api.post(
        f"/tasks/{task.pk}/reschedule", {"date": (today - dt.timedelta(days=1)).isoformat()}
    )

    body = assert_error(response, 422, "validation_error", "date")
    assert set(body["fields"]) == {"date"}
    assert db_state() == before


def test_reschedule_refuses_a_done_task(api, web, today):
    task = factories.task(web, "Call back", status="done", next_follow_up=today)
    before = db_state()

    response = api.post(f"/tasks/{task.pk}/reschedule", {"days": 1})

    assert_error(response, 409, "task_done")
    assert db_state() == before


# --- Listing and getting tasks ------------------------------------------------------------------


@pytest.fixture
def tasks(api, acme, web, luis):
    beta = factories.client("BETA")
    beta_project = factories.project(beta, "BETA")
    made = {
        "call": factories.task(web, "Call"),
        "bug": factories.task(web, "Bug", kind="incident"),
        "luis_bug": factories.task(beta_project, "Luis's bug", kind="incident"),
        "luis_call": factories.task(beta_project, "Luis's call"),
    }
    Task.objects.filter(pk__in=[made["luis_bug"].pk, made["luis_call"].pk]).update(assigned_to=luis)
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"kind": "incident"}, ["luis_bug", "bug"], id="kind-incident"),
        pytest.param({"kind": "task"}, ["luis_call", "call"], id="kind-task"),
        pytest.param({"assigned_to": "luis"}, ["luis_call", "luis_bug"], id="assigned-to"),
        pytest.param({"assigned_to": "ANA"}, [], id="assigned-to-nobody-here"),
        pytest.param({"assigned_to": "NOBODY"}, [], id="assigned-to-unknown"),
        pytest.param({"client": "acme"}, ["bug", "call"], id="client"),
        pytest.param({"client": "NOPE"}, [], id="client-unknown"),
        pytest.param(
            {"client": "BETA", "kind": "incident", "assigned_to": "LUIS"},
            ["luis_bug"],
            id="combined",
        ),
    ],
)
def test_list_tasks_filters_by_kind_assignee_and_client(api, tasks, query, expected):
    response = api.get("/tasks", **query)

    assert ids(response) == [tasks[name].pk for name in expected]
    assert response.json()["count"] == len(expected)


def test_list_tasks_items_and_get_task_have_the_new_fields(api, tasks):
    listed = api.get("/tasks", kind="incident", client="BETA").json()["items"][0]
    got = api.get(f"/tasks/{tasks['luis_bug'].pk}").json()

    assert listed == got
    same_task(got, tasks["luis_bug"])
    assert (got["client"], got["assigned_to"], got["kind"]) == ("BETA", "LUIS", "incident")


def test_list_tasks_costs_the_same_queries_whatever_their_number(api, tasks, web, luis):
    api.get("/tasks")  # warm up
    with CaptureQueriesContext(connection) as few:
        api.get("/tasks")
    for number in range(20):
        task = factories.task(web, f"Extra {number}")
        Task.objects.filter(pk=task.pk).update(assigned_to=luis)
    with CaptureQueriesContext(connection) as many:
        response = api.get("/tasks")

    assert response.json()["count"] == 24
    assert len(many) == len(few)


# --- Dedications on existing work ---------------------------------------------------------------


def test_record_a_dedication_on_a_task_alone_takes_its_project(api, acme, web):
    incident = factories.task(web, "Broken form", kind="incident")

    response = api.post("/dedications", {"task": incident.pk, "text": "Fixed it", "minutes": 45})

    assert response.status_code == 201, response.content
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.project, dedication.task, dedication.minutes) == (
        acme,
        web,
        incident,
        45,
    )
    assert (response.json()["project"], response.json()["task"]) == ("WEB", incident.pk)


def test_record_a_dedication_needs_a_project_or_a_task(api, web):
    before = db_state()

    response = api.post("/dedications", {"text": "Worked"})

    assert_error(response, 422, "validation_error", "project")
    assert db_state() == before


def test_record_a_dedication_for_another_employee_shows_who_recorded_it(api, as_user, web):
    bob = factories.employee("BOB", name="Bob")
    luis_user = factories.user("luis")
    factories.employee("LUIS", user=luis_user)

    response = as_user(luis_user).post(
        "/dedications", {"project": "WEB", "text": "Bob's visit", "employee": "bob"}
    )

    assert response.status_code == 201, response.content
    assert (response.json()["employee"], response.json()["recorded_by"]) == ("BOB", "luis")
    dedication = Dedication.objects.get()
    assert (dedication.employee, dedication.recorded_by) == (bob, luis_user)


@pytest.fixture
def dedication(web, api_user) -> Dedication:
    """Bob's dedication on WEB's follow-up task, recorded by Rita (who is not Bob)."""
    task = factories.task(web, "Follow-up")
    bob_user = factories.user("bob")
    factories.employee("BOB", name="Bob", user=bob_user)
    rita = factories.user("rita")
    factories.employee("RITA", name="Rita", user=rita)
    return factories.dedication(
        task,
        Employee.objects.get(code="BOB"),
        date=dt.date(2024, 5, 6),
        text="Visited the client",
        minutes=60,
        recorded_by=rita,
        via="api",
    )


def snapshot(dedication: Dedication) -> dict[str, Any]:
    """What DedicationChange keeps of a dedication, written out by hand."""
    dedication = Dedication.objects.select_related(
        "client", "project", "employee", "recorded_by"
    ).get(pk=dedication.pk)
    return {
        "client": dedication.client.code,
        "project": dedication.project.code,
        "task": dedication.task_id,
        "employee": dedication.employee.code,
        "date": dedication.date.isoformat(),
        "text": dedication.text,
        "minutes": dedication.minutes,
        "recorded_by": dedication.recorded_by.username if dedication.recorded_by else None,
    }


def test_get_a_dedication_by_id(api, dedication):
    response = api.get(f"/dedications/{dedication.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "id": dedication.pk,
        "client": "ACME",
        "project": "WEB",
        "task": dedication.task_id,
        "employee": "BOB",
        "date": "2024-05-06",
        "minutes": 60,
        "text": "Visited the client",
        "recorded_by": "rita",
        "recorded_at": body["recorded_at"],
        "via": "api",
        "updated_by": None,
        "updated_at": None,
    }
    assert_instant(body["recorded_at"], dedication.recorded_at)


def test_patch_a_dedication_changes_it_and_keeps_who_when_and_what_it_said(
    api, api_user, dedication, web, today
):
    other_task = factories.task(web, "Another task")
    before = snapshot(dedication)
    start = timezone.now()

    response = api.patch(
        f"/dedications/{dedication.pk}",
        {
            "employee": "ana",
            "date": today.isoformat(),
            "text": "  Visited and phoned  ",
            "minutes": "1h30",
            "task": other_task.pk,
        },
    )

    assert response.status_code == 200, response.content
    dedication.refresh_from_db()
    assert (
        dedication.employee.code,
        dedication.date,
        dedication.text,
        dedication.minutes,
        dedication.task,
        dedication.recorded_by.username,
        dedication.updated_by,
    ) == ("ANA", today, "Visited and phoned", 90, other_task, "rita", api_user)
    assert start <= dedication.updated_at <= timezone.now()
    body = response.json()
    assert body == {
        "id": dedication.pk,
        "client": "ACME",
        "project": "WEB",
        "task": other_task.pk,
        "employee": "ANA",
        "date": today.isoformat(),
        "minutes": 90,
        "text": "Visited and phoned",
        "recorded_by": "rita",
        "recorded_at": body["recorded_at"],
        "via": "api",
        "updated_by": "ana",
        "updated_at": body["updated_at"],
    }
    assert_instant(body["updated_at"], dedication.updated_at)
    change = DedicationChange.objects.get()
    assert (
        change.dedication,
        change.dedication_number,
        change.action,
        change.changed_by,
        change.before,
        change.after,
    ) == (dedication, dedication.pk, "changed", api_user, before, snapshot(dedication))
    assert start <= change.changed_at <= timezone.now()
    assert change.after == {
        **before,
        "employee": "ANA",
        "date": today.isoformat(),
        "text": "Visited and phoned",
        "minutes": 90,
        "task": other_task.pk,
    }


def test_patch_a_dedication_null_minutes_and_task_clear_them(api, dedication):
    response = api.patch(f"/dedications/{dedication.pk}", {"minutes": None, "task": None})

    assert response.status_code == 200, response.content
    dedication.refresh_from_db()
    assert (dedication.minutes, dedication.task) == (None, None)
    assert (response.json()["minutes"], response.json()["task"]) == (None, None)
    assert DedicationChange.objects.get().after["task"] is None


def test_patch_a_dedication_without_changes_records_nothing(api, dedication):
    before = db_state()

    same = api.patch(f"/dedications/{dedication.pk}", {"text": "Visited the client"})
    empty = api.patch(f"/dedications/{dedication.pk}", {})

    assert same.status_code == empty.status_code == 200, (same.content, empty.content)
    assert same.json()["updated_by"] is None
    assert db_state() == before


def test_each_change_of_a_dedication_is_kept(api, as_user, dedication):
    rita = dedication.recorded_by
    api.patch(f"/dedications/{dedication.pk}", {"text": "First"})
    as_user(rita).patch(f"/dedications/{dedication.pk}", {"text": "Second"})

    changes = list(DedicationChange.objects.order_by("pk"))

    assert [(c.changed_by.username, c.before["text"], c.after["text"]) for c in changes] == [
        ("ana", "Visited the client", "First"),
        ("rita", "First", "Second"),
    ]
    dedication.refresh_from_db()
    assert dedication.updated_by == rita


def test_delete_a_dedication_keeps_its_last_state(api, api_user, dedication):
    api.patch(f"/dedications/{dedication.pk}", {"text": "Changed once"})
    last = snapshot(dedication)
    number = dedication.pk
    start = timezone.now()

    response = api.request("delete", f"/dedications/{number}")

    assert response.status_code == 204, response.content
    assert response.content == b""
    assert not Dedication.objects.filter(pk=number).exists()
    changed, deleted = DedicationChange.objects.order_by("pk")
    assert (changed.dedication, changed.dedication_number, changed.action) == (
        None,
        number,
        "changed",
    )
    assert (
        deleted.dedication,
        deleted.dedication_number,
        deleted.action,
        deleted.changed_by,
        deleted.before,
        deleted.after,
    ) == (None, number, "deleted", api_user, last, None)
    assert start <= deleted.changed_at <= timezone.now()
    assert_error(api.get(f"/dedications/{number}"), 404, "not_found")


# --- Who may change or delete a dedication ------------------------------------------------------


def _actor(role: str, dedication: Dedication) -> AbstractUser:
    """manager: Ana; recorder: Rita, who recorded it for Bob; owner: Bob, whose employee it
    is; other: Luis, with an employee of his own; no-employee: a login without an employee;
    superuser: an administrator outside the managers group; staff: may use the admin site, but
    is no manager."""
    if role == "manager":
        return get_user_model().objects.get(username="ana")
    if role == "recorder":
        return dedication.recorded_by
    if role == "owner":
        return dedication.employee.user
    if role == "other":
        user = factories.user("luis")
        factories.employee("LUIS", user=user)
        return user
    if role == "no-employee":
        return factories.user("guest")
    if role == "superuser":
        return factories.user("root", is_superuser=True, is_staff=True)
    if role == "staff":
        return factories.user("admin", is_staff=True)
    raise AssertionError(role)


ALLOWED = ["manager", "recorder", "owner", "superuser"]
REFUSED = ["other", "no-employee", "staff"]


@pytest.mark.parametrize("role", ALLOWED)
def test_who_may_change_a_dedication(as_user, dedication, role):
    user = _actor(role, dedication)
    before = snapshot(dedication)
    start = timezone.now()

    response = as_user(user).patch(f"/dedications/{dedication.pk}", {"text": f"By {role}"})

    assert response.status_code == 200, response.content
    dedication.refresh_from_db()
    assert (dedication.text, dedication.updated_by) == (f"By {role}", user)
    assert start <= dedication.updated_at <= timezone.now()
    assert response.json()["updated_by"] == user.username
    assert_instant(response.json()["updated_at"], dedication.updated_at)
    change = DedicationChange.objects.get()
    assert (change.dedication, change.action, change.changed_by, change.before, change.after) == (
        dedication,
        "changed",
        user,
        before,
        {**before, "text": f"By {role}"},
    )
    assert start <= change.changed_at <= timezone.now()


@pytest.mark.parametrize("role", ALLOWED)
def test_who_may_delete_a_dedication(as_user, dedication, role):
    user = _actor(role, dedication)
    number = dedication.pk
    last = snapshot(dedication)
    start = timezone.now()

    response = as_user(user).request("delete", f"/dedications/{number}")

    assert response.status_code == 204, response.content
    assert not Dedication.objects.filter(pk=number).exists()
    change = DedicationChange.objects.get()
    assert (
        change.dedication,
        change.dedication_number,
        change.action,
        change.changed_by,
        change.before,
        change.after,
    ) == (None, number, "deleted", user, last, None)
    assert start <= change.changed_at <= timezone.now()


@pytest.mark.parametrize("role", REFUSED)
@pytest.mark.parametrize(
    ("method", "body"),
    [
        pytest.param("patch", {"text": "Mine now"}, id="patch"),
        pytest.param("patch", {"employee": "NOBODY"}, id="patch-bad-input-still-403"),
        pytest.param("patch", {}, id="patch-nothing"),
        pytest.param("delete", None, id="delete"),
    ],
)
def test_who_may_not_change_or_delete_a_dedication(as_user, dedication, role, method, body):
    user = _actor(role, dedication)
    before = db_state()

    response = as_user(user).request(method, f"/dedications/{dedication.pk}", body)

    assert_error(response, 403, "forbidden")
    assert db_state() == before


def test_anyone_may_read_any_dedication(as_user, dedication):
    user = _actor("other", dedication)

    response = as_user(user).get(f"/dedications/{dedication.pk}")

    assert response.status_code == 200, response.content
    assert response.json()["employee"] == "BOB"


def test_the_owner_who_hands_a_dedication_to_someone_else_may_no_longer_change_it(
    as_user, dedication
):
    bob = as_user(dedication.employee.user)
    Dedication.objects.filter(pk=dedication.pk).update(recorded_by=None)

    handed = bob.patch(f"/dedications/{dedication.pk}", {"employee": "RITA"})
    before = db_state()
    again = bob.patch(f"/dedications/{dedication.pk}", {"text": "Back to me"})

    assert handed.status_code == 200, handed.content
    assert_error(again, 403, "forbidden")
    assert db_state() == before


# --- Projects: close (confirmed when tasks are pending), reopen ---------------------------------


def test_closing_a_project_with_pending_tasks_asks_to_confirm(api, web):
    factories.task(web, "One")
    factories.task(web, "Two", kind="incident")
    factories.task(web, "Done", status="done")
    before = db_state()

    response = api.patch("/projects/WEB", {"status": "closed"}, headers={"Accept-Language": "en"})

    body = assert_error(response, 409, "pending_tasks")
    assert body["pending"] == 2
    assert "2 pending tasks" in body["message"]
    assert db_state() == before


def test_closing_a_project_with_pending_tasks_once_confirmed(api, web):
    task = factories.task(web, "One", next_follow_up=dt.date(2035, 1, 1))

    response = api.patch("/projects/WEB", {"status": "closed", "confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    web.refresh_from_db()
    assert web.status == "closed"
    task.refresh_from_db()
    assert task.status == "pending"  # its tasks stay as they were, off the agenda


def test_closing_a_project_without_pending_tasks_needs_no_confirmation(api, web):
    factories.task(web, "Done", status="done")

    response = api.patch("/projects/WEB", {"status": "closed"})

    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=web.pk).status == "closed"


def test_renaming_a_project_with_pending_tasks_needs_no_confirmation(api, web):
    factories.task(web, "One")

    response = api.patch("/projects/WEB", {"name": "New website"})

    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=web.pk).name == "New website"


def test_reopening_a_closed_project_lets_its_tasks_be_reopened(api, web):
    Project.objects.filter(pk=web.pk).update(status="closed")
    task = factories.task(web, "Finished", status="done")

    project = api.patch("/projects/WEB", {"status": "active"})
    reopened = api.patch(f"/tasks/{task.pk}", {"status": "pending"})

    assert project.json()["status"] == "active"
    assert reopened.json()["status"] == "pending"
    assert Task.objects.get(pk=task.pk).status == "pending"


# --- Employees: managers only -------------------------------------------------------------------


def test_a_manager_creates_an_employee_linked_to_a_login(api):
    login = factories.user("bob")

    response = api.post("/employees", {"code": "bob", "name": "Bob", "user": "bob"})

    assert response.status_code == 201, response.content
    assert response.json() == {
        "code": "BOB",
        "name": "Bob",
        "email": "",
        "active": True,
        "user": "bob",
    }
    assert Employee.objects.get(code="BOB").user == login


def test_a_manager_deactivates_and_restores_an_employee(api, luis):
    off = api.patch("/employees/LUIS", {"active": False})
    on = api.patch("/employees/LUIS", {"active": True})

    assert (off.json()["active"], on.json()["active"]) == (False, True)
    luis.refresh_from_db()
    assert luis.active is True


def test_a_deactivated_employee_is_refused_new_work_but_keeps_their_tasks(api, web, luis):
    task = factories.task(web, "Luis's")
    Task.objects.filter(pk=task.pk).update(assigned_to=luis)
    api.patch("/employees/LUIS", {"active": False})
    before = db_state()

    assigned = api.post("/tasks", {"project": "WEB", "title": "New", "assigned_to": "LUIS"})
    logged = api.post("/dedications", {"project": "WEB", "text": "x", "employee": "LUIS"})

    assert_error(assigned, 422, "validation_error", "assigned_to")
    assert_error(logged, 422, "validation_error", "employee")
    assert db_state() == before
    assert Task.objects.get(pk=task.pk).assigned_to == luis


def test_a_manager_links_and_unlinks_a_login(api, luis):
    login = factories.user("luis")

    linked = api.patch("/employees/LUIS", {"user": "luis"})
    unlinked = api.patch("/employees/LUIS", {"user": None})

    assert linked.json()["user"] == "luis"
    assert unlinked.json()["user"] is None
    assert Employee.objects.get(code="LUIS").user is None
    assert get_user_model().objects.filter(pk=login.pk, is_active=True).exists()  # it stays


@pytest.fixture
def clerk(as_user) -> Api:
    """Carla, signed in with an employee of her own, not a manager."""
    user = factories.user("carla")
    factories.employee("CARLA", user=user)
    return as_user(user)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("post", "/employees", {"code": "BOB", "name": "Bob"}, id="create"),
        pytest.param(
            "post", "/employees", {"code": "BOB", "name": "Bob", "user": "x"}, id="create-link"
        ),
        pytest.param("patch", "/employees/LUIS", {"name": "Lewis"}, id="edit"),
        pytest.param("patch", "/employees/LUIS", {"active": False}, id="deactivate"),
        pytest.param("patch", "/employees/CARLA", {"name": "Carla M."}, id="edit-herself"),
        pytest.param("patch", "/employees/LUIS", {"user": "carla"}, id="link"),
        pytest.param("patch", "/employees/LUIS", {"user": "nobody"}, id="link-unknown-user"),
        pytest.param("patch", "/employees/NOPE", {"name": "x"}, id="unknown-employee"),
    ],
)
def test_only_managers_manage_employees(clerk, luis, method, path, body):
    before = db_state()

    response = getattr(clerk, method)(path, body)

    assert_error(response, 403, "forbidden")
    assert db_state() == before


def test_everyone_may_read_employees(clerk, luis):
    listed = clerk.get("/employees")
    got = clerk.get("/employees/luis")

    assert [item["code"] for item in listed.json()["items"]] == ["CARLA", "LUIS"]
    assert got.json()["code"] == "LUIS"


def test_everyone_may_manage_clients_projects_and_tasks(clerk, acme, web):
    client = clerk.patch("/clients/ACME", {"active": False})
    restored = clerk.patch("/clients/ACME", {"active": True})
    project = clerk.post("/projects", {"code": "APP", "name": "App", "client": "ACME"})
    task = clerk.post("/clients/ACME/tasks", {"title": "Call", "project": "APP"})

    assert (client.status_code, restored.status_code) == (200, 200)
    assert (project.status_code, task.status_code) == (201, 201), (project.content, task.content)
    assert Task.objects.get().project.code == "APP"


def test_creating_an_employee_with_a_login_linked_elsewhere_is_a_conflict_on_user(api):
    before = db_state()

    response = api.post("/employees", {"code": "BOB", "name": "Bob", "user": "ana"})

    assert_error(response, 409, "already_exists", "user")
    assert db_state() == before


# --- Bad input on the new endpoints -------------------------------------------------------------


@pytest.fixture
def world(api, acme, web):
    """ACME with WEB (and a closed SHUT), archived OLD with its LEGACY project, BETA with
    two active projects (none with its code), an inactive employee, a task, a dedication."""
    factories.project(acme, "SHUT", status="closed")
    old = factories.client("OLD", active=False)
    factories.project(old, "LEGACY")
    beta = factories.client("BETA")
    factories.project(beta, "BETA-1")
    factories.project(beta, "BETA-2")
    factories.employee("GONE", active=False)
    task = factories.task(web, "Call back", next_follow_up=dt.date(2035, 1, 1))
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
    before = db_state()

    response = api.get(path) if method == "get" else api.request(method, path, body)

    body = assert_error(response, status, code, field)
    assert db_state() == before
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
    before = db_state()

    response = anonymous.request(method, _fill(path, world, ellipsis=0), body)

    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"
    assert db_state() == before


# --- The domain behind PATCH /dedications, on what the API refuses before it -----------------


def test_domain_refuses_a_null_date_on_a_dedication_as_bad_input(dedication, api_user):
    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(dedication, by=api_user, date=None)

    assert "date" in raised.value.fields


def test_domain_refuses_a_null_employee_on_a_dedication_as_bad_input(dedication, api_user):
    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(dedication, by=api_user, employee=None)

    assert "employee" in raised.value.fields
