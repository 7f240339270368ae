"""/employees: create, list, get and change; managing them is for managers only, reading
them for everyone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from hexa.crm.models import (
    Employee,
    Task,
)
from tests import factories
from tests.api.conftest import Api, assert_json_error, codes
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


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


def test_a_deactivated_employee_is_refused_new_work_but_keeps_their_tasks(api, website, luis):
    task = factories.task(website, "Luis's")
    Task.objects.filter(pk=task.pk).update(assigned_to=luis)
    api.patch("/employees/LUIS", {"active": False})
    before = every_row()

    assigned = api.post("/tasks", {"project": "WEB", "title": "New", "assigned_to": "LUIS"})
    logged = api.post("/dedications", {"project": "WEB", "text": "x", "employee": "LUIS"})

    assert_json_error(assigned, 422, "validation_error", "assigned_to")
    assert_json_error(logged, 422, "validation_error", "employee")
    assert every_row() == before
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
    before = every_row()

    response = getattr(clerk, method)(path, body)

    assert_json_error(response, 403, "forbidden")
    assert every_row() == before


def test_everyone_may_read_employees(clerk, luis):
    listed = clerk.get("/employees")
    got = clerk.get("/employees/luis")

    assert [item["code"] for item in listed.json()["items"]] == ["CARLA", "LUIS"]
    assert got.json()["code"] == "LUIS"


def test_everyone_may_manage_clients_projects_and_tasks(clerk, acme, website):
    client = clerk.patch("/clients/ACME", {"active": False})
    restored = clerk.patch("/clients/ACME", {"active": True})
    project = clerk.post("/projects", {"code": "APP", "name": "App", "client": "ACME"})
    task = clerk.post("/clients/ACME/tasks", {"title": "Call", "project": "APP"})

    assert (client.status_code, restored.status_code) == (200, 200)
    assert (project.status_code, task.status_code) == (201, 201), (project.content, task.content)
    assert Task.objects.get().project.code == "APP"


def test_creating_an_employee_with_a_login_linked_elsewhere_is_a_conflict_on_user(api):
    before = every_row()

    response = api.post("/employees", {"code": "BOB", "name": "Bob", "user": "ana"})

    assert_json_error(response, 409, "already_exists", "user")
    assert every_row() == before
