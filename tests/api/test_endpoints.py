"""The API's endpoints other than the quick log, as a client program sees them.

For employees, clients, projects, tasks and dedications: create, list (pagination and every
filter), get and patch, then bad input on every endpoint. Every error must be JSON with `code`
and `message` (plus `fields` for 422) and must leave the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test.client import ClientHandler
from django.utils import timezone

from hexa.crm.models import Client, Dedication, Employee, IdempotencyKey, Project, Task
from tests import factories

pytestmark = pytest.mark.django_db


# --- Helpers ------------------------------------------------------------------------------------

MODELS = (Client, Employee, Project, Task, Dedication, IdempotencyKey)


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every Hexa table: equal before and after means nothing was written."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def assert_error(response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """A JSON error body: `code`, a non-empty `message`, and `fields` on 422."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str), body
    assert body["message"].strip(), body
    if status == 422:
        assert isinstance(body["fields"], dict), body
        assert body["fields"], body
        for messages in body["fields"].values():
            assert messages, body
            assert all(isinstance(message, str) and message.strip() for message in messages), body
    if field is not None:
        assert field in body["fields"], body
    return body


def assert_instant(text: str, value: dt.datetime) -> None:
    """The API writes datetimes to the millisecond."""
    assert abs(dt.datetime.fromisoformat(text) - value) < dt.timedelta(milliseconds=1)


def codes(response) -> list[Any]:
    assert response.status_code == 200, response.content
    return [item.get("code", item.get("id")) for item in response.json()["items"]]


@dataclass
class World:
    acme: Client
    old: Client  # archived
    web: Project  # ACME, active, production
    shop: Project  # ACME, active, commercial
    shut: Project  # ACME, closed
    legacy: Project  # OLD (archived client), active
    old_shut: Project  # OLD (archived client), closed
    web_task: Task
    shop_task: Task
    shut_task: Task
    legacy_task: Task
    gone: Employee  # inactive

    def ids(self) -> dict[str, int]:
        return {
            name: getattr(self, name).pk
            for name in ("web_task", "shop_task", "shut_task", "legacy_task")
        }


@pytest.fixture
def world(api) -> World:
    acme = factories.client("ACME", name="Acme S.L.", tax_id="B12345678")
    old = factories.client("OLD", name="Old Times S.A.", tax_id="A87654321", active=False)
    web = factories.project(acme, "WEB", name="Website", kind="production")
    shop = factories.project(acme, "SHOP", name="Shop")
    shut = factories.project(acme, "SHUT", status="closed")
    legacy = factories.project(old, "LEGACY")
    old_shut = factories.project(old, "OLDSHUT", status="closed")
    return World(
        acme=acme,
        old=old,
        web=web,
        shop=shop,
        shut=shut,
        legacy=legacy,
        old_shut=old_shut,
        web_task=factories.task(web, "Call back", next_follow_up=dt.date(2035, 1, 1)),
        shop_task=factories.task(shop, "Send catalogue"),
        shut_task=factories.task(shut, "Archive files"),
        legacy_task=factories.task(legacy, "Old work"),
        gone=factories.employee("GONE", name="Gone Away", active=False),
    )


@pytest.fixture(scope="module")
def _handler() -> ClientHandler:
    return ClientHandler()


@pytest.fixture
def api(api, _handler):
    """The `api` of tests/api/conftest.py with one request handler for the whole module: a new
    handler loads the middleware, and WhiteNoise's scan of the static files costs ~80 ms."""
    api.http.handler = _handler
    return api


# --- Employees ----------------------------------------------------------------------------------


def test_create_employee_normalizes_the_code_and_stores_it(api):
    response = api.post(
        "/employees", {"code": " bob.s-1 ", "name": " Bob Smith ", "email": "bob@example.com"}
    )

    assert response.status_code == 201, response.content
    assert response.json() == {
        "code": "BOB.S-1",
        "name": "Bob Smith",
        "email": "bob@example.com",
        "active": True,
        "user": None,
    }
    bob = Employee.objects.get(code="BOB.S-1")
    assert (bob.name, bob.email, bob.active, bob.user) == (
        "Bob Smith",
        "bob@example.com",
        True,
        None,
    )


def test_create_employee_email_is_optional(api):
    response = api.post("/employees", {"code": "BOB", "name": "Bob"})

    assert response.status_code == 201, response.content
    assert response.json()["email"] == ""
    assert Employee.objects.get(code="BOB").email == ""


def test_list_employees_paginates_by_code_and_filters_by_active(api):
    for code in ("DAVE", "BOB"):
        factories.employee(code)
    factories.employee("CAROL", active=False)

    everyone = api.get("/employees")
    page = api.get("/employees", limit=2, offset=1)
    inactive = api.get("/employees", active="false")
    active = api.get("/employees", active="true")

    assert everyone.json() == {
        "items": [
            {"code": "ANA", "name": "Ana García", "email": "", "active": True, "user": "ana"},
            {"code": "BOB", "name": "Bob", "email": "", "active": True, "user": None},
            {"code": "CAROL", "name": "Carol", "email": "", "active": False, "user": None},
            {"code": "DAVE", "name": "Dave", "email": "", "active": True, "user": None},
        ],
        "count": 4,
    }
    assert page.json()["count"] == 4
    assert codes(page) == ["BOB", "CAROL"]
    assert inactive.json()["count"] == 1
    assert codes(inactive) == ["CAROL"]
    assert codes(active) == ["ANA", "BOB", "DAVE"]


def test_list_offset_past_the_end_is_an_empty_page(api):
    response = api.get("/employees", offset=10)

    assert response.json() == {"items": [], "count": 1}


# --- Clients ------------------------------------------------------------------------------------


