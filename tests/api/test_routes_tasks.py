"""/tasks and /clients/{code}/tasks: tasks and incidents created for a project or a client,
listed, got, changed, completed, reopened, assigned and rescheduled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.crm.models import (
    Client,
    Project,
    Task,
)
from tests import factories
from tests.api.conftest import assert_instant, assert_json_error, codes
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


# --- Tasks --------------------------------------------------------------------------------------


def test_create_task_on_a_project_named_in_any_case(api, records):
    response = api.post(
        "/tasks",
        {
            "project": "web",
            "title": " Fix the form ",
            "kind": "incident",
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
        "title": "Fix the form",
        "kind": "incident",
        "status": "pending",
        "next_follow_up": "2035-03-04",
        "assigned_to": None,
        "priority": "normal",
        "reported_by": "",
        "reported_via": None,
        "description": "",
        "created_at": body["created_at"],
        "completed_at": None,
    }
    assert_instant(body["created_at"], task.created_at)
    assert (task.project, task.title, task.kind, task.status, task.next_follow_up) == (
        records.web,
        "Fix the form",
        "incident",
        "pending",
        dt.date(2035, 3, 4),
    )


def test_create_task_defaults_to_a_pending_task_without_follow_up(api, records):
    response = api.post("/tasks", {"project": "SHOP", "title": "Quote"})

    body = response.json()
    assert (body["kind"], body["status"], body["next_follow_up"]) == ("task", "pending", None)
    task = Task.objects.get(pk=body["id"])
    assert (task.kind, task.status, task.next_follow_up) == ("task", "pending", None)


def test_list_tasks_newest_first_with_pagination_and_filters(api, records):
    done = factories.task(records.web, "Done already", status="done")

    everything = api.get("/tasks")
    on_web = api.get("/tasks", project="web")
    pending_on_web = api.get("/tasks", project="WEB", status="pending")
    done_anywhere = api.get("/tasks", status="done")
    page = api.get("/tasks", limit=2, offset=1)

    newest_first = [
        done.pk,
        records.legacy_task.pk,
        records.shut_task.pk,
        records.shop_task.pk,
        records.web_task.pk,
    ]
    assert codes(everything) == newest_first
    assert everything.json()["count"] == 5
    assert codes(on_web) == [done.pk, records.web_task.pk]
    assert codes(pending_on_web) == [records.web_task.pk]
    assert codes(done_anywhere) == [done.pk]
    assert codes(page) == newest_first[1:3]
    assert page.json()["count"] == 5
    assert pending_on_web.json()["items"][0] == {
        "id": records.web_task.pk,
        "project": "WEB",
        "client": "ACME",
        "title": "Call back",
        "kind": "task",
        "status": "pending",
        "next_follow_up": "2035-01-01",
        "assigned_to": None,
        "priority": "normal",
        "reported_by": "",
        "reported_via": None,
        "description": "",
        "created_at": pending_on_web.json()["items"][0]["created_at"],
        "completed_at": None,
    }


def test_get_task_by_id(api, records):
    response = api.get(f"/tasks/{records.web_task.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "id": records.web_task.pk,
        "project": "WEB",
        "client": "ACME",
        "title": "Call back",
        "kind": "task",
        "status": "pending",
        "next_follow_up": "2035-01-01",
        "assigned_to": None,
        "priority": "normal",
        "reported_by": "",
        "reported_via": None,
        "description": "",
        "created_at": body["created_at"],
        "completed_at": None,
    }


def test_patch_task_completes_it(api, records):
    response = api.patch(f"/tasks/{records.web_task.pk}", {"status": "done"})

    assert response.json()["status"] == "done"
    records.web_task.refresh_from_db()
    assert records.web_task.status == "done"
    assert records.web_task.next_follow_up == dt.date(2035, 1, 1)


def test_patch_task_title_kind_and_follow_up(api, records):
    response = api.patch(
        f"/tasks/{records.shop_task.pk}",
        {"title": " Send the new catalogue ", "kind": "incident", "next_follow_up": "2035-12-31"},
    )

    body = response.json()
    assert (body["title"], body["kind"], body["next_follow_up"]) == (
        "Send the new catalogue",
        "incident",
        "2035-12-31",
    )
    records.shop_task.refresh_from_db()
    assert (
        records.shop_task.title,
        records.shop_task.kind,
        records.shop_task.next_follow_up,
    ) == ("Send the new catalogue", "incident", dt.date(2035, 12, 31))


def test_patch_task_null_next_follow_up_clears_it(api, records):
    response = api.patch(f"/tasks/{records.web_task.pk}", {"next_follow_up": None})

    assert response.status_code == 200, response.content
    assert response.json()["next_follow_up"] is None
    records.web_task.refresh_from_db()
    assert records.web_task.next_follow_up is None


def test_patch_task_without_next_follow_up_leaves_it(api, records):
    response = api.patch(f"/tasks/{records.web_task.pk}", {"title": "Call back soon"})

    assert response.json()["next_follow_up"] == "2035-01-01"
    records.web_task.refresh_from_db()
    assert records.web_task.next_follow_up == dt.date(2035, 1, 1)
    assert records.web_task.title == "Call back soon"


def test_patch_task_reopens_a_done_task(api, records):
    done = factories.task(records.web, "Finished", status="done")

    response = api.patch(f"/tasks/{done.pk}", {"status": "pending"})

    assert response.json()["status"] == "pending"
    done.refresh_from_db()
    assert done.status == "pending"


# --- Helpers ---


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


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- Tasks and incidents for a project ----------------------------------------------------------


def test_create_incident_with_priority_reporter_channel_description_and_assignee(
    api, website, luis
):
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
        website,
        "incident",
        luis,
        "urgent",
        "Marta (shop)",
        "phone",
        "Since Monday, orders over 100 EUR vanish.",
        None,
    )


def test_create_task_defaults_to_normal_priority_unassigned_and_no_reporter(api, website):
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


def test_create_task_already_done_records_when(api, website):
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


def test_client_task_uses_the_only_active_project(api, acme, website):
    factories.project(acme, "OLD", status="closed")

    response = api.post("/clients/ACME/tasks", {"title": "Call back"})

    assert response.status_code == 201, response.content
    assert response.json()["project"] == {"code": "WEB", "created": False}
    assert Task.objects.get().project == website
    assert Project.objects.count() == 2


def test_client_task_among_several_projects_uses_the_one_with_the_clients_code(api, acme, website):
    own = factories.project(acme, "ACME")

    response = api.post("/clients/ACME/tasks", {"title": "Call back"})

    assert response.json()["project"] == {"code": "ACME", "created": False}
    assert Task.objects.get().project == own


def test_client_task_among_several_projects_without_its_code_asks_to_choose(api, acme, website):
    factories.project(acme, "SHOP")
    before = every_row()

    response = api.post("/clients/ACME/tasks", {"title": "Call back"})

    body = assert_json_error(response, 409, "ambiguous_project")
    assert body["candidates"] == ["SHOP", "WEB"]
    assert every_row() == before


def test_client_task_on_a_chosen_project(api, acme, website):
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
    before = every_row()

    response = api.post("/clients/ACME/tasks", {"title": "Call", "assigned_to": "GONE"})

    assert_json_error(response, 422, "validation_error", "assigned_to")
    assert every_row() == before


# --- Editing, completing, reopening, assigning ------------------------------------------------


def test_patch_task_assigns_it_and_edits_the_incident_fields(api, website, luis):
    task = factories.task(website, "Broken form", kind="incident")

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


def test_patch_task_null_unassigns_and_clears_the_reporter(api, website, luis):
    task = factories.task(website, "Broken form", kind="incident")
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


def test_patch_task_leaves_what_is_not_given(api, website, luis):
    task = factories.task(website, "Broken form", kind="incident")
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


def test_complete_then_reopen_a_task_records_and_clears_when_it_was_done(api, website):
    task = factories.task(website, "Call back", next_follow_up=dt.date(2035, 1, 1))
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


def test_completing_a_done_task_again_keeps_when_it_was_done(api, website):
    task = factories.task(website, "Call back")
    api.patch(f"/tasks/{task.pk}", {"status": "done"})
    completed_at = Task.objects.get(pk=task.pk).completed_at

    response = api.patch(f"/tasks/{task.pk}", {"status": "done"})

    assert response.status_code == 200, response.content
    assert Task.objects.get(pk=task.pk).completed_at == completed_at


@pytest.mark.parametrize(
    ("setup", "code"),
    [("project-closed", "project_closed"), ("client-archived", "client_archived")],
)
def test_reopening_a_task_of_closed_work_is_refused(api, acme, website, setup, code):
    task = factories.task(website, "Finished", status="done")
    if setup == "project-closed":
        Project.objects.filter(pk=website.pk).update(status="closed")
    else:
        Client.objects.filter(pk=acme.pk).update(active=False)
    before = every_row()

    response = api.patch(f"/tasks/{task.pk}", {"status": "pending"})

    assert_json_error(response, 409, code)
    assert every_row() == before


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
def test_reschedule_moves_the_next_follow_up(api, website, today, current, body, expected):
    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    task = factories.task(
        website, "Call back", next_follow_up=None if current is None else day(current)
    )
    if "date" in body:
        body = {"date": day(int(body["date"].removeprefix("DAY"))).isoformat()}

    response = api.post(f"/tasks/{task.pk}/reschedule", body)

    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.next_follow_up == day(expected)
    same_task(response.json(), task)


def test_reschedule_refuses_a_past_date_on_the_date_field(api, website, today):
    task = factories.task(website, "Call back", next_follow_up=today)
    before = every_row()

    response = api.post(
        f"/tasks/{task.pk}/reschedule", {"date": (today - dt.timedelta(days=1)).isoformat()}
    )

    body = assert_json_error(response, 422, "validation_error", "date")
    assert set(body["fields"]) == {"date"}
    assert every_row() == before


def test_reschedule_refuses_a_done_task(api, website, today):
    task = factories.task(website, "Call back", status="done", next_follow_up=today)
    before = every_row()

    response = api.post(f"/tasks/{task.pk}/reschedule", {"days": 1})

    assert_json_error(response, 409, "task_done")
    assert every_row() == before


# --- Listing and getting tasks ------------------------------------------------------------------


@pytest.fixture
def tasks(api, acme, website, luis):
    beta = factories.client("BETA")
    beta_project = factories.project(beta, "BETA")
    made = {
        "call": factories.task(website, "Call"),
        "bug": factories.task(website, "Bug", kind="incident"),
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


def test_list_tasks_costs_the_same_queries_whatever_their_number(api, tasks, website, luis):
    api.get("/tasks")  # warm up
    with CaptureQueriesContext(connection) as few:
        api.get("/tasks")
    for number in range(20):
        task = factories.task(website, f"Extra {number}")
        Task.objects.filter(pk=task.pk).update(assigned_to=luis)
    with CaptureQueriesContext(connection) as many:
        response = api.get("/tasks")

    assert response.json()["count"] == 24
    assert len(many) == len(few)
