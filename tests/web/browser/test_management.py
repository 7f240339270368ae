"""The fuller management in headless Chromium: clients, tasks and incidents, dedications on
existing work, projects and employees, each form's main path and its bad input, and what a
user who may not do something sees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from hexa.crm.models import Client, Dedication, DedicationChange, Employee, Project, Task
from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("short_waits")]


@pytest.fixture
def world(transactional_db, ana):
    """ACME with one project (its code) and a pending follow-up task; BODEGAS with two
    projects and none with its code; ZETA with no project; LUIS, a colleague who signs in."""
    acme = factories.client("ACME", name="Acme Industrial", tax_id="B11111111")
    acme_project = factories.project(acme, "ACME", name="Acme Industrial")
    follow_up = factories.task(acme_project, "Seguimiento")
    bodegas = factories.client("BODEGAS", name="Bodegas Valdehierro")
    export = factories.project(bodegas, "BOD-EXPORT", name="Exportación")
    shop = factories.project(bodegas, "BOD-TIENDA", name="Tienda online")
    factories.client("ZETA", name="Zeta Consultores", tax_id="B99999999")
    luis = factories.user("luis", first_name="Luis")
    factories.employee("LUIS", name="Luis Pérez", user=luis)
    return {
        "acme": acme,
        "acme_project": acme_project,
        "follow_up": follow_up,
        "bodegas": bodegas,
        "export": export,
        "shop": shop,
        "luis": luis,
    }


def field_error(page: Page, name: str):
    """The message shown under the field `name`."""
    return page.locator(f"#id_{name}_error")


def expect_invalid(page: Page, name: str, message: str) -> None:
    expect(page.locator(f"#id_{name}")).to_have_attribute("aria-invalid", "true")
    expect(field_error(page, name)).to_contain_text(message)


def open_more(page: Page, action: str) -> None:
    """An action of the page's "More" menu."""
    page.locator("details.dropdown summary").click()
    page.locator("details.dropdown").get_by_role("link", name=action, exact=True).click()


def message(page: Page):
    return page.locator("#messages .message")


def csrf_token(context) -> str:
    """The CSRF cookie's value, for a request sent straight from the browser's context."""
    return next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")


# --- Clients ------------------------------------------------------------------------------------


def test_new_client_then_edit_archive_and_restore(signed_in, live_server, world):
    page = signed_in
    page.goto(live_server.url)
    page.get_by_role("button", name="New client").click()
    expect(page).to_have_url(f"{live_server.url}/clients/new/")

    page.fill("#id_code", "norte")
    page.fill("#id_name", "Hierros del Norte")
    page.fill("#id_tax_id", "b-4444 4444")
    page.fill("#id_email", "compras@norte.example")
    page.get_by_role("button", name="Create client").click()

    expect(page).to_have_url(f"{live_server.url}/clients/NORTE/")
    expect(message(page)).to_have_text("Client NORTE created.")
    expect(page.get_by_role("heading", name="NORTE Hierros del Norte")).to_be_visible()
    client = Client.objects.get(code="NORTE")
    assert (client.name, client.tax_id, client.email, client.active) == (
        "Hierros del Norte",
        "B44444444",
        "compras@norte.example",
        True,
    )

    open_more(page, "Edit client")
    expect(page.locator("#id_name")).to_have_value("Hierros del Norte")
    expect(page.locator("#id_code")).to_have_count(0)  # a code stays what it is
    page.fill("#id_name", "Hierros del Norte S.A.")
    page.fill("#id_phone", "+34 900 000 000")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{live_server.url}/clients/NORTE/")
    expect(message(page)).to_have_text("Client NORTE saved.")
    expect(page.get_by_role("heading", name="NORTE Hierros del Norte S.A.")).to_be_visible()
    client.refresh_from_db()
    assert (client.name, client.phone) == ("Hierros del Norte S.A.", "+34 900 000 000")

    page.get_by_role("button", name="Archive").click()
    expect(message(page)).to_contain_text("Client NORTE archived")
    expect(page.locator(".badge.archived")).to_have_text("archived")
    expect(page.get_by_role("button", name="Log activity")).to_have_count(0)
    client.refresh_from_db()
    assert client.active is False

    page.get_by_role("button", name="Restore").click()
    expect(message(page)).to_have_text("Client NORTE restored.")
    expect(page.locator(".badge.archived")).to_have_count(0)
    expect(page.get_by_role("button", name="Log activity")).to_be_visible()
    client.refresh_from_db()
    assert client.active is True