def test_create_client_normalizes_code_and_tax_id_and_stores_it(api):
    response = api.post(
        "/clients",
        {
            "code": "acme",
            "name": " Acme S.L. ",
            "tax_id": "b-1234 5678",
            "email": " info@acme.test ",
            "phone": "+34 600 000 000",
            "notes": "Pays late",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    acme = Client.objects.get(code="ACME")
    assert body == {
        "code": "ACME",
        "name": "Acme S.L.",
        "tax_id": "B12345678",
        "email": "info@acme.test",
        "phone": "+34 600 000 000",
        "notes": "Pays late",
        "active": True,
        "created_at": body["created_at"],
    }
    assert_instant(body["created_at"], acme.created_at)
    assert (acme.name, acme.tax_id, acme.email, acme.phone, acme.notes, acme.active) == (
        "Acme S.L.",
        "B12345678",
        "info@acme.test",
        "+34 600 000 000",
        "Pays late",
        True,
    )


def test_create_client_with_only_code_and_name(api):
    response = api.post("/clients", {"code": "MIN", "name": "Minimal"})

    assert response.status_code == 201, response.content
    assert Client.objects.filter(code="MIN", name="Minimal", tax_id="", email="").exists()


@pytest.fixture
def clients(api):
    factories.client("ACME", name="Acme S.L.", tax_id="B12345678")
    factories.client("BETA", name="Beta Industries", tax_id="X9999")
    factories.client("GAMMA", name="Gamma Acme Partners")
    factories.client("OLD", name="Old Times", tax_id="A87654321", active=False)


def test_list_clients_paginates_by_code_without_archived_ones(api, clients):
    everything = api.get("/clients")
    page = api.get("/clients", limit=1, offset=1)

    assert everything.json()["count"] == 3
    assert codes(everything) == ["ACME", "BETA", "GAMMA"]
    assert page.json()["count"] == 3
    assert codes(page) == ["BETA"]
    assert everything.json()["items"][0] == {
        "code": "ACME",
        "name": "Acme S.L.",
        "tax_id": "B12345678",
        "email": "",
        "phone": "",
        "notes": "",
        "active": True,
        "created_at": everything.json()["items"][0]["created_at"],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"q": "bet"}, ["BETA"], id="code-substring"),
        pytest.param({"q": "ACM"}, ["ACME", "GAMMA"], id="code-or-name"),
        pytest.param({"q": "industries"}, ["BETA"], id="name-case-insensitive"),
        pytest.param({"q": "b-1234"}, ["ACME"], id="tax-id-as-written"),
        pytest.param({"q": "x9999"}, ["BETA"], id="tax-id-lowercase"),
        pytest.param({"q": "  beta  "}, ["BETA"], id="surrounding-spaces"),
        pytest.param({"q": "nothing"}, [], id="no-match"),
        pytest.param({"q": "old"}, [], id="archived-hidden"),
        pytest.param({"q": "old", "include_archived": "true"}, ["OLD"], id="archived-included"),
        pytest.param({"q": "A8765"}, [], id="archived-tax-id-hidden"),
        pytest.param(
            {"include_archived": "true"}, ["ACME", "BETA", "GAMMA", "OLD"], id="all-with-archived"
        ),
        pytest.param({"include_archived": "false"}, ["ACME", "BETA", "GAMMA"], id="archived-false"),
    ],
)
def test_list_clients_searches_code_name_and_tax_id(api, clients, query, expected):
    response = api.get("/clients", **query)

    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


def test_get_client_by_code_in_any_case(api, world):
    response = api.get("/clients/acme")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "code": "ACME",
        "name": "Acme S.L.",
        "tax_id": "B12345678",
        "email": "",
        "phone": "",
        "notes": "",
        "active": True,
        "created_at": body["created_at"],
    }
    assert_instant(body["created_at"], world.acme.created_at)


def test_get_archived_client_still_answers(api, world):
    response = api.get("/clients/OLD")

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False


def test_patch_client_changes_only_the_given_fields(api, world):
    response = api.patch(
        "/clients/acme", {"name": " Acme Global ", "tax_id": "b-1111 2222", "notes": "VIP"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Acme Global"
    assert body["tax_id"] == "B11112222"
    assert body["notes"] == "VIP"
    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.tax_id, world.acme.notes) == (
        "Acme Global",
        "B11112222",
        "VIP",
    )
    assert (world.acme.email, world.acme.phone, world.acme.active) == ("", "", True)


def test_patch_client_with_an_empty_body_changes_nothing(api, world):
    before = db_state()

    response = api.patch("/clients/ACME", {})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Acme S.L."
    assert db_state() == before


def test_patch_client_tax_id_to_empty_clears_it(api, world):
    response = api.patch("/clients/ACME", {"tax_id": ""})

    assert response.json()["tax_id"] == ""
    world.acme.refresh_from_db()
    assert world.acme.tax_id == ""


def test_patch_client_active_false_archives_it_and_the_quick_log_refuses_it(api, world):
    response = api.patch("/clients/ACME", {"active": False})

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    world.acme.refresh_from_db()
    assert world.acme.active is False
    assert codes(api.get("/clients")) == []
    before = db_state()

    quick_log = api.post("/clients/ACME/quick-log", {"text": "Called", "employee": "ANA"})

    assert_error(quick_log, 409, "client_archived")
    assert db_state() == before


def test_archived_client_refuses_new_projects_tasks_and_dedications(api, world):
    api.patch("/clients/ACME", {"active": False})
    before = db_state()

    project = api.post("/projects", {"code": "NEW", "name": "New", "client": "ACME"})
    task = api.post("/tasks", {"project": "WEB", "title": "More"})
    dedication = api.post("/dedications", {"project": "WEB", "text": "Worked"})

    assert_error(project, 409, "client_archived")
    assert_error(task, 409, "client_archived")
    assert_error(dedication, 409, "client_archived")
    assert db_state() == before


def test_patch_client_active_true_restores_it(api, world):
    response = api.patch("/clients/old", {"active": True})

    assert response.json()["active"] is True
    world.old.refresh_from_db()
    assert world.old.active is True
    quick_log = api.post("/clients/OLD/quick-log", {"text": "Back", "employee": "ANA"})
    assert quick_log.status_code == 201, quick_log.content


# --- Projects -----------------------------------------------------------------------------------


def test_create_project_for_a_client_named_in_any_case(api, world):
    response = api.post(
        "/projects",
        {"code": "app", "name": " Mobile app ", "client": "acme", "kind": "production"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(code="APP")
    assert body == {
        "code": "APP",
        "name": "Mobile app",
        "client": "ACME",
        "kind": "production",
        "status": "active",
        "created_at": body["created_at"],
    }
    assert_instant(body["created_at"], project.created_at)
    assert (project.client, project.name, project.kind, project.status) == (
        world.acme,
        "Mobile app",
        "production",
        "active",
    )


def test_create_project_defaults_to_an_active_commercial_project(api, world):
    response = api.post("/projects", {"code": "DEAL", "name": "Deal", "client": "ACME"})

    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["status"]) == ("commercial", "active")
    assert Project.objects.filter(code="DEAL", kind="commercial", status="active").exists()


def test_create_project_can_start_closed(api, world):
    response = api.post(
        "/projects", {"code": "PAST", "name": "Past", "client": "ACME", "status": "closed"}
    )

    assert response.json()["status"] == "closed"
    assert Project.objects.get(code="PAST").status == "closed"


def test_create_project_code_may_use_thirty_characters(api, world):
    code = "P" * 30

    response = api.post("/projects", {"code": code, "name": "Long", "client": "ACME"})

    assert response.status_code == 201, response.content
    assert Project.objects.filter(code=code).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({}, ["LEGACY", "OLDSHUT", "SHOP", "SHUT", "WEB"], id="all"),
        pytest.param({"limit": 2, "offset": 1}, ["OLDSHUT", "SHOP"], id="page"),
        pytest.param({"client": "acme"}, ["SHOP", "SHUT", "WEB"], id="client"),
        pytest.param({"status": "closed"}, ["OLDSHUT", "SHUT"], id="status-closed"),
        pytest.param({"status": "active"}, ["LEGACY", "SHOP", "WEB"], id="status-active"),
        pytest.param({"kind": "production"}, ["WEB"], id="kind"),
        pytest.param(
            {"client": "ACME", "status": "active", "kind": "commercial"}, ["SHOP"], id="combined"
        ),
        pytest.param({"client": "NOPE"}, [], id="unknown-client"),
    ],
)
def test_list_projects_paginates_and_filters(api, world, query, expected):
    response = api.get("/projects", **query)

    assert codes(response) == expected
    total = len(expected) if "limit" not in query else 5
    assert response.json()["count"] == total


