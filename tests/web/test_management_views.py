"""The fuller management pages and the agenda through Django's test client: access,
permissions, forms and their bad input, the calendar feed, query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from hexa.crm.models import (
    CalendarFeed,
    Client,
    Dedication,
    DedicationChange,
    Employee,
    Project,
    Task,
)
from tests import factories
from tests.web.conftest import signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


@pytest.fixture
def bea(db):
    """Not a manager, employee BEA."""
    user = factories.user("bea")
    factories.employee("BEA", name="Bea López", user=user)
    return user


@pytest.fixture
def acme(db):
    acme = factories.client("ACME", name="Acme Industrial")
    project = factories.project(acme, "ACME", name="Acme")
    factories.task(project, "Seguimiento")
    return acme


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Access -------------------------------------------------------------------------------------

PAGES = [
    "/agenda/",
    "/projects/",
    "/projects/new/",
    "/projects/ACME/",
    "/projects/ACME/edit/",
    "/projects/ACME/close/",
    "/projects/ACME/tasks/new/",
    "/projects/ACME/dedications/new/",
    "/tasks/",
    "/tasks/{task}/",
    "/tasks/{task}/edit/",
    "/tasks/{task}/dedications/new/",
    "/clients/new/",
    "/clients/ACME/edit/",
    "/clients/ACME/tasks/new/",
    "/clients/ACME/dedications/new/",
    "/dedications/{dedication}/edit/",
    "/dedications/{dedication}/delete/",
    "/employees/",
    "/employees/new/",
    "/employees/ANA/edit/",
]


def _fill(path: str, acme) -> str:
    task = Task.objects.get(project__code="ACME")
    employee = Employee.objects.get(code="ANA")
    dedication = factories.dedication(task, employee)
    return path.format(task=task.pk, dedication=dedication.pk)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_signed_in_user(client, ana, acme, path):
    response = client.get(_fill(path, acme))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_a_manager(web, acme, path):
    response = web.get(_fill(path, acme))

    assert response.status_code == 200, path


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/clients/ACME/archive/"),
        ("post", "/projects/ACME/reopen/"),
        ("post", "/tasks/{task}/complete/"),
        ("post", "/tasks/{task}/reopen/"),
        ("post", "/tasks/{task}/reschedule/"),
        ("post", "/tasks/{task}/assign/"),
        ("post", "/employees/ANA/active/"),
        ("post", "/agenda/calendar/"),
    ],
)
def test_every_action_needs_a_signed_in_user_and_a_post(client, web, ana, acme, method, path):
    path = _fill(path, acme)
    web.logout()

    assert client.post(path)["Location"].startswith("/accounts/login/")
    signed_in_client(client, ana)
    assert client.get(path).status_code == 405


# --- Clients ------------------------------------------------------------------------------------


def test_create_a_client(web):
    response = web.post(
        "/clients/new/",
        {"code": " nueva ", "name": "Nueva S.L.", "tax_id": "b-123", "email": "", "phone": ""},
    )

    client = Client.objects.get(code="NUEVA")
    assert response["Location"] == "/clients/NUEVA/"
    assert (client.name, client.tax_id) == ("Nueva S.L.", "B123")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "", "name": "X"}, "code"),
        ({"code": "A B", "name": "X"}, "code"),
        ({"code": "ACME", "name": "Duplicate"}, "code"),
        ({"code": "NEW", "name": ""}, "name"),
        ({"code": "NEW", "name": "X", "email": "not-an-email"}, "email"),
    ],
)
def test_client_bad_input_is_shown_on_its_field(web, acme, data, field):
    response = web.post("/clients/new/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Client.objects.count() == 1


def test_edit_archive_and_restore_a_client(web, acme):
    web.post("/clients/ACME/edit/", {"name": "Acme Renamed", "phone": "91 000"})
    acme.refresh_from_db()
    assert (acme.name, acme.phone) == ("Acme Renamed", "91 000")

    web.post("/clients/ACME/archive/")
    acme.refresh_from_db()
    assert not acme.active
    assert [c.code for c in web.get("/").context["page"]] == []
    assert [c.code for c in web.get("/", {"archived": "on"}).context["page"]] == ["ACME"]
    assert "archived" in web.get("/clients/ACME/log/").content.decode()

    web.post("/clients/ACME/archive/", {"restore": "1"})
    acme.refresh_from_db()
    assert acme.active


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


# --- Dedications on existing work, and their changes -----------------------------------------


def test_dedication_on_a_client_defaults_to_the_quick_logs_project_and_task(web, acme, today):
    form = web.get("/clients/ACME/dedications/new/").context["form"]
    task = Task.objects.get()

    assert form.initial["project"].code == "ACME"
    assert form.initial["task"] == task

    response = web.post(
        "/clients/ACME/dedications/new/",
        {
            "project": task.project.pk,
            "task": task.pk,
            "text": "Visit",
            "employee": form.initial["employee"].pk,
            "date": today.isoformat(),
            "minutes": "1:30",
        },
    )
    dedication = Dedication.objects.get()
    assert response["Location"] == f"/tasks/{task.pk}/"
    assert (dedication.task, dedication.minutes, dedication.via) == (task, 90, "web")


def test_dedication_for_another_employee_shows_who_recorded_it(web, acme, bea, today):
    task = Task.objects.get()

    web.post(
        f"/tasks/{task.pk}/dedications/new/",
        {"text": "For Bea", "employee": bea.employee.pk, "date": today.isoformat()},
    )

    dedication = Dedication.objects.get()
    assert dedication.employee == bea.employee and dedication.recorded_by.username == "ana"
    # Named as a person: her employee's name, not her login.
    assert "recorded by Ana García" in web.get(f"/tasks/{task.pk}/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, "text"),
        ({"date": "2999-01-01"}, "date"),
        ({"minutes": "lots"}, "minutes"),
        ({"minutes": "1441"}, "minutes"),
        ({"employee": ""}, "employee"),
    ],
)
def test_dedication_bad_input_is_shown_on_its_field(web, acme, ana, today, data, field):
    project = Project.objects.get()
    good = {
        "project": project.pk,
        "text": "x",
        "employee": ana.employee.pk,
        "date": today.isoformat(),
    }

    response = web.post("/projects/ACME/dedications/new/", {**good, **data})

    assert field in response.context["form"].errors
    assert Dedication.objects.count() == 0


def test_a_task_of_another_project_is_refused(web, acme, ana, today):
    other = factories.task(factories.project(factories.client("Z"), "Z"))

    response = web.post(
        "/projects/ACME/dedications/new/",
        {"task": other.pk, "text": "x", "employee": ana.employee.pk, "date": today.isoformat()},
    )

    assert "task" in response.context["form"].errors
    assert Dedication.objects.count() == 0


def test_a_client_without_projects_is_sent_to_the_quick_log(web):
    factories.client("NEW")

    response = web.get("/clients/NEW/dedications/new/")

    assert response["Location"] == "/clients/NEW/log/"


@pytest.fixture
def dedication(acme, bea):
    """Recorded by Bea, for employee CARL (not linked to anyone)."""
    carl = factories.employee("CARL", name="Carl")
    return factories.dedication(Task.objects.get(), carl, recorded_by=bea, text="Original")


def test_a_manager_changes_anyones_dedication_and_the_change_is_kept(web, dedication, ana):
    web.post(
        f"/dedications/{dedication.pk}/edit/",
        {
            "text": "Corrected",
            "employee": dedication.employee.pk,
            "date": dedication.date.isoformat(),
            "minutes": "45",
            "task": dedication.task_id,
        },
    )

    dedication.refresh_from_db()
    assert (dedication.text, dedication.minutes, dedication.updated_by) == ("Corrected", 45, ana)
    change = DedicationChange.objects.get()
    assert (change.action, change.changed_by) == ("changed", ana)
    assert change.before["text"] == "Original" and change.after["text"] == "Corrected"


def test_whoever_recorded_it_may_delete_it_and_the_trail_stays(client, dedication, bea):
    web = signed_in_client(client, bea)

    response = web.post(f"/dedications/{dedication.pk}/delete/")

    assert response.status_code == 302
    assert not Dedication.objects.exists()
    change = DedicationChange.objects.get()
    assert (change.action, change.changed_by, change.before["text"]) == ("deleted", bea, "Original")


def test_the_employee_whose_dedication_it_is_may_change_it(client, dedication):
    carl_user = factories.user("carl")
    Employee.objects.filter(code="CARL").update(user=carl_user)
    web = signed_in_client(client, carl_user)

    assert web.get(f"/dedications/{dedication.pk}/edit/").status_code == 200
    web.post(
        f"/dedications/{dedication.pk}/edit/",
        {
            "text": "Corrected by Carl",
            "employee": dedication.employee.pk,
            "date": dedication.date.isoformat(),
            "minutes": "20",
            "task": dedication.task_id,
        },
    )
    dedication.refresh_from_db()
    assert (dedication.text, dedication.minutes, dedication.updated_by) == (
        "Corrected by Carl",
        20,
        carl_user,
    )
    assert DedicationChange.objects.get().changed_by == carl_user


def test_another_user_may_neither_change_nor_delete_it(client, dedication):
    other = factories.user("dan")
    web = signed_in_client(client, other)

    assert web.get(f"/dedications/{dedication.pk}/edit/").status_code == 403
    assert web.post(f"/dedications/{dedication.pk}/edit/", {"text": "hacked"}).status_code == 403
    assert web.post(f"/dedications/{dedication.pk}/delete/").status_code == 403
    dedication.refresh_from_db()
    assert dedication.text == "Original"
    assert not DedicationChange.objects.exists()
    page = web.get(f"/tasks/{dedication.task_id}/").content.decode()
    assert f"/dedications/{dedication.pk}/edit/" not in page


# --- Employees ----------------------------------------------------------------------------------


def test_a_manager_creates_links_deactivates_and_restores_an_employee(web):
    login = factories.user("eva")

    web.post("/employees/new/", {"code": "eva", "name": "Eva", "email": "eva@x.es"})
    web.post("/employees/EVA/edit/", {"name": "Eva Ruiz", "email": "eva@x.es", "user": login.pk})
    eva = Employee.objects.get(code="EVA")
    assert (eva.name, eva.user) == ("Eva Ruiz", login)

    web.post("/employees/EVA/active/")
    assert not Employee.objects.get(code="EVA").active
    web.post("/employees/EVA/active/", {"active": "1"})
    assert Employee.objects.get(code="EVA").active


def test_linking_a_user_already_linked_is_refused(web, bea):
    factories.employee("EVA", name="Eva")

    response = web.post("/employees/EVA/edit/", {"name": "Eva", "user": bea.pk})

    assert "user" in response.context["form"].errors
    assert Employee.objects.get(code="EVA").user is None


def test_other_users_cannot_manage_employees(client, bea):
    web = signed_in_client(client, bea)

    assert web.get("/employees/").status_code == 200
    assert "/employees/new/" not in web.get("/employees/").content.decode()
    assert web.get("/employees/new/").status_code == 403
    assert web.post("/employees/new/", {"code": "X", "name": "X"}).status_code == 403
    assert web.post("/employees/BEA/edit/", {"name": "Me"}).status_code == 403
    assert web.post("/employees/BEA/active/").status_code == 403
    assert Employee.objects.get(code="BEA").active
    assert not Employee.objects.filter(code="X").exists()


# --- Agenda -------------------------------------------------------------------------------------


@pytest.fixture
def follow_ups(acme, ana, bea, today):
    project = Project.objects.get()
    mine = factories.task(project, "Mine overdue", next_follow_up=today - dt.timedelta(days=1))
    Task.objects.filter(pk=mine.pk).update(assigned_to=ana.employee)
    theirs = factories.task(project, "Bea's today", next_follow_up=today)
    Task.objects.filter(pk=theirs.pk).update(assigned_to=bea.employee)
    factories.task(project, "Nobody's in a week", next_follow_up=today + dt.timedelta(days=7))
    factories.task(project, "Later", next_follow_up=today + dt.timedelta(days=8))
    return project


def test_agenda_groups_everyones_follow_ups(web, follow_ups):
    agenda = web.get("/agenda/", {"who": "all"}).context["agenda"]

    assert [t.title for t in agenda.overdue] == ["Mine overdue"]
    assert [t.title for t in agenda.due_today] == ["Bea's today"]
    assert [t.title for t in agenda.this_week] == ["Nobody's in a week"]
    assert [t.title for t in agenda.later] == ["Later"]


def test_my_agenda_and_an_employees(web, follow_ups, bea):
    mine = web.get("/agenda/").context["agenda"]
    hers = web.get("/agenda/", {"who": "bea"}).context["agenda"]

    assert [t.title for t in mine.overdue + mine.due_today + mine.this_week + mine.later] == [
        "Mine overdue"
    ]
    assert [t.title for t in hers.due_today] == ["Bea's today"]


def test_unassigned_follow_ups_are_whoever_worked_for_the_client_last(web, follow_ups, bea, today):
    task = Task.objects.get(title="Nobody's in a week")
    factories.dedication(task, bea.employee, date=today - dt.timedelta(days=2))
    factories.dedication(task, Employee.objects.get(code="ANA"), date=today)

    mine = web.get("/agenda/").context["agenda"]

    assert "Nobody's in a week" in [t.title for t in mine.this_week]


def test_agenda_actions_answer_htmx_with_the_message_and_the_agenda_refreshes(
    web, follow_ups, today
):
    task = Task.objects.get(title="Mine overdue")

    response = web.post(
        f"/tasks/{task.pk}/reschedule/", {"days": "1", "from": "agenda"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="messages"')
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"hexa:changed": {"task": task.pk}}
    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=1)
    done = web.post(f"/tasks/{task.pk}/complete/", {"from": "agenda"}, HTTP_HX_REQUEST="true")
    assert "“Mine overdue” done." in done.content.decode()  # the message, in place
    lists = web.get(
        "/agenda/", {"who": "all"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="agenda-lists"
    )
    assert lists.content.decode().lstrip().startswith('<div id="agenda-lists"')
    assert "Bea&#x27;s today" in lists.content.decode()  # everyone's, as the page asked
    assert f'id="agenda-task-{task.pk}"' not in lists.content.decode()


def test_quick_log_from_the_agenda_updates_the_agenda(web, follow_ups, today):
    task = Task.objects.get(title="Later")
    page = web.get("/clients/ACME/log/", {"project": "ACME"}, HTTP_HX_REQUEST="true")
    assert page.context["form"].fixed_project.code == "ACME"

    response = web.post(
        "/clients/ACME/log/",
        {
            "token": "t1",
            "text": "Called",
            "employee": Employee.objects.get(code="ANA").pk,
            "date": today.isoformat(),
            "next_follow_up": "",
            "initial-next_follow_up": "",
            "project": Project.objects.get().pk,
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/agenda/?who=all",
    )

    assert "hexa:quick-logged" in response["HX-Trigger-After-Settle"]  # the agenda refreshes
    assert 'hx-trigger="hexa:quick-logged from:body' in web.get("/agenda/").content.decode()
    assert Dedication.objects.get().task == task  # the most recent pending task


def test_forgotten_clients_are_listed_apart(web, acme, follow_ups, today):
    quiet = factories.client("QUIET")
    factories.client("BUSY")
    busy_task = factories.task(factories.project(Client.objects.get(code="BUSY"), "BUSY"))
    factories.dedication(busy_task, Employee.objects.get(code="ANA"), date=today)

    forgotten = [c.code for c in web.get("/agenda/").context["forgotten"]]

    assert forgotten == [quiet.code]


def test_agenda_query_count_does_not_grow_with_follow_ups(web, acme, today):
    project = Project.objects.get()

    def queries_for(count: int) -> int:
        for n in range(count):
            factories.task(project, f"T{n}", next_follow_up=today + dt.timedelta(days=n % 20))
        with CaptureQueriesContext(connection) as captured:
            web.get("/agenda/", {"who": "all"})
        return len(captured)

    assert queries_for(3) == queries_for(30)


# --- Calendar feed ------------------------------------------------------------------------------


def test_calendar_feed_lists_my_follow_ups_as_all_day_events(web, client, follow_ups, today):
    page = web.post("/agenda/calendar/")
    url = page.context["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    web.logout()

    response = client.get(url.removeprefix("http://testserver"))

    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["ACME · Acme Industrial: Mine overdue"]
    (event,) = events
    assert event.decoded("dtstart") == today - dt.timedelta(days=1)
    assert event.decoded("dtend") == today
    assert str(event["url"]).endswith(f"/tasks/{Task.objects.get(title='Mine overdue').pk}/")


def test_a_new_calendar_address_revokes_the_old_and_revoking_stops_it(web, client, follow_ups):
    first = web.post("/agenda/calendar/").context["url"].removeprefix("http://testserver")
    second = web.post("/agenda/calendar/").context["url"].removeprefix("http://testserver")

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    web.post("/agenda/calendar/", {"revoke": "1"})
    assert client.get(second).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_calendar_secret_is_not_stored(web, follow_ups):
    url = web.post("/agenda/calendar/").context["url"]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")

    assert secret not in str(list(CalendarFeed.objects.values()))
