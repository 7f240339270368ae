"""Employees by code, and the API's answers outside its endpoints' happy paths."""

from __future__ import annotations

import pytest

from hexa.crm.models import Employee, Task
from tests import factories

pytestmark = pytest.mark.django_db


def test_get_and_patch_an_employee_by_code(api):
    factories.user("bob")
    factories.employee("BOB", name="Bob")

    got = api.get("/employees/bob")
    linked = api.patch("/employees/BOB", {"user": "bob", "name": " Robert "})
    deactivated = api.patch("/employees/BOB", {"active": False, "user": None})

    assert got.json() == {"code": "BOB", "name": "Bob", "email": "", "active": True, "user": None}
    assert linked.json()["user"] == "bob" and linked.json()["name"] == "Robert"
    assert deactivated.json()["active"] is False and deactivated.json()["user"] is None
    assert Employee.objects.get(code="BOB").user is None


def test_patch_employee_refuses_unknown_users_and_a_user_linked_elsewhere(api):
    factories.employee("BOB", name="Bob")

    unknown = api.patch("/employees/BOB", {"user": "nobody"})
    taken = api.patch("/employees/BOB", {"user": "ana"})  # Ana's own employee has her

    assert unknown.status_code == 422 and list(unknown.json()["fields"]) == ["user"]
    assert taken.status_code == 409 and taken.json()["code"] == "already_exists"
    assert Employee.objects.get(code="BOB").user is None


def test_unknown_employee_is_404(api):
    response = api.get("/employees/NOPE")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_misspelt_fields_are_refused(api):
    factories.client("ACME")

    response = api.patch("/clients/ACME", {"nmae": "Typo"})

    assert response.status_code == 422
    assert "nmae" in response.json()["fields"]


def test_unknown_addresses_under_the_api_answer_json_404(api, anonymous):
    for client in (api, anonymous):
        response = client.get("/nothing/here")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_wrong_method_answers_json_405_with_allow(api):
    response = api.request("delete", "/clients")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"] and "POST" in response["Allow"]


def test_a_task_of_a_closed_project_cannot_be_reopened(api):
    project = factories.project(factories.client("ACME"), "ACME", status="closed")
    task = factories.task(project, status="done")

    response = api.patch(f"/tasks/{task.pk}", {"status": "pending"})

    assert response.status_code == 409
    assert response.json()["code"] == "project_closed"
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_docs_ask_for_a_token_with_www_authenticate(anonymous):
    response = anonymous.get("/openapi.json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