def test_new_client_with_a_taken_code_a_bad_code_and_a_taken_tax_id(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/clients/new/")
    page.fill("#id_code", "acme")
    page.fill("#id_name", "Another Acme")
    page.fill("#id_notes", "Met at the fair")
    page.get_by_role("button", name="Create client").click()

    expect_invalid(page, "code", "The code ACME is already used by another client.")
    expect(page.locator("#id_code")).to_have_value("acme")
    expect(page.locator("#id_name")).to_have_value("Another Acme")
    expect(page.locator("#id_notes")).to_have_value("Met at the fair")
    assert Client.objects.count() == 3

    page.fill("#id_code", "ACME 2")
    page.get_by_role("button", name="Create client").click()
    expect_invalid(page, "code", "letters A-Z, digits and . _ - only")
    assert Client.objects.count() == 3

    page.fill("#id_code", "ACME2")
    page.fill("#id_tax_id", "b11111111")
    page.get_by_role("button", name="Create client").click()
    expect_invalid(page, "tax_id", "Another client has the tax id B11111111.")
    expect(page.locator("#id_code")).to_have_value("ACME2")
    assert Client.objects.count() == 3


def test_edit_client_refuses_an_empty_name_and_a_taken_tax_id(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/clients/ZETA/edit/")
    page.fill("#id_tax_id", "B11111111")
    page.fill("#id_notes", "Prefers email")
    page.get_by_role("button", name="Save").click()

    expect_invalid(page, "tax_id", "Another client has the tax id B11111111.")
    expect(page.locator("#id_notes")).to_have_value("Prefers email")
    zeta = Client.objects.get(code="ZETA")
    assert (zeta.tax_id, zeta.notes) == ("B99999999", "")

    page.fill("#id_tax_id", "B99999999")
    page.fill("#id_name", "   ")
    page.get_by_role("button", name="Save").click()
    expect_invalid(page, "name", "This field is required.")
    expect(page.locator("#id_notes")).to_have_value("Prefers email")
    zeta.refresh_from_db()
    assert (zeta.name, zeta.notes) == ("Zeta Consultores", "")


# --- Tasks and incidents ------------------------------------------------------------------------


def test_new_task_for_a_client_goes_on_the_quick_logs_project(signed_in, live_server, world, today):
    page = signed_in
    page.goto(f"{live_server.url}/clients/ACME/")
    open_more(page, "New task")
    expect(page.get_by_role("heading", name="New task")).to_be_visible()
    expect(page.get_by_label("task", exact=True)).to_be_checked()
    expect(page.locator("#id_project option:checked")).to_have_text(re.compile("^ACME"))

    page.fill("#id_title", "Send the catalogue")
    next_week = today + dt.timedelta(days=7)
    page.fill("#id_next_follow_up", next_week.isoformat())
    page.select_option("#id_assigned_to", label="Luis Pérez")
    page.get_by_role("button", name="Create").click()

    expect(message(page)).to_have_text("“Send the catalogue” created on project ACME.")
    expect(page.get_by_role("heading", name="Send the catalogue")).to_be_visible()
    expect(page.locator(".task-facts time")).to_have_attribute("datetime", next_week.isoformat())
    task = Task.objects.get(title="Send the catalogue")
    assert (task.project.code, task.kind, task.next_follow_up, task.assigned_to.code) == (
        "ACME",
        "task",
        next_week,
        "LUIS",
    )
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.pk}/")


def test_new_task_for_a_client_without_projects_creates_one(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/clients/ZETA/tasks/new/")
    page.fill("#id_title", "First visit")
    page.get_by_role("button", name="Create").click()

    expect(message(page)).to_have_text("“First visit” created on project ZETA (new project).")
    task = Task.objects.get(title="First visit")
    assert (task.project.code, task.project.client.code) == ("ZETA", "ZETA")


def test_new_incident_for_a_client_with_several_projects_asks_which(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/clients/BODEGAS/")
    open_more(page, "New incident")
    expect(page.get_by_role("heading", name="New incident")).to_be_visible()
    expect(page.get_by_label("incident", exact=True)).to_be_checked()

    page.fill("#id_title", "Broken pallet")
    page.select_option("#id_priority", "urgent")
    page.select_option("#id_reported_via", "phone")
    page.fill("#id_reported_by", "Marta, warehouse")
    page.fill("#id_description", "Two boxes arrived broken.")
    page.get_by_role("button", name="Create").click()

    expect_invalid(page, "project", "has several active projects and none has its code")
    expect(page.locator("#id_title")).to_have_value("Broken pallet")
    expect(page.locator("#id_priority")).to_have_value("urgent")
    expect(page.locator("#id_reported_by")).to_have_value("Marta, warehouse")
    expect(page.locator("#id_description")).to_have_value("Two boxes arrived broken.")
    expect(page.get_by_label("incident", exact=True)).to_be_checked()
    assert not Task.objects.filter(title="Broken pallet").exists()

    page.select_option("#id_project", label="BOD-EXPORT · Exportación")
    page.get_by_role("button", name="Create").click()

    expect(message(page)).to_have_text("“Broken pallet” created on project BOD-EXPORT.")
    expect(page.locator("h1 .badge.incident")).to_have_text("incident")
    expect(page.locator("h1 .badge.priority-urgent")).to_have_text("urgent")
    expect(page.get_by_text("Marta, warehouse (phone)")).to_be_visible()
    incident = Task.objects.get(title="Broken pallet")
    assert (incident.kind, incident.priority, incident.reported_via, incident.project.code) == (
        "incident",
        "urgent",
        "phone",
        "BOD-EXPORT",
    )


def test_new_task_for_a_project_needs_a_title(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/projects/BOD-TIENDA/")
    open_more(page, "New task")
    expect(page).to_have_url(f"{live_server.url}/projects/BOD-TIENDA/tasks/new/")
    expect(page.locator("#id_project")).to_have_count(0)  # the page's project
    page.fill("#id_title", "   ")
    page.fill("#id_description", "Photos of the new wines")
    page.get_by_role("button", name="Create").click()

    expect_invalid(page, "title", "This field is required.")
    expect(page.locator("#id_description")).to_have_value("Photos of the new wines")
    assert not world["shop"].tasks.exists()

    page.fill("#id_title", "Photos")
    page.get_by_role("button", name="Create").click()
    expect(message(page)).to_have_text("“Photos” created.")
    task = world["shop"].tasks.get()
    assert (task.title, task.description) == ("Photos", "Photos of the new wines")


def test_a_closed_project_takes_no_new_task(signed_in, live_server, world):
    factories.project(world["acme"], "ACME-OLD", status="closed")
    page = signed_in
    page.goto(f"{live_server.url}/projects/ACME-OLD/tasks/new/")
    page.fill("#id_title", "Too late")
    page.get_by_role("button", name="Create").click()

    expect(page.locator(".form-error")).to_have_text(
        "Project ACME-OLD is closed: reopen it to add work."
    )
    expect(page.locator("#id_title")).to_have_value("Too late")
    assert not Task.objects.filter(title="Too late").exists()


def test_task_page_done_reopen_assign_and_reschedule(signed_in, live_server, world, today):
    task = world["follow_up"]
    page = signed_in
    page.goto(f"{live_server.url}/tasks/")
    page.get_by_role("link", name="Seguimiento").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.pk}/")
    when = page.locator(".task-facts time")

    page.get_by_role("button", name="+1 day").click()
    expect(message(page)).to_contain_text("“Seguimiento”: next follow-up")
    expect(when).to_have_attribute("datetime", (today + dt.timedelta(days=1)).isoformat())
    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=1)

    page.get_by_role("button", name="+1 week").click()
    expect(when).to_have_attribute("datetime", (today + dt.timedelta(days=8)).isoformat())
    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=8)

    page.get_by_label("New date").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Move").click()
    expect(when).to_have_attribute("datetime", (today + dt.timedelta(days=30)).isoformat())
    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=30)

    page.locator("#id_assigned_to").select_option(label="Luis Pérez")
    page.get_by_role("button", name="Assign").click()
    expect(message(page)).to_have_text("“Seguimiento” assigned to Luis Pérez.")
    expect(page.locator("#id_assigned_to option:checked")).to_have_text("Luis Pérez")
    task.refresh_from_db()
    assert task.assigned_to.code == "LUIS"

    page.get_by_role("button", name="Mark done").click()
    expect(message(page)).to_contain_text("“Seguimiento” done.")
    expect(message(page).get_by_role("button", name="Undo")).to_be_visible()
    expect(page.locator("hgroup .badge.done")).to_have_text("done")
    expect(page.get_by_role("button", name="Log activity")).to_have_count(0)
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None

    page.get_by_role("button", name="Reopen").click()
    expect(message(page)).to_have_text("“Seguimiento” reopened.")
    expect(page.locator("hgroup .badge.done")).to_have_count(0)
    task.refresh_from_db()
    assert task.status == "pending" and task.completed_at is None