def test_list_projects_items_have_the_project_shape(api, world):
    response = api.get("/projects", kind="production")

    item = response.json()["items"][0]
    assert item == {
        "code": "WEB",
        "name": "Website",
        "client": "ACME",
        "kind": "production",
        "status": "active",
        "created_at": item["created_at"],
    }


def test_get_project_by_code_in_any_case(api, world):
    response = api.get("/projects/web")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "code": "WEB",
        "name": "Website",
        "client": "ACME",
        "kind": "production",
        "status": "active",
        "created_at": body["created_at"],
    }


def test_patch_project_closes_it_and_then_it_takes_no_new_work(api, world):
    response = api.patch("/projects/web", {"status": "closed", "confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    world.web.refresh_from_db()
    assert world.web.status == "closed"
    before = db_state()

    task = api.post("/tasks", {"project": "WEB", "title": "More"})
    dedication = api.post("/dedications", {"project": "WEB", "text": "Worked"})

    assert_error(task, 409, "project_closed")
    assert_error(dedication, 409, "project_closed")
    assert db_state() == before


def test_patch_project_active_reopens_it(api, world):
    response = api.patch("/projects/SHUT", {"status": "active"})

    assert response.json()["status"] == "active"
    world.shut.refresh_from_db()
    assert world.shut.status == "active"
    dedication = api.post("/dedications", {"project": "SHUT", "text": "Back at it"})
    assert dedication.status_code == 201, dedication.content


def test_patch_project_name_and_kind(api, world):
    response = api.patch("/projects/SHOP", {"name": " Online shop ", "kind": "production"})

    assert (response.json()["name"], response.json()["kind"]) == ("Online shop", "production")
    world.shop.refresh_from_db()
    assert (world.shop.name, world.shop.kind, world.shop.status) == (
        "Online shop",
        "production",
        "active",
    )


def test_patch_project_of_an_archived_client_may_close_it(api, world):
    response = api.patch("/projects/LEGACY", {"status": "closed", "confirm": True})

    assert response.json()["status"] == "closed"
    world.legacy.refresh_from_db()
    assert world.legacy.status == "closed"


# --- Tasks --------------------------------------------------------------------------------------


def test_create_task_on_a_project_named_in_any_case(api, world):
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
        world.web,
        "Fix the form",
        "incident",
        "pending",
        dt.date(2035, 3, 4),
    )


def test_create_task_defaults_to_a_pending_task_without_follow_up(api, world):
    response = api.post("/tasks", {"project": "SHOP", "title": "Quote"})

    body = response.json()
    assert (body["kind"], body["status"], body["next_follow_up"]) == ("task", "pending", None)
    task = Task.objects.get(pk=body["id"])
    assert (task.kind, task.status, task.next_follow_up) == ("task", "pending", None)


def test_list_tasks_newest_first_with_pagination_and_filters(api, world):
    done = factories.task(world.web, "Done already", status="done")

    everything = api.get("/tasks")
    on_web = api.get("/tasks", project="web")
    pending_on_web = api.get("/tasks", project="WEB", status="pending")
    done_anywhere = api.get("/tasks", status="done")
    page = api.get("/tasks", limit=2, offset=1)

    newest_first = [
        done.pk,
        world.legacy_task.pk,
        world.shut_task.pk,
        world.shop_task.pk,
        world.web_task.pk,
    ]
    assert codes(everything) == newest_first
    assert everything.json()["count"] == 5
    assert codes(on_web) == [done.pk, world.web_task.pk]
    assert codes(pending_on_web) == [world.web_task.pk]
    assert codes(done_anywhere) == [done.pk]
    assert codes(page) == newest_first[1:3]
    assert page.json()["count"] == 5
    assert pending_on_web.json()["items"][0] == {
        "id": world.web_task.pk,
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


def test_get_task_by_id(api, world):
    response = api.get(f"/tasks/{world.web_task.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "id": world.web_task.pk,
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


def test_patch_task_completes_it(api, world):
    response = api.patch(f"/tasks/{world.web_task.pk}", {"status": "done"})

    assert response.json()["status"] == "done"
    world.web_task.refresh_from_db()
    assert world.web_task.status == "done"
    assert world.web_task.next_follow_up == dt.date(2035, 1, 1)


def test_patch_task_title_kind_and_follow_up(api, world):
    response = api.patch(
        f"/tasks/{world.shop_task.pk}",
        {"title": " Send the new catalogue ", "kind": "incident", "next_follow_up": "2035-12-31"},
    )

    body = response.json()
    assert (body["title"], body["kind"], body["next_follow_up"]) == (
        "Send the new catalogue",
        "incident",
        "2035-12-31",
    )
    world.shop_task.refresh_from_db()
    assert (
        world.shop_task.title,
        world.shop_task.kind,
        world.shop_task.next_follow_up,
    ) == ("Send the new catalogue", "incident", dt.date(2035, 12, 31))


def test_patch_task_null_next_follow_up_clears_it(api, world):
    response = api.patch(f"/tasks/{world.web_task.pk}", {"next_follow_up": None})

    assert response.status_code == 200, response.content
    assert response.json()["next_follow_up"] is None
    world.web_task.refresh_from_db()
    assert world.web_task.next_follow_up is None


def test_patch_task_without_next_follow_up_leaves_it(api, world):
    response = api.patch(f"/tasks/{world.web_task.pk}", {"title": "Call back soon"})

    assert response.json()["next_follow_up"] == "2035-01-01"
    world.web_task.refresh_from_db()
    assert world.web_task.next_follow_up == dt.date(2035, 1, 1)
    assert world.web_task.title == "Call back soon"


def test_patch_task_reopens_a_done_task(api, world):
    done = factories.task(world.web, "Finished", status="done")

    response = api.patch(f"/tasks/{done.pk}", {"status": "pending"})

    assert response.json()["status"] == "pending"
    done.refresh_from_db()
    assert done.status == "pending"


# --- Dedications --------------------------------------------------------------------------------


def test_create_dedication_with_every_field(api, world, today):
    day = today - dt.timedelta(days=2)
    response = api.post(
        "/dedications",
        {
            "project": "web",
            "task": world.web_task.pk,
            "employee": "ana",
            "date": day.isoformat(),
            "text": "  Called about the form  ",
            "minutes": "1h30",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    dedication = Dedication.objects.get()
    assert body == {
        "id": dedication.pk,
        "client": "ACME",
        "project": "WEB",
        "task": world.web_task.pk,
        "employee": "ANA",
        "date": day.isoformat(),
        "minutes": 90,
        "text": "Called about the form",
        "recorded_by": "ana",
        "recorded_at": body["recorded_at"],
        "via": "api",
        "updated_by": None,
        "updated_at": None,
    }
    assert_instant(body["recorded_at"], dedication.recorded_at)
    assert (
        dedication.client,
        dedication.project,
        dedication.task,
        dedication.employee.code,
        dedication.date,
        dedication.minutes,
        dedication.text,
        dedication.recorded_by.username,
        dedication.via,
    ) == (
        world.acme,
        world.web,
        world.web_task,
        "ANA",
        day,
        90,
        "Called about the form",
        "ana",
        "api",
    )


def test_create_dedication_defaults_to_today_the_token_users_employee_and_no_task(
    api, world, today
):
    response = api.post("/dedications", {"project": "SHOP", "text": "Visited"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["employee"], body["date"], body["task"], body["minutes"]) == (
        "ANA",
        today.isoformat(),
        None,
        None,
    )
    dedication = Dedication.objects.get()
    assert (dedication.employee.code, dedication.date, dedication.task, dedication.minutes) == (
        "ANA",
        today,
        None,
        None,
    )


def test_create_dedication_does_not_touch_the_task(api, world):
    before = Task.objects.values().get(pk=world.web_task.pk)

    api.post("/dedications", {"project": "WEB", "task": world.web_task.pk, "text": "Called"})

    assert Task.objects.values().get(pk=world.web_task.pk) == before


@pytest.fixture
def dedications(world, api_user):
    ana = Employee.objects.get(code="ANA")
    bob = factories.employee("BOB")
    day = dt.date(2024, 5, 1)
    made = {
        "d1": factories.dedication(world.web_task, ana, date=day),
        "d2": factories.dedication(world.web_task, bob, date=day + dt.timedelta(days=1)),
        "d3": factories.dedication(world.shop_task, ana, date=day + dt.timedelta(days=2)),
        "d4": factories.dedication(world.legacy_task, bob, date=day + dt.timedelta(days=3)),
    }
    return {name: dedication.pk for name, dedication in made.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({}, ["d4", "d3", "d2", "d1"], id="all-newest-first"),
        pytest.param({"limit": 2, "offset": 1}, ["d3", "d2"], id="page"),
        pytest.param({"client": "acme"}, ["d3", "d2", "d1"], id="client"),
        pytest.param({"client": "OLD"}, ["d4"], id="archived-client"),
        pytest.param({"project": "web"}, ["d2", "d1"], id="project"),
        pytest.param({"task": "shop_task"}, ["d3"], id="task"),
        pytest.param({"employee": "bob"}, ["d4", "d2"], id="employee"),
        pytest.param({"date_from": "2024-05-02"}, ["d4", "d3", "d2"], id="date-from"),
        pytest.param({"date_to": "2024-05-02"}, ["d2", "d1"], id="date-to"),
        pytest.param(
            {"date_from": "2024-05-02", "date_to": "2024-05-03"}, ["d3", "d2"], id="period"
        ),
        pytest.param({"date_from": "2024-05-04", "date_to": "2024-05-01"}, [], id="empty-period"),
        pytest.param(
            {"client": "ACME", "employee": "ANA", "date_from": "2024-05-01"},
            ["d3", "d1"],
            id="combined",
        ),
        pytest.param({"employee": "NOBODY"}, [], id="unknown-employee"),
    ],
)
def test_list_dedications_paginates_and_filters(api, world, dedications, query, expected):
    if query.get("task") == "shop_task":
        query = {**query, "task": world.shop_task.pk}

    response = api.get("/dedications", **query)

    assert codes(response) == [dedications[name] for name in expected]
    total = len(expected) if "limit" not in query else 4
    assert response.json()["count"] == total


def test_list_dedications_items_have_the_dedication_shape(api, world, dedications):
    response = api.get("/dedications", task=world.shop_task.pk)

    item = response.json()["items"][0]
    assert item == {
        "id": dedications["d3"],
        "client": "ACME",
        "project": "SHOP",
        "task": world.shop_task.pk,
        "employee": "ANA",
        "date": "2024-05-03",
        "minutes": None,
        "text": "Did something",
        "recorded_by": None,
        "recorded_at": item["recorded_at"],
        "via": "web",
        "updated_by": None,
        "updated_at": None,
    }


# --- Bad input, on every endpoint ---------------------------------------------------------------


class Ref:
    """A task id known only once the world exists (in bodies; paths use `{web_task}`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Ref({self.name})"


def fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, Ref):
        return ids[value.name]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, str):
        return value.format(**ids) if "{" in value and "}" in value else value
    return value


def case(case_id: str, method: str, path: str, body: Any, expect: str, *, marks=()):
    """`expect`: "422 field", "422" (no particular field), "404 not_found",
    "409 already_exists code", "409 project_closed", "400 bad_request"."""
    status, *rest = expect.split()
    if status == "422":
        code, field = "validation_error", (rest[0] if rest else None)
    else:
        code, field = rest[0], (rest[1] if len(rest) > 1 else None)
    return pytest.param(method, path, body, int(status), code, field, id=case_id, marks=marks)


LONG_NAME = "x" * 201
FUTURE = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
EMPLOYEE = {"code": "BOB", "name": "Bob"}
CLIENT = {"code": "NEWCO", "name": "New Co"}
PROJECT = {"code": "NEWP", "name": "New project", "client": "ACME"}
TASK = {"project": "WEB", "title": "New task"}
DEDICATION = {"project": "WEB", "text": "Worked"}
REQUIRED = {
    "employees": ("code", "name"),
    "clients": ("code", "name"),
    "projects": ("code", "name", "client"),
    "tasks": ("project", "title"),
    "dedications": ("project", "text"),
}


def shapes(what: str, full: dict[str, Any]) -> list:
    """POST /<what>: each required field left out, each field as a JSON type it cannot be,
    and bodies that are not a JSON object."""
    path = f"/{what}"
    cases = [
        case(f"{what}-no-{name}", "post", path, _without(full, name), f"422 {name}")
        for name in REQUIRED[what]
    ]
    cases += [
        case(
            f"{what}-{name}-as-{type(wrong).__name__}",
            "post",
            path,
            {**full, name: wrong},
            f"422 {name}",
        )
        for name in full
        for wrong in (12, ["x"], {"x": 1})
    ]
    return [
        *cases,
        case(f"{what}-empty-object", "post", path, {}, f"422 {REQUIRED[what][0]}"),
        case(f"{what}-array-body", "post", path, "[]", "400 bad_request"),
        case(f"{what}-string-body", "post", path, '"text"', "400 bad_request"),
        case(f"{what}-malformed-json", "post", path, "{", "400 bad_request"),
        case(f"{what}-empty-body", "post", path, "", "422 body"),
    ]


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name != key}


def bad_codes(what: str, valid: dict[str, Any], max_length: int) -> list:
    """POST /<what> with codes Hexa cannot store (lowercase is fine: it is normalized)."""
    return [
        case(f"{what}-code-{label}", "post", f"/{what}", {**valid, "code": code}, "422 code")
        for label, code in (
            ("empty", ""),
            ("blank", "   "),
            ("inner-space", "NEW CO"),
            ("symbol", "NEW!"),
            ("slash", "NEW/CO"),
            ("leading-dash", "-NEW"),
            ("accent", "ÑANDÚ"),
            ("too-long", "X" * (max_length + 1)),
            ("far-too-long", "X" * 40),
        )
    ]


def bad_names(what: str, method: str, path: str, valid: dict[str, Any], field: str) -> list:
    prefix = f"{what}-{method}-{field}"
    return [
        case(f"{prefix}-empty", method, path, {**valid, field: ""}, f"422 {field}"),
        case(f"{prefix}-blank", method, path, {**valid, field: "  \t "}, f"422 {field}"),
        case(f"{prefix}-null", method, path, {**valid, field: None}, f"422 {field}"),
        case(f"{prefix}-too-long", method, path, {**valid, field: LONG_NAME}, f"422 {field}"),
    ]


BAD_DATES = (
    ("day-first", "06/05/2024"),
    ("not-padded", "2024-5-6"),
    ("impossible-day", "2024-02-30"),
    ("month-13", "2024-13-01"),
    ("words", "tomorrow"),
    ("timestamp", 1700000000),
    ("datetime", "2024-05-06T10:00:00"),
    ("empty", ""),
)


def bad_dates(what: str, method: str, path: str, valid: dict[str, Any], field: str) -> list:
    return [
        case(
            f"{what}-{method}-{field}-{label}",
            method,
            path,
            {**valid, field: value},
            f"422 {field}",
        )
        for label, value in BAD_DATES
    ]


def bad_pages(what: str, marks=()) -> list:
    return [
        case(f"{what}-list-{label}", "get", f"/{what}?{query}", None, f"422 {field}", marks=marks)
        for label, query, field in (
            ("limit-zero", "limit=0", "limit"),
            ("limit-over-max", "limit=501", "limit"),
            ("limit-negative", "limit=-1", "limit"),
            ("limit-word", "limit=ten", "limit"),
            ("offset-negative", "offset=-1", "offset"),
            ("offset-word", "offset=first", "offset"),
        )
    ]


def list_filters(what: str, filters: dict[str, str], marks=()) -> list:
    return [
        case(
            f"{what}-list-{name}-{value}",
            "get",
            f"/{what}?{name}={value}",
            None,
            f"422 {name}",
            marks=marks,
        )
        for name, value in filters.items()
    ]


def non_object_bodies(what: str, path: str) -> list:
    return [
        case(f"{what}-patch-{label}-body", "patch", path, raw, "400 bad_request")
        for label, raw in (("array", "[]"), ("null", "null"), ("string", '"x"'), ("number", "5"))
    ]


BAD_REQUESTS = [
    # --- Employees: POST /employees, GET /employees
    *shapes("employees", {**EMPLOYEE, "email": "bob@example.com"}),
    *bad_codes("employees", EMPLOYEE, 20),
    *bad_names("employees", "post", "/employees", EMPLOYEE, "name"),
    case(
        "employees-email-invalid", "post", "/employees", {**EMPLOYEE, "email": "bob"}, "422 email"
    ),
    case(
        "employees-code-taken",
        "post",
        "/employees",
        {"code": "ana", "name": "Ana 2"},
        "409 already_exists code",
    ),
    case(
        "employees-code-of-inactive-taken",
        "post",
        "/employees",
        {"code": "GONE", "name": "G"},
        "409 already_exists code",
    ),
    *list_filters("employees", {"active": "maybe"}),
    *bad_pages("employees"),
    # --- Clients: POST /clients, GET /clients, GET and PATCH /clients/{code}
    *shapes("clients", {**CLIENT, "tax_id": "B1", "email": "a@b.test", "phone": "1", "notes": "n"}),
    *bad_codes("clients", CLIENT, 20),
    *bad_names("clients", "post", "/clients", CLIENT, "name"),
    case(
        "clients-email-invalid",
        "post",
        "/clients",
        {**CLIENT, "email": "not-an-email"},
        "422 email",
    ),
    case("clients-phone-too-long", "post", "/clients", {**CLIENT, "phone": "6" * 41}, "422 phone"),
    case(
        "clients-tax-id-too-long", "post", "/clients", {**CLIENT, "tax_id": "B" * 21}, "422 tax_id"
    ),
    case(
        "clients-code-taken",
        "post",
        "/clients",
        {"code": "acme", "name": "A"},
        "409 already_exists code",
    ),
    case(
        "clients-code-of-archived-taken",
        "post",
        "/clients",
        {"code": "OLD", "name": "O"},
        "409 already_exists code",
    ),
    case(
        "clients-tax-id-taken",
        "post",
        "/clients",
        {**CLIENT, "tax_id": "b-1234-5678"},
        "409 already_exists tax_id",
    ),
    case(
        "clients-tax-id-of-archived-taken",
        "post",
        "/clients",
        {**CLIENT, "tax_id": "A87654321"},
        "409 already_exists tax_id",
    ),
    *list_filters("clients", {"include_archived": "perhaps"}),
    *bad_pages("clients"),
    case("clients-get-unknown", "get", "/clients/NOPE", None, "404 not_found"),
    case("clients-patch-unknown", "patch", "/clients/NOPE", {"name": "Nope"}, "404 not_found"),
    *bad_names("clients", "patch", "/clients/ACME", {}, "name"),
    case("clients-patch-name-number", "patch", "/clients/ACME", {"name": 5}, "422 name"),
    case("clients-patch-email-invalid", "patch", "/clients/ACME", {"email": "nope"}, "422 email"),
    case(
        "clients-patch-phone-too-long", "patch", "/clients/ACME", {"phone": "6" * 41}, "422 phone"
    ),
    case(
        "clients-patch-tax-id-too-long",
        "patch",
        "/clients/ACME",
        {"tax_id": "B" * 21},
        "422 tax_id",
    ),
    case("clients-patch-active-word", "patch", "/clients/ACME", {"active": "maybe"}, "422 active"),
    case("clients-patch-active-null", "patch", "/clients/ACME", {"active": None}, "422 active"),
    case(
        "clients-patch-tax-id-taken",
        "patch",
        "/clients/ACME",
        {"tax_id": "a-8765-4321"},
        "409 already_exists tax_id",
    ),
    *non_object_bodies("clients", "/clients/ACME"),
    case("clients-patch-malformed-json", "patch", "/clients/ACME", "{", "400 bad_request"),
    # --- Projects: POST /projects, GET /projects, GET and PATCH /projects/{code}
    *shapes("projects", {**PROJECT, "kind": "production", "status": "active"}),
    *bad_codes("projects", PROJECT, 30),
    *bad_names("projects", "post", "/projects", PROJECT, "name"),
    case("projects-kind-unknown", "post", "/projects", {**PROJECT, "kind": "retail"}, "422 kind"),
    case(
        "projects-kind-capitalized",
        "post",
        "/projects",
        {**PROJECT, "kind": "Production"},
        "422 kind",
    ),
    case(
        "projects-status-unknown", "post", "/projects", {**PROJECT, "status": "open"}, "422 status"
    ),
    case(
        "projects-client-unknown", "post", "/projects", {**PROJECT, "client": "NOPE"}, "422 client"
    ),
    case("projects-client-empty", "post", "/projects", {**PROJECT, "client": ""}, "422 client"),
    case(
        "projects-client-too-long",
        "post",
        "/projects",
        {**PROJECT, "client": "C" * 31},
        "422 client",
    ),
    case(
        "projects-client-archived",
        "post",
        "/projects",
        {**PROJECT, "client": "old"},
        "409 client_archived",
    ),
    case(
        "projects-code-taken",
        "post",
        "/projects",
        {**PROJECT, "code": "web"},
        "409 already_exists code",
    ),
    case(
        "projects-code-of-other-client-taken",
        "post",
        "/projects",
        {**PROJECT, "code": "LEGACY"},
        "409 already_exists code",
    ),
    *list_filters("projects", {"status": "open", "kind": "retail"}),
    *bad_pages("projects"),
    case("projects-get-unknown", "get", "/projects/NOPE", None, "404 not_found"),
    case("projects-patch-unknown", "patch", "/projects/NOPE", {"name": "x"}, "404 not_found"),
    *bad_names("projects", "patch", "/projects/WEB", {}, "name"),
    case("projects-patch-kind-unknown", "patch", "/projects/WEB", {"kind": "retail"}, "422 kind"),
    case("projects-patch-kind-null", "patch", "/projects/WEB", {"kind": None}, "422 kind"),
    case(
        "projects-patch-status-unknown", "patch", "/projects/WEB", {"status": "open"}, "422 status"
    ),
    case("projects-patch-status-null", "patch", "/projects/WEB", {"status": None}, "422 status"),
    case("projects-patch-status-number", "patch", "/projects/WEB", {"status": 1}, "422 status"),
    case(
        "projects-patch-reopen-on-archived-client",
        "patch",
        "/projects/OLDSHUT",
        {"status": "active"},
        "409 client_archived",
    ),
    *non_object_bodies("projects", "/projects/WEB"),
    # --- Tasks: POST /tasks, GET /tasks, GET and PATCH /tasks/{task_id}
    *shapes("tasks", {**TASK, "kind": "task", "status": "pending", "next_follow_up": "2035-01-01"}),
    *bad_names("tasks", "post", "/tasks", TASK, "title"),
    case("tasks-kind-unknown", "post", "/tasks", {**TASK, "kind": "bug"}, "422 kind"),
    case("tasks-status-unknown", "post", "/tasks", {**TASK, "status": "open"}, "422 status"),
    *bad_dates("tasks", "post", "/tasks", TASK, "next_follow_up"),
    case("tasks-project-unknown", "post", "/tasks", {**TASK, "project": "NOPE"}, "422 project"),
    case("tasks-project-empty", "post", "/tasks", {**TASK, "project": ""}, "422 project"),
    case("tasks-project-too-long", "post", "/tasks", {**TASK, "project": "P" * 31}, "422 project"),
    case(
        "tasks-project-closed", "post", "/tasks", {**TASK, "project": "shut"}, "409 project_closed"
    ),
    case(
        "tasks-client-archived",
        "post",
        "/tasks",
        {**TASK, "project": "LEGACY"},
        "409 client_archived",
    ),
    case(
        "tasks-closed-project-of-archived-client",
        "post",
        "/tasks",
        {**TASK, "project": "OLDSHUT"},
        "409 client_archived",
    ),
    *list_filters("tasks", {"status": "open"}),
    *bad_pages("tasks"),
    case("tasks-get-unknown", "get", "/tasks/999999999", None, "404 not_found"),
    case("tasks-get-id-word", "get", "/tasks/abc", None, "422 task_id"),
    case("tasks-get-id-decimal", "get", "/tasks/1.5", None, "422 task_id"),
    case("tasks-patch-unknown", "patch", "/tasks/999999999", {"title": "x"}, "404 not_found"),
    case("tasks-patch-id-word", "patch", "/tasks/abc", {"title": "x"}, "422 task_id"),
    *bad_names("tasks", "patch", "/tasks/{web_task}", {}, "title"),
    case("tasks-patch-kind-unknown", "patch", "/tasks/{web_task}", {"kind": "bug"}, "422 kind"),
    case(
        "tasks-patch-status-unknown", "patch", "/tasks/{web_task}", {"status": "open"}, "422 status"
    ),
    case("tasks-patch-status-null", "patch", "/tasks/{web_task}", {"status": None}, "422 status"),
    *bad_dates("tasks", "patch", "/tasks/{web_task}", {}, "next_follow_up"),
    *non_object_bodies("tasks", "/tasks/{web_task}"),
    # --- Dedications: POST /dedications, GET /dedications
    *shapes("dedications", {**DEDICATION, "employee": "ANA", "date": "2024-05-06"}),
    case(
        "dedications-project-unknown",
        "post",
        "/dedications",
        {**DEDICATION, "project": "NOPE"},
        "422 project",
    ),
    case(
        "dedications-project-empty",
        "post",
        "/dedications",
        {**DEDICATION, "project": ""},
        "422 project",
    ),
    case(
        "dedications-task-unknown",
        "post",
        "/dedications",
        {**DEDICATION, "task": 999999999},
        "422 task",
    ),
    case(
        "dedications-task-of-another-project",
        "post",
        "/dedications",
        {**DEDICATION, "task": Ref("shop_task")},
        "422 task",
    ),
    case(
        "dedications-task-of-another-client",
        "post",
        "/dedications",
        {**DEDICATION, "task": Ref("legacy_task")},
        "422 task",
    ),
    case(
        "dedications-task-as-text", "post", "/dedications", {**DEDICATION, "task": "1"}, "422 task"
    ),
    case(
        "dedications-task-decimal", "post", "/dedications", {**DEDICATION, "task": 1.5}, "422 task"
    ),
    case(
        "dedications-task-boolean", "post", "/dedications", {**DEDICATION, "task": True}, "422 task"
    ),
    case(
        "dedications-employee-unknown",
        "post",
        "/dedications",
        {**DEDICATION, "employee": "NOBODY"},
        "422 employee",
    ),
    case(
        "dedications-employee-inactive",
        "post",
        "/dedications",
        {**DEDICATION, "employee": "gone"},
        "422 employee",
    ),
    case(
        "dedications-employee-empty",
        "post",
        "/dedications",
        {**DEDICATION, "employee": ""},
        "422 employee",
    ),
    case("dedications-text-empty", "post", "/dedications", {**DEDICATION, "text": ""}, "422 text"),
    case(
        "dedications-text-blank", "post", "/dedications", {**DEDICATION, "text": " \n "}, "422 text"
    ),
    case(
        "dedications-text-too-long",
        "post",
        "/dedications",
        {**DEDICATION, "text": "x" * 10_001},
        "422 text",
    ),
    case("dedications-text-null", "post", "/dedications", {**DEDICATION, "text": None}, "422 text"),
    case(
        "dedications-date-future",
        "post",
        "/dedications",
        {**DEDICATION, "date": FUTURE},
        "422 date",
    ),
    *bad_dates("dedications", "post", "/dedications", DEDICATION, "date"),
    *[
        case(
            f"dedications-minutes-{label}",
            "post",
            "/dedications",
            {**DEDICATION, "minutes": value},
            "422 minutes",
        )
        for label, value in (
            ("negative", -1),
            ("over-a-day", 1441),
            ("word", "lots"),
            ("decimal-number", 1.5),
            ("boolean", True),
            ("hours-over-a-day", "25h"),
            ("too-long-text", "1" * 21),
        )
    ],
    case(
        "dedications-project-closed",
        "post",
        "/dedications",
        {**DEDICATION, "project": "SHUT"},
        "409 project_closed",
    ),
    case(
        "dedications-task-on-closed-project",
        "post",
        "/dedications",
        {**DEDICATION, "project": "SHUT", "task": Ref("shut_task")},
        "409 project_closed",
    ),
    case(
        "dedications-client-archived",
        "post",
        "/dedications",
        {**DEDICATION, "project": "LEGACY"},
        "409 client_archived",
    ),
    *list_filters(
        "dedications",
        {"date_from": "06/05/2024", "date_to": "2024-02-30", "task": "abc"},
    ),
    *list_filters("dedications", {"date_from": "yesterday", "date_to": "2024-5-6"}),
    *bad_pages("dedications"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code", "field"), BAD_REQUESTS)
def test_bad_request_answers_a_json_error_and_writes_nothing(
    api, world, method, path, body, status, code, field
):
    ids = world.ids()
    before = db_state()

    if method == "get":
        response = api.get(fill(path, ids))
    else:
        response = getattr(api, method)(fill(path, ids), fill(body, ids))

    assert_error(response, status, code, field)
    assert db_state() == before


def test_not_found_names_the_missing_object(api, world):
    for path in ("/clients/NOPE", "/projects/NOPE", "/tasks/987654321"):
        body = assert_error(api.get(path), 404, "not_found")
        assert path.rsplit("/", 1)[1] in body["message"]
        assert "fields" not in body


def test_taken_code_conflict_names_the_code(api, world):
    body = assert_error(
        api.post("/clients", {"code": "acme", "name": "Again"}), 409, "already_exists", "code"
    )

    assert "ACME" in body["message"]


def test_several_bad_fields_are_reported_together(api, world):
    body = assert_error(
        api.post(
            "/dedications", {"project": "WEB", "text": "", "employee": "GONE", "minutes": 5000}
        ),
        422,
        "validation_error",
    )

    assert {"text", "employee", "minutes"} <= set(body["fields"])


def test_error_messages_follow_the_requested_language(api, world):
    english = api.get("/clients/NOPE", headers={"Accept-Language": "en"})
    spanish = api.get("/clients/NOPE", headers={"Accept-Language": "es"})

    assert english.json()["code"] == spanish.json()["code"] == "not_found"
    assert english.json()["message"] != spanish.json()["message"]


def test_patch_cannot_change_a_code(api, world):
    before = db_state()

    response = api.patch("/clients/ACME", {"code": "OTHER"})

    # Unknown fields are ignored today; refusing them (422) would be as good.
    assert response.status_code in (200, 422), response.content
    assert db_state() == before


# --- Edges that once reached the database ------------------------------------------------


@pytest.mark.parametrize("field", ["email", "phone", "notes"])
def test_patch_client_null_text_field_clears_it_or_is_refused(api, world, field):
    setattr(world.acme, field, "x@example.com" if field == "email" else "something")
    world.acme.save()
    before = db_state()

    response = api.patch("/clients/ACME", {field: None})

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_error(response, 422, "validation_error", field)
        assert db_state() == before
    else:
        assert response.json()[field] == ""
        world.acme.refresh_from_db()
        assert getattr(world.acme, field) == ""


@pytest.mark.parametrize("what", ["employees", "clients", "projects", "tasks", "dedications"])
def test_offset_beyond_64_bits_is_refused_or_an_empty_page(api, world, what):
    response = api.get(f"/{what}", offset=2**63)

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_error(response, 422, "validation_error", "offset")
    else:
        assert response.json()["items"] == []


@pytest.mark.parametrize("task", [2**63, -(2**63) - 1, 10**30])
def test_dedications_of_a_task_id_beyond_64_bits_is_refused_or_empty(api, world, task):
    response = api.get("/dedications", task=task)

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_error(response, 422, "validation_error", "task")
    else:
        assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        pytest.param("post", "/employees", {**EMPLOYEE, "name": "B\x00b"}, "name", id="employee"),
        pytest.param("post", "/clients", {**CLIENT, "name": "New\x00Co"}, "name", id="client"),
        pytest.param("post", "/clients", {**CLIENT, "notes": "\x00"}, "notes", id="client-notes"),
        pytest.param("patch", "/clients/ACME", {"notes": "a\x00b"}, "notes", id="patch-client"),
        pytest.param("post", "/projects", {**PROJECT, "name": "P\x00"}, "name", id="project"),
        pytest.param("patch", "/projects/WEB", {"name": "P\x00"}, "name", id="patch-project"),
        pytest.param("post", "/tasks", {**TASK, "title": "T\x00"}, "title", id="task"),
        pytest.param("patch", "/tasks/{web_task}", {"title": "T\x00"}, "title", id="patch-task"),
        pytest.param(
            "post", "/dedications", {**DEDICATION, "text": "a\x00b"}, "text", id="dedication"
        ),
    ],
)
def test_nul_character_in_a_text_field_is_a_field_error(api, world, method, path, body, field):
    before = db_state()

    response = getattr(api, method)(fill(path, world.ids()), body)

    assert_error(response, 422, "validation_error", field)
    assert db_state() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "expect"),
    [
        pytest.param("get", "/clients/AC%00ME", None, "404 not_found", id="client-path"),
        pytest.param("patch", "/projects/W%00", {"name": "x"}, "404 not_found", id="project-path"),
        pytest.param(
            "post", "/tasks", {**TASK, "project": "W\x00"}, "422 project", id="task-project"
        ),
        pytest.param(
            "post", "/projects", {**PROJECT, "client": "A\x00"}, "422 client", id="project-client"
        ),
        pytest.param(
            "post",
            "/dedications",
            {**DEDICATION, "employee": "A\x00"},
            "422 employee",
            id="employee",
        ),
        pytest.param("get", "/clients?q=ac%00me", None, "200", id="client-search"),
    ],
)
def test_nul_character_in_a_code_or_search_is_not_a_server_error(
    api, world, method, path, body, expect
):
    before = db_state()

    response = api.get(path) if method == "get" else getattr(api, method)(path, body)

    status, *rest = expect.split()
    if status == "200":
        assert response.status_code in (200, 422), response.content
        assert "items" in response.json() or "q" in response.json()["fields"]
    elif status == "404":
        assert_error(response, 404, rest[0])
    else:
        assert_error(response, 422, "validation_error", rest[0])
    assert db_state() == before
