"""The project pages (hexa/web/views/projects.py): create, edit, close (confirmed when tasks
are pending), list filters, the time a project took."""

from __future__ import annotations

import pytest

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