def test_reschedule_without_a_date_says_what_to_choose(signed_in, live_server, world, today):
    task = world["follow_up"]
    Task.objects.filter(pk=task.pk).update(next_follow_up=today)
    page = signed_in
    page.goto(f"{live_server.url}/tasks/{task.pk}/")

    page.get_by_role("button", name="Move").click()

    expect(message(page)).to_have_text("Choose +1 day, +1 week, or a date.")
    expect(page.locator(".message.error")).to_be_visible()
    task.refresh_from_db()
    assert task.next_follow_up == today


def test_reopening_a_task_of_a_closed_project_says_why_not(signed_in, live_server, world):
    old = factories.project(world["acme"], "ACME-OLD", status="closed")
    task = factories.task(old, "Old call", status="done")
    page = signed_in
    page.goto(f"{live_server.url}/tasks/{task.pk}/")

    page.get_by_role("button", name="Reopen").click()

    expect(page.locator(".message.error")).to_have_text(
        "Project ACME-OLD is closed: reopen it to add work."
    )
    task.refresh_from_db()
    assert task.status == "done"


def test_edit_task_then_an_empty_title_is_refused(signed_in, live_server, world, today):
    task = world["follow_up"]
    page = signed_in
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.get_by_role("button", name="Edit").click()
    expect(page.locator("#id_title")).to_have_value("Seguimiento")

    page.get_by_label("incident", exact=True).check()
    page.fill("#id_title", "Late delivery")
    page.select_option("#id_priority", "high")
    page.fill("#id_next_follow_up", (today + dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Save").click()

    expect(message(page)).to_have_text("“Late delivery” saved.")
    expect(page.locator("h1 .badge.priority-high")).to_have_text("high")
    task.refresh_from_db()
    assert (task.title, task.kind, task.priority, task.next_follow_up) == (
        "Late delivery",
        "incident",
        "high",
        today + dt.timedelta(days=2),
    )

    page.goto(f"{live_server.url}/tasks/{task.pk}/edit/")
    page.fill("#id_title", " ")
    page.fill("#id_reported_by", "The owner")
    page.get_by_role("button", name="Save").click()
    expect_invalid(page, "title", "This field is required.")
    expect(page.locator("#id_reported_by")).to_have_value("The owner")
    task.refresh_from_db()
    assert (task.title, task.reported_by) == ("Late delivery", "")


def test_tasks_list_filters(signed_in, live_server, world, ana):
    incident = factories.task(world["shop"], "Web down", kind="incident")
    Task.objects.filter(pk=incident.pk).update(assigned_to=ana.employee)
    factories.task(world["export"], "Old call", status="done")
    page = signed_in
    page.goto(live_server.url)
    page.get_by_role("link", name="Tasks", exact=True).click()
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(2)  # pending ones, by default
    expect(page.locator("#id_status")).to_have_value("pending")

    page.select_option("#id_kind", "incident")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Web down")
    expect(page).to_have_url(re.compile(r"kind=incident"))

    page.select_option("#id_kind", "")
    page.select_option("#id_status", "done")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Old call")

    page.select_option("#id_status", "")
    page.select_option("#id_assigned_to", label="Ana García")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Web down")

    page.select_option("#id_assigned_to", "")
    page.fill("#id_q", "valdehierro")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    expect(page.locator("table.tasks")).not_to_contain_text("Seguimiento")

    page.fill("#id_q", "nothing like it")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No task matches.")).to_be_visible()


# --- Dedications on existing work ---------------------------------------------------------------


def test_dedication_for_a_client_defaults_to_the_quick_logs_work(
    signed_in, live_server, world, today
):
    page = signed_in
    page.goto(f"{live_server.url}/clients/ACME/")
    open_more(page, "Activity on existing work")
    expect(page.get_by_role("heading", name="Activity for ACME")).to_be_visible()
    expect(page.locator("#id_project option:checked")).to_have_text(re.compile("^ACME"))
    expect(page.locator("#id_task option:checked")).to_have_text("ACME · Seguimiento")
    expect(page.locator("#id_employee option:checked")).to_have_text("Ana García")
    expect(page.locator("#id_date")).to_have_value(f"{today:%d/%m/%Y}")
    expect(page.locator("#id_text")).to_be_focused()

    page.keyboard.type("Reviewed the contract")
    page.fill("#id_minutes", "1:15")
    page.get_by_role("button", name="Record").click()

    task = world["follow_up"]
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.pk}/")
    expect(message(page)).to_have_text("Activity logged on ACME.")
    expect(page.locator("table.dedications")).to_contain_text("Reviewed the contract")
    expect(page.get_by_text("1 activity, 1h15")).to_be_visible()
    dedication = Dedication.objects.get()
    assert (dedication.task, dedication.minutes, dedication.employee.code, dedication.via) == (
        task,
        75,
        "ANA",
        "web",
    )
    assert dedication.recorded_by.username == "ana"


def test_dedication_for_a_client_shows_every_bad_field_and_keeps_the_text(
    signed_in, live_server, world, today
):
    page = signed_in
    page.goto(f"{live_server.url}/clients/ACME/dedications/new/")
    page.fill("#id_text", "Visit to the plant")
    page.fill("#id_date", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_minutes", "2000")
    page.get_by_role("button", name="Record").click()

    expect_invalid(page, "date", "The date cannot be in the future.")
    expect_invalid(page, "minutes", "between 0 and 1440")
    expect(page.locator("#id_text")).to_have_value("Visit to the plant")
    expect(page.locator("#id_minutes")).to_have_value("2000")
    assert Dedication.objects.count() == 0

    page.fill("#id_minutes", "a while")
    page.fill("#id_date", today.isoformat())
    page.get_by_role("button", name="Record").click()
    expect_invalid(page, "minutes", "“a while” is not a duration")
    expect(page.locator("#id_text")).to_have_value("Visit to the plant")
    assert Dedication.objects.count() == 0


def test_dedication_for_a_client_refuses_a_task_of_another_project(signed_in, live_server, world):
    factories.task(world["shop"], "Photos")
    page = signed_in
    page.goto(f"{live_server.url}/clients/BODEGAS/dedications/new/")
    page.select_option("#id_project", label="BOD-EXPORT · Exportación")
    page.select_option("#id_task", label="BOD-TIENDA · Photos")
    page.fill("#id_text", "Sent the photos")
    page.get_by_role("button", name="Record").click()

    expect_invalid(page, "task", "belongs to project BOD-TIENDA, not BOD-EXPORT")
    expect(page.locator("#id_text")).to_have_value("Sent the photos")
    assert Dedication.objects.count() == 0

    page.select_option("#id_project", label="BOD-TIENDA · Tienda online")
    page.get_by_role("button", name="Record").click()
    expect(message(page)).to_have_text("Activity logged on BOD-TIENDA.")
    assert Dedication.objects.get().task.title == "Photos"


def test_dedication_on_a_project_needs_who_did_it(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/projects/BOD-EXPORT/")
    page.get_by_role("button", name="Log activity").click()
    expect(page.get_by_role("heading", name="Activity on BOD-EXPORT")).to_be_visible()
    page.fill("#id_text", "Price list for Mexico")
    page.fill("#id_minutes", "45")
    page.select_option("#id_employee", label="Choose…")
    page.get_by_role("button", name="Record").click()

    expect_invalid(page, "employee", "Choose who did it.")
    expect(page.locator("#id_text")).to_have_value("Price list for Mexico")
    assert Dedication.objects.count() == 0

    page.select_option("#id_employee", label="Luis Pérez")
    page.get_by_role("button", name="Record").click()

    expect(page).to_have_url(f"{live_server.url}/projects/BOD-EXPORT/")
    expect(message(page)).to_have_text("Activity logged on BOD-EXPORT.")
    expect(page.locator(".totals")).to_have_text("1 activity, 45m in all")
    row = page.locator("table.dedications tbody tr")
    expect(row).to_contain_text("Luis Pérez")
    expect(row).to_contain_text("recorded by Ana García")
    dedication = Dedication.objects.get()
    assert (dedication.project.code, dedication.task, dedication.employee.code) == (
        "BOD-EXPORT",
        None,
        "LUIS",
    )


def test_dedication_on_a_task_needs_a_text(signed_in, live_server, world):
    task = world["follow_up"]
    page = signed_in
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.get_by_role("button", name="Log activity").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.pk}/dedications/new/")
    page.fill("#id_text", "   ")
    page.fill("#id_minutes", "1.5h")
    page.get_by_role("button", name="Record").click()

    expect_invalid(page, "text", "Say what was done.")
    expect(page.locator("#id_minutes")).to_have_value("1.5h")
    assert Dedication.objects.count() == 0

    page.fill("#id_text", "Called the buyer")
    page.get_by_role("button", name="Record").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.pk}/")
    expect(page.get_by_text("1 activity, 1h30")).to_be_visible()
    assert Dedication.objects.get().minutes == 90


def test_change_then_delete_my_dedication(signed_in, live_server, world, ana, today):
    task = world["follow_up"]
    dedication = factories.dedication(task, ana.employee, text="Called", minutes=10)
    page = signed_in
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.locator("table.dedications").get_by_role("link", name="Change").click()
    expect(page.get_by_role("heading", name="Change an activity")).to_be_visible()
    expect(page.locator("#id_text")).to_have_value("Called")
    expect(page.locator("#id_minutes")).to_have_value("10m")  # as the lists show it

    page.fill("#id_minutes", "an hour")
    page.fill("#id_text", "Called twice")
    page.get_by_role("button", name="Save").click()
    expect_invalid(page, "minutes", "“an hour” is not a duration")
    expect(page.locator("#id_text")).to_have_value("Called twice")
    dedication.refresh_from_db()
    assert (dedication.text, dedication.minutes) == ("Called", 10)
    assert not DedicationChange.objects.exists()

    page.fill("#id_minutes", "1h")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.pk}/")
    expect(message(page)).to_have_text("Activity saved.")
    row = page.locator("table.dedications tbody tr")
    expect(row).to_contain_text("Called twice")
    expect(row).to_contain_text("changed ")
    expect(row.locator("td.number")).to_have_text("1h")
    dedication.refresh_from_db()
    assert (dedication.text, dedication.minutes, dedication.updated_by) == ("Called twice", 60, ana)
    change = DedicationChange.objects.get()
    assert (change.action, change.before["text"], change.after["text"]) == (
        "changed",
        "Called",
        "Called twice",
    )

    page.locator("table.dedications").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete this activity?")).to_be_visible()
    expect(page.locator("article")).to_contain_text("Called twice")
    page.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(f"{live_server.url}/tasks/{task.pk}/")
    expect(message(page)).to_have_text("Activity deleted.")
    expect(page.get_by_text("Nothing recorded yet.")).to_be_visible()
    assert not Dedication.objects.exists()
    deleted = DedicationChange.objects.get(action="deleted")
    assert (deleted.dedication_number, deleted.changed_by) == (dedication.pk, ana)


