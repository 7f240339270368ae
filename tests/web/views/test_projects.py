"""The project pages (hexa/web/views/projects.py): create, edit, close (confirmed when tasks
are pending), list filters, the time a project took."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from hexa.crm.models import (
    Project,
    Task,
)
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


# --- Projects -----------------------------------------------------------------------------------


def test_create_and_edit_a_project(web, acme):
    web.post(
        "/projects/new/",
        {"code": "acme-web", "name": "Web", "client": "ACME", "kind": "production"},
    )
    project = Project.objects.get(code="ACME-WEB")
    assert (project.client, project.kind, project.status) == (acme, "production", "active")

    web.post("/projects/ACME-WEB/edit/", {"name": "Web shop", "kind": "commercial"})
    project.refresh_from_db()
    assert (project.name, project.kind) == ("Web shop", "commercial")


def test_new_project_refuses_a_taken_code_and_an_archived_client(web, acme):
    taken = web.post(
        "/projects/new/", {"code": "ACME", "name": "Again", "client": "acme", "kind": "commercial"}
    )
    assert "code" in taken.context["form"].errors

    factories.client("OLD", active=False)
    refused = web.post(
        "/projects/new/", {"code": "OLD", "name": "x", "client": "OLD", "kind": "commercial"}
    )
    assert "client" in refused.context["form"].errors
    assert Project.objects.count() == 1


def test_closing_a_project_with_pending_tasks_asks_to_confirm(web, acme):
    page = web.get("/projects/ACME/close/")
    assert page.context["pending"] == 1

    unconfirmed = web.post("/projects/ACME/close/", {})
    assert unconfirmed.status_code == 200
    assert "1 pending task" in unconfirmed.content.decode()
    assert Project.objects.get(code="ACME").status == "active"

    confirmed = web.post("/projects/ACME/close/", {"confirm": "on"})
    assert confirmed["Location"] == "/projects/ACME/"
    assert Project.objects.get(code="ACME").status == "closed"

    web.post("/projects/ACME/reopen/")
    assert Project.objects.get(code="ACME").status == "active"


def test_project_list_filters(web, acme):
    factories.project(acme, "ACME-OLD", status="closed", kind="production")
    factories.project(factories.client("ZETA", name="Zeta"), "ZETA")

    def codes(**query) -> list[str]:
        return [p.code for p in web.get("/projects/", query).context["page"]]

    assert codes() == ["ACME", "ACME-OLD", "ZETA"]
    assert codes(status="closed") == ["ACME-OLD"]
    assert codes(kind="production") == ["ACME-OLD"]
    assert codes(client="zeta") == ["ZETA"]
    assert codes(q="zet") == ["ZETA"]


def test_project_page_totals_its_time(web, acme, ana):
    task = Task.objects.get()
    factories.dedication(task, ana.employee, minutes=90)
    factories.dedication(task, ana.employee, minutes=None)

    overview = web.get("/projects/ACME/").context["overview"]

    assert (overview.minutes, overview.count) == (90, 2)


# --- Closing a project ------------------------------------------------------------------------


def test_closing_a_project_without_confirming_warns_once_and_lists_its_pending_tasks(
    spanish_web, acme_worked
):
    project = acme_worked["project"]
    factories.task(project, "Enviar el presupuesto", next_follow_up=timezone.localdate())
    factories.task(project, "Hecha", status="done")

    response = spanish_web.post("/projects/ACME/close/", {})

    page = response.content.decode()
    assert page.count('class="form-error"') == 1
    assert "Tiene 2 tareas pendientes" in page
    pending = re.search(r'<ul class="pending-tasks">(.*?)</ul>', page, re.S).group(1)
    assert "Seguimiento" in pending and "Enviar el presupuesto" in pending
    assert "Hecha" not in pending
    assert 'aria-invalid="true"' in page and 'id="id_confirm_error"' in page
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE

    spanish_web.post("/projects/ACME/close/", {"confirm": "on"})
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED


def test_a_project_with_many_pending_tasks_lists_the_first_and_counts_the_rest(
    spanish_web, acme_worked
):
    for number in range(24):
        factories.task(acme_worked["project"], f"Tarea {number}")

    page = spanish_web.get("/projects/ACME/close/").content.decode()

    assert "Tiene 25 tareas pendientes" in page
    assert len(re.findall(r'href="/tasks/\d+/"', page)) == 20
    assert "y 5 más" in page
