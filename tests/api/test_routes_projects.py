"""/projects: create, list, get and change; closing one with pending tasks asks to confirm,
reopening it lets its tasks be reopened."""

from __future__ import annotations

import datetime as dt

import pytest

from hexa.crm.models import (
    Project,
    Task,
)
from tests import factories
from tests.api.conftest import assert_instant, assert_json_error, codes
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


# --- Projects -----------------------------------------------------------------------------------


def test_create_project_for_a_client_named_in_any_case(api, records):
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
        records.acme,
        "Mobile app",
        "production",
        "active",
    )


def test_create_project_defaults_to_an_active_commercial_project(api, records):
    response = api.post("/projects", {"code": "DEAL", "name": "Deal", "client": "ACME"})

    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["status"]) == ("commercial", "active")
    assert Project.objects.filter(code="DEAL", kind="commercial", status="active").exists()


def test_create_project_can_start_closed(api, records):
    response = api.post(
        "/projects", {"code": "PAST", "name": "Past", "client": "ACME", "status": "closed"}
    )

    assert response.json()["status"] == "closed"
    assert Project.objects.get(code="PAST").status == "closed"


def test_create_project_code_may_use_thirty_characters(api, records):
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
def test_list_projects_paginates_and_filters(api, records, query, expected):
    response = api.get("/projects", **query)

    assert codes(response) == expected
    total = len(expected) if "limit" not in query else 5
    assert response.json()["count"] == total


def test_list_projects_items_have_the_project_shape(api, records):
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


def test_get_project_by_code_in_any_case(api, records):
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


def test_patch_project_closes_it_and_then_it_takes_no_new_work(api, records):
    response = api.patch("/projects/web", {"status": "closed", "confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    records.web.refresh_from_db()
    assert records.web.status == "closed"
    before = every_row()

    task = api.post("/tasks", {"project": "WEB", "title": "More"})
    dedication = api.post("/dedications", {"project": "WEB", "text": "Worked"})

    assert_json_error(task, 409, "project_closed")
    assert_json_error(dedication, 409, "project_closed")
    assert every_row() == before


def test_patch_project_active_reopens_it(api, records):
    response = api.patch("/projects/SHUT", {"status": "active"})

    assert response.json()["status"] == "active"
    records.shut.refresh_from_db()
    assert records.shut.status == "active"
    dedication = api.post("/dedications", {"project": "SHUT", "text": "Back at it"})
    assert dedication.status_code == 201, dedication.content


def test_patch_project_name_and_kind(api, records):
    response = api.patch("/projects/SHOP", {"name": " Online shop ", "kind": "production"})

    assert (response.json()["name"], response.json()["kind"]) == ("Online shop", "production")
    records.shop.refresh_from_db()
    assert (records.shop.name, records.shop.kind, records.shop.status) == (
        "Online shop",
        "production",
        "active",
    )


def test_patch_project_of_an_archived_client_may_close_it(api, records):
    response = api.patch("/projects/LEGACY", {"status": "closed", "confirm": True})

    assert response.json()["status"] == "closed"
    records.legacy.refresh_from_db()
    assert records.legacy.status == "closed"


# --- Projects: close (confirmed when tasks are pending), reopen ---------------------------------


def test_closing_a_project_with_pending_tasks_asks_to_confirm(api, website):
    factories.task(website, "One")
    factories.task(website, "Two", kind="incident")
    factories.task(website, "Done", status="done")
    before = every_row()

    response = api.patch("/projects/WEB", {"status": "closed"}, headers={"Accept-Language": "en"})

    body = assert_json_error(response, 409, "pending_tasks")
    assert body["pending"] == 2
    assert "2 pending tasks" in body["message"]
    assert every_row() == before


def test_closing_a_project_with_pending_tasks_once_confirmed(api, website):
    task = factories.task(website, "One", next_follow_up=dt.date(2035, 1, 1))

    response = api.patch("/projects/WEB", {"status": "closed", "confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    website.refresh_from_db()
    assert website.status == "closed"
    task.refresh_from_db()
    assert task.status == "pending"  # its tasks stay as they were, off the agenda


def test_closing_a_project_without_pending_tasks_needs_no_confirmation(api, website):
    factories.task(website, "Done", status="done")

    response = api.patch("/projects/WEB", {"status": "closed"})

    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=website.pk).status == "closed"


def test_renaming_a_project_with_pending_tasks_needs_no_confirmation(api, website):
    factories.task(website, "One")

    response = api.patch("/projects/WEB", {"name": "New website"})

    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=website.pk).name == "New website"


def test_reopening_a_closed_project_lets_its_tasks_be_reopened(api, website):
    Project.objects.filter(pk=website.pk).update(status="closed")
    task = factories.task(website, "Finished", status="done")

    project = api.patch("/projects/WEB", {"status": "active"})
    reopened = api.patch(f"/tasks/{task.pk}", {"status": "pending"})

    assert project.json()["status"] == "active"
    assert reopened.json()["status"] == "pending"
    assert Task.objects.get(pk=task.pk).status == "pending"