def test_someone_elses_dedication_cannot_be_changed_or_deleted(
    page, context, live_server, world, ana
):
    """Ana is not a manager; Luis recorded his own dedication. (Not `signed_in`: Chromium
    logs each 403 answer as a console error.)"""
    task = world["follow_up"]
    luis = world["luis"]
    theirs = factories.dedication(task, luis.employee, text="Luis called", recorded_by=luis)
    recorded_for_ana = factories.dedication(
        task, ana.employee, text="Luis wrote it for Ana", recorded_by=luis
    )
    sign_in(context, live_server, ana)
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    rows = page.locator("table.dedications tbody tr")
    expect(rows.filter(has_text="Luis called").get_by_role("link", name="Change")).to_have_count(0)
    expect(rows.filter(has_text="Luis called").get_by_role("link", name="Delete")).to_have_count(0)
    # Hers, though Luis recorded it: she may change it.
    expect(
        rows.filter(has_text="Luis wrote it for Ana").get_by_role("link", name="Change")
    ).to_be_visible()

    for action in ("edit", "delete"):
        response = page.goto(f"{live_server.url}/dedications/{theirs.pk}/{action}/")
        assert response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(page.locator("#id_text")).to_have_count(0)
    answer = context.request.post(
        f"{live_server.url}/dedications/{theirs.pk}/delete/",
        headers={
            "X-CSRFToken": csrf_token(context),
            "Referer": live_server.url,
            "Accept-Language": "en",
        },
    )
    assert answer.status == 403 and "Not allowed" in answer.text()  # not a CSRF failure
    assert Dedication.objects.filter(pk=theirs.pk, text="Luis called").exists()
    assert not DedicationChange.objects.exists()

    page.goto(f"{live_server.url}/dedications/{recorded_for_ana.pk}/edit/")
    page.fill("#id_text", "Ana called, Luis wrote it")
    page.get_by_role("button", name="Save").click()
    expect(message(page)).to_have_text("Activity saved.")
    recorded_for_ana.refresh_from_db()
    assert recorded_for_ana.text == "Ana called, Luis wrote it"


