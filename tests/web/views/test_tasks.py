"""The task pages (hexa/web/views/tasks.py): tasks and incidents for a client or a project,
bad input, complete, reopen, reschedule, assign, list filters."""

from __future__ import annotations

import datetime as dt

import pytest

from hexa.crm.models import (
    Project,
    Task,
)
from tests import factories
from tests.web.conftest import messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


# --- Tasks and incidents ------------------------------------------------------------------------


def test_new_incident_for_a_client_goes_to_the_quick_logs_project(web, acme):
    response = web.post(
        "/clients/ACME/tasks/new/",
        {
            "kind": "incident",
            "title": "Printer down",
            "project": "",
            "priority": "urgent",
            "reported_by": "Marisa",
            "reported_via": "phone",
            "description": "Since yesterday",
        },
    )

    incident = Task.objects.get(kind="incident")
    assert response["Location"] == f"/tasks/{incident.pk}/"
    assert incident.project.code == "ACME"
    assert (incident.priority, incident.reported_by, incident.reported_via) == (
        "urgent",
        "Marisa",
        "phone",
    )


def test_new_task_for_a_client_without_projects_creates_one(web):
    factories.client("NEW", name="New Co")

    web.post("/clients/NEW/tasks/new/", {"kind": "task", "title": "Call", "priority": "normal"})

    assert Task.objects.get().project.code == "NEW"


def test_new_task_for_an_ambiguous_client_asks_for_the_project(web):
    client = factories.client("BOD")
    factories.project(client, "BOD-A")
    shop = factories.project(client, "BOD-B")

    asked = web.post(
        "/clients/BOD/tasks/new/", {"kind": "task", "title": "x", "priority": "normal"}
    )
    assert "project" in asked.context["form"].errors
    assert Task.objects.count() == 0

    web.post(
        "/clients/BOD/tasks/new/",
        {"kind": "task", "title": "x", "priority": "normal", "project": shop.pk},
    )
    assert Task.objects.get().project == shop


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "task", "title": "", "priority": "normal"}, "title"),
        ({"kind": "bug", "title": "x", "priority": "normal"}, "kind"),
        ({"kind": "task", "title": "x", "priority": "asap"}, "priority"),
        (
            {"kind": "task", "title": "x", "priority": "normal", "reported_via": "fax"},
            "reported_via",
        ),
        (
            {"kind": "task", "title": "x", "priority": "normal", "next_follow_up": "soon"},
            "next_follow_up",
        ),
    ],
)
def test_task_bad_input_is_shown_on_its_field(web, acme, data, field):
    response = web.post("/projects/ACME/tasks/new/", data)

    assert field in response.context["form"].errors
    assert Task.objects.count() == 1


def test_task_on_a_closed_project_is_refused(web, acme):
    Project.objects.update(status="closed")

    response = web.post(
        "/projects/ACME/tasks/new/", {"kind": "task", "title": "x", "priority": "normal"}
    )

    assert "closed" in " ".join(response.context["form"].non_field_errors())
    assert Task.objects.count() == 1


def test_complete_reopen_reschedule_and_assign_a_task(web, acme, today, bea):
    task = Task.objects.get()
    url = f"/tasks/{task.pk}/"

    web.post(url + "complete/")
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None

    web.post(url + "reopen/")
    task.refresh_from_db()
    assert task.status == "pending" and task.completed_at is None

    web.post(url + "reschedule/", {"days": "1"})
    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=1)
    web.post(url + "reschedule/", {"days": "7"})
    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=8)
    web.post(url + "reschedule/", {"to": "2030-02-03"})
    task.refresh_from_db()
    assert task.next_follow_up == dt.date(2030, 2, 3)

    web.post(url + "assign/", {"assigned_to": bea.employee.pk})
    task.refresh_from_db()
    assert task.assigned_to == bea.employee


def test_bad_reschedule_and_assign_change_nothing(web, acme):
    task = Task.objects.get()
    gone = factories.employee("GONE", active=False)

    for data in ({}, {"days": "0"}, {"days": "1", "to": "2030-01-01"}, {"to": "tomorrow"}):
        response = web.post(f"/tasks/{task.pk}/reschedule/", data, follow=True)
        assert any("day" in m or "date" in m.lower() for m in messages_of(response)), data
    web.post(f"/tasks/{task.pk}/assign/", {"assigned_to": gone.pk})

    task.refresh_from_db()
    assert task.next_follow_up is None and task.assigned_to is None


def test_task_list_filters(web, acme, bea):
    project = Project.objects.get()
    factories.task(project, "Old", status="done")
    incident = factories.task(project, "Broken", kind="incident")
    Task.objects.filter(pk=incident.pk).update(assigned_to=bea.employee)

    def titles(**query) -> list[str]:
        return sorted(t.title for t in web.get("/tasks/", query).context["page"])

    assert titles() == ["Broken", "Seguimiento"]  # pending by default
    assert titles(status="") == ["Broken", "Old", "Seguimiento"]
    assert titles(kind="incident") == ["Broken"]
    assert titles(assigned_to=bea.employee.pk) == ["Broken"]
    assert titles(q="segui") == ["Seguimiento"]