def test_a_manager_changes_anyones_dedication(signed_in, live_server, world, ana, ana_is_manager):
    task = world["follow_up"]
    luis = world["luis"]
    theirs = factories.dedication(task, luis.employee, text="Luis called", recorded_by=luis)
    page = signed_in
    page.goto(f"{live_server.url}/tasks/{task.pk}/")

    page.locator("table.dedications").get_by_role("link", name="Change").click()
    page.fill("#id_text", "Luis called the buyer")
    page.get_by_role("button", name="Save").click()

    expect(message(page)).to_have_text("Activity saved.")
    theirs.refresh_from_db()
    assert (theirs.text, theirs.employee.code, theirs.updated_by) == (
        "Luis called the buyer",
        "LUIS",
        ana,
    )


# --- Projects -----------------------------------------------------------------------------------


def test_projects_list_filters(signed_in, live_server, world):
    factories.project(world["acme"], "ACME-2019", name="Feria 2019", status="closed")
    factories.project(world["bodegas"], "BOD-PLANTA", name="Planta nueva", kind="production")
    page = signed_in
    page.goto(live_server.url)
    page.get_by_role("link", name="Projects", exact=True).click()
    rows = page.locator("table.projects tbody tr")
    expect(rows).to_have_count(5)

    page.select_option("#id_status", "closed")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ACME-2019")
    expect(rows.first.locator(".badge.archived")).to_have_text("closed")
    expect(page).to_have_url(re.compile(r"status=closed"))

    page.select_option("#id_status", "")
    page.select_option("#id_kind", "production")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Planta nueva")

    page.select_option("#id_kind", "")
    page.fill("#id_client", "bodegas")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(3)
    expect(page.locator("table.projects")).not_to_contain_text("ACME")

    page.fill("#id_client", "")
    page.fill("#id_q", "tienda")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("BOD-TIENDA")

    page.fill("#id_q", "nothing like it")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No project matches.")).to_be_visible()


def test_project_page_shows_tasks_dedications_and_total_time(signed_in, live_server, world, ana):
    project = world["acme_project"]
    done = factories.task(project, "Old quote", status="done")
    factories.dedication(world["follow_up"], ana.employee, text="Called", minutes=90)
    factories.dedication(done, world["luis"].employee, text="Sent the quote", minutes=45)
    page = signed_in
    page.goto(f"{live_server.url}/projects/")
    page.get_by_role("link", name="ACME", exact=True).first.click()

    expect(page).to_have_url(f"{live_server.url}/projects/ACME/")
    expect(page.get_by_role("heading", name="ACME Acme Industrial")).to_be_visible()
    expect(page.locator(".totals")).to_have_text("2 activities, 2h15 in all")
    tasks = page.locator("table.tasks tbody tr")
    expect(tasks).to_have_count(2)
    expect(tasks.filter(has_text="Old quote").locator(".badge.done")).to_be_visible()
    dedications = page.locator("table.dedications tbody tr")
    expect(dedications).to_have_count(2)
    expect(dedications.filter(has_text="Sent the quote")).to_contain_text("Luis Pérez")
    expect(dedications.filter(has_text="Called").locator("td.number")).to_have_text("1h30")


def test_new_project_from_the_client_page_then_edit_it(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/clients/ZETA/")
    open_more(page, "New project")
    expect(page.locator("#id_client")).to_have_value("ZETA")

    page.fill("#id_code", "zeta-web")
    page.fill("#id_name", "Web nueva")
    page.select_option("#id_kind", "production")
    page.get_by_role("button", name="Create project").click()

    expect(page).to_have_url(f"{live_server.url}/projects/ZETA-WEB/")
    expect(message(page)).to_have_text("Project ZETA-WEB created.")
    expect(page.get_by_role("heading", name="ZETA-WEB Web nueva")).to_be_visible()
    project = Project.objects.get(code="ZETA-WEB")
    assert (project.client.code, project.kind, project.status) == ("ZETA", "production", "active")

    open_more(page, "Edit project")
    expect(page.locator("#id_name")).to_have_value("Web nueva")
    page.fill("#id_name", "   ")
    page.select_option("#id_kind", "commercial")
    page.get_by_role("button", name="Save").click()
    expect_invalid(page, "name", "This field is required.")
    expect(page.locator("#id_kind")).to_have_value("commercial")
    project.refresh_from_db()
    assert (project.name, project.kind) == ("Web nueva", "production")

    page.fill("#id_name", "Tienda web")
    page.get_by_role("button", name="Save").click()
    expect(message(page)).to_have_text("Project ZETA-WEB saved.")
    expect(page.get_by_role("heading", name="ZETA-WEB Tienda web")).to_be_visible()
    project.refresh_from_db()
    assert (project.name, project.kind) == ("Tienda web", "commercial")


def test_new_project_with_a_taken_code(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/projects/")
    page.get_by_role("button", name="New project").click()
    page.fill("#id_code", "bod-export")
    page.fill("#id_name", "Export 2")
    page.fill("#id_client", "BODEGAS")
    page.get_by_role("button", name="Create project").click()

    expect_invalid(page, "code", "The code BOD-EXPORT is already used by another project.")
    expect(page.locator("#id_code")).to_have_value("bod-export")
    expect(page.locator("#id_name")).to_have_value("Export 2")
    expect(page.locator("#id_client")).to_have_value("BODEGAS")
    assert Project.objects.count() == 3


def test_close_a_project_with_pending_tasks_asks_to_confirm(signed_in, live_server, world):
    factories.task(world["acme_project"], "Second call")
    page = signed_in
    page.goto(f"{live_server.url}/projects/ACME/")
    open_more(page, "Close project")
    expect(page.get_by_role("heading", name="Close project ACME")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("It has 2 pending tasks")
    confirm = page.get_by_label("Close it even though it has pending tasks")
    expect(confirm).not_to_be_checked()

    page.get_by_role("button", name="Close project").click()
    expect(page.get_by_role("alert").first).to_contain_text("2 pending tasks")
    expect(confirm).to_be_visible()
    world["acme_project"].refresh_from_db()
    assert world["acme_project"].status == "active"

    confirm.check()
    page.get_by_role("button", name="Close project").click()
    expect(page).to_have_url(f"{live_server.url}/projects/ACME/")
    expect(message(page)).to_have_text("Project ACME closed.")
    expect(page.locator("hgroup .badge.archived")).to_have_text("closed")
    expect(page.get_by_role("button", name="Log activity")).to_have_count(0)
    world["acme_project"].refresh_from_db()
    assert world["acme_project"].status == "closed"
    # Its tasks stay pending, off the agenda until it is reopened.
    assert world["acme_project"].tasks.filter(status="pending").count() == 2

    page.get_by_role("button", name="Reopen").click()
    expect(message(page)).to_have_text("Project ACME reopened.")
    expect(page.locator("hgroup .badge.archived")).to_have_count(0)
    world["acme_project"].refresh_from_db()
    assert world["acme_project"].status == "active"


def test_close_a_project_without_pending_tasks_needs_no_confirmation(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/projects/BOD-EXPORT/close/")
    expect(page.get_by_text("It has no pending tasks.")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)

    page.get_by_role("button", name="Close project").click()

    expect(message(page)).to_have_text("Project BOD-EXPORT closed.")
    world["export"].refresh_from_db()
    assert world["export"].status == "closed"


def test_reopening_a_project_of_an_archived_client_says_why_not(signed_in, live_server, world):
    Client.objects.filter(code="ZETA").update(active=False)
    old = factories.project(Client.objects.get(code="ZETA"), "ZETA-OLD", status="closed")
    page = signed_in
    page.goto(f"{live_server.url}/projects/ZETA-OLD/")

    page.get_by_role("button", name="Reopen").click()

    expect(page.locator(".message.error")).to_have_text(
        "Client ZETA is archived: restore it to reopen its projects."
    )
    old.refresh_from_db()
    assert old.status == "closed"


# --- Employees ----------------------------------------------------------------------------------


@pytest.fixture
def as_manager(signed_in, ana_is_manager):
    """The signed-in page, Ana being a manager."""
    return signed_in


def employee_row(page: Page, code: str):
    return page.locator("table.employees tbody tr").filter(has=page.locator(f"text='{code}'"))


def test_a_manager_adds_an_employee_linked_to_a_login_user(as_manager, live_server, world):
    factories.user("pepe")
    page = as_manager
    page.goto(live_server.url)
    page.get_by_role("link", name="Employees", exact=True).click()
    page.get_by_role("button", name="New employee").click()

    page.fill("#id_code", "ana")
    page.fill("#id_name", "Pepe Ruiz")
    page.fill("#id_email", "pepe@hexa.example")
    page.select_option("#id_user", label="pepe")
    page.get_by_role("button", name="Create employee").click()

    expect_invalid(page, "code", "The code ANA is already used by another employee.")
    expect(page.locator("#id_name")).to_have_value("Pepe Ruiz")
    expect(page.locator("#id_user option:checked")).to_have_text("pepe")
    assert Employee.objects.count() == 2

    page.fill("#id_code", "pepe")
    page.get_by_role("button", name="Create employee").click()

    expect(page).to_have_url(f"{live_server.url}/employees/")
    expect(message(page)).to_have_text("Employee PEPE created.")
    row = employee_row(page, "PEPE")
    expect(row).to_contain_text("Pepe Ruiz")
    expect(row).to_contain_text("pepe@hexa.example")
    expect(row.locator("td").nth(3)).to_have_text("pepe")
    pepe = Employee.objects.get(code="PEPE")
    assert (pepe.name, pepe.email, pepe.user.username, pepe.active) == (
        "Pepe Ruiz",
        "pepe@hexa.example",
        "pepe",
        True,
    )


def test_a_manager_edits_an_employee_and_a_login_user_links_once(as_manager, live_server, world):
    factories.user("luis.p")
    page = as_manager
    page.goto(f"{live_server.url}/employees/")
    employee_row(page, "LUIS").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit Luis Pérez")).to_be_visible()
    expect(page.locator("#id_user option:checked")).to_have_text("luis")

    # A login already linked to another employee is not offered.
    offered = page.locator("#id_user option").all_text_contents()
    assert "ana" not in offered and "luis" in offered and "luis.p" in offered
    luis = Employee.objects.get(code="LUIS")

    page.fill("#id_email", "luis@hexa.example")
    page.select_option("#id_user", label="luis.p")
    page.fill("#id_name", "Luis Pérez Gil")
    page.get_by_role("button", name="Save").click()
    expect(message(page)).to_have_text("Employee LUIS saved.")
    row = employee_row(page, "LUIS")
    expect(row).to_contain_text("Luis Pérez Gil")
    expect(row.locator("td").nth(3)).to_have_text("luis.p")
    luis.refresh_from_db()
    assert (luis.name, luis.email, luis.user.username) == (
        "Luis Pérez Gil",
        "luis@hexa.example",
        "luis.p",
    )


def test_a_manager_deactivates_and_restores_an_employee(as_manager, live_server, world):
    page = as_manager
    page.goto(f"{live_server.url}/employees/")
    row = employee_row(page, "LUIS")

    row.get_by_role("button", name="Deactivate").click()
    expect(message(page)).to_have_text("Luis Pérez deactivated.")
    expect(row.locator(".badge.archived")).to_have_text("inactive")
    assert Employee.objects.get(code="LUIS").active is False
    page.goto(f"{live_server.url}/projects/ACME/dedications/new/")
    expect(page.locator("#id_employee")).not_to_contain_text("Luis Pérez")

    page.goto(f"{live_server.url}/employees/")
    row.get_by_role("button", name="Restore").click()
    expect(message(page)).to_have_text("Luis Pérez restored.")
    expect(row.locator(".badge.archived")).to_have_count(0)
    assert Employee.objects.get(code="LUIS").active is True


def test_others_see_employees_but_may_not_manage_them(page, context, live_server, world, ana):
    # Not `signed_in`: Chromium logs each 403 answer as a console error.
    sign_in(context, live_server, ana)
    page.goto(f"{live_server.url}/employees/")
    expect(page.locator("table.employees tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="New employee")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    expect(page.get_by_text("Only managers add, change or deactivate employees.")).to_be_visible()

    for address in ("/employees/new/", "/employees/LUIS/edit/"):
        response = page.goto(live_server.url + address)
        assert response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(page.locator("form #id_name")).to_have_count(0)
    answer = context.request.post(
        f"{live_server.url}/employees/LUIS/active/",
        headers={
            "X-CSRFToken": csrf_token(context),
            "Referer": live_server.url,
            "Accept-Language": "en",
        },
    )
    assert answer.status == 403 and "Not allowed" in answer.text()
    assert Employee.objects.get(code="LUIS").active is True


# --- Without JavaScript -------------------------------------------------------------------------


def test_without_javascript_a_new_incident_with_bad_input_then_good(
    browser, live_server, ana, world
):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(5_000)
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(f"{live_server.url}/clients/BODEGAS/")
    page.locator("details.dropdown summary").click()
    page.get_by_role("link", name="New incident").click()
    expect(page).to_have_url(f"{live_server.url}/clients/BODEGAS/tasks/new/?kind=incident")

    page.fill("#id_title", "Wrong labels")
    page.select_option("#id_priority", "high")
    page.get_by_role("button", name="Create").click()
    expect_invalid(page, "project", "has several active projects")
    expect(page.locator("#id_title")).to_have_value("Wrong labels")
    expect(page.get_by_label("incident", exact=True)).to_be_checked()
    assert not Task.objects.filter(title="Wrong labels").exists()

    page.select_option("#id_project", label="BOD-TIENDA · Tienda online")
    page.get_by_role("button", name="Create").click()
    expect(message(page)).to_have_text("“Wrong labels” created on project BOD-TIENDA.")
    incident = Task.objects.get(title="Wrong labels")
    assert (incident.kind, incident.priority, incident.project) == (
        "incident",
        "high",
        world["shop"],
    )
    expect(page).to_have_url(f"{live_server.url}/tasks/{incident.pk}/")
    context.close()


# --- Known problems -----------------------------------------------------------------------------


def test_a_done_task_is_not_shown_as_overdue(signed_in, live_server, world, today):
    task = world["follow_up"]
    Task.objects.filter(pk=task.pk).update(next_follow_up=today - dt.timedelta(days=3))
    page = signed_in
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    expect(page.locator(".task-facts .badge.overdue")).to_be_visible()

    page.get_by_role("button", name="Mark done").click()

    expect(page.locator("hgroup .badge.done")).to_be_visible()
    expect(page.locator(".task-facts .badge.overdue")).to_have_count(0, timeout=1_500)


def test_closing_without_ticking_the_box_says_it_was_not_closed(signed_in, live_server, world):
    page = signed_in
    page.goto(f"{live_server.url}/projects/ACME/close/")

    page.get_by_role("button", name="Close project").click()

    expect(
        page.locator(".field-error, .form-error, .message.error").filter(has_text="Confirm")
    ).to_be_visible(timeout=1_500)
    world["acme_project"].refresh_from_db()
    assert world["acme_project"].status == "active"


def test_client_dedication_tells_apart_tasks_of_different_projects(signed_in, live_server, world):
    for project in (world["export"], world["shop"]):
        factories.task(project, "Seguimiento")
    page = signed_in
    page.goto(f"{live_server.url}/clients/BODEGAS/dedications/new/")

    for task in Task.objects.filter(project__client=world["bodegas"]):
        expect(page.locator(f"#id_task option[value='{task.pk}']")).to_contain_text(
            task.project.code, timeout=1_500
        )


def test_a_dedication_changed_from_the_client_page_returns_there(spanish_page, live_server, ana):
    acme = factories.client("ACME", name="Acme Industrial")
    task = factories.task(factories.project(acme, "ACME"), "Seguimiento")
    dedication = factories.dedication(
        task, ana.employee, text="Llamada", minutes=240, recorded_by=ana
    )
    page = spanish_page
    page.goto(f"{live_server.url}/clients/ACME/")
    expect(page.locator("table.dedications")).to_contain_text("4h")

    page.locator("table.dedications").get_by_role("link", name="Cambiar").click()
    expect(page.locator("#id_minutes")).to_have_value("4h")
    page.fill("#id_text", "Llamada y presupuesto enviado")
    page.fill("#id_minutes", "4h30")
    page.get_by_role("button", name="Guardar").click()

    expect(page).to_have_url(f"{live_server.url}/clients/ACME/")
    expect(page.locator("table.dedications")).to_contain_text("Llamada y presupuesto enviado")
    expect(page.locator("table.dedications")).to_contain_text("4h30")
    dedication.refresh_from_db()
    assert dedication.minutes == 270
