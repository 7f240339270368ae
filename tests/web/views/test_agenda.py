"""The agenda (hexa/web/views/agenda.py): everyone's follow-ups and one employee's, the
actions on its rows with htmx, forgotten clients, query counts, the calendar feed, and the
agenda at any size (each group's first rows, its count, the rest a page at a time)."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from hexa.crm.models import (
    CalendarFeed,
    Client,
    Dedication,
    Employee,
    Project,
    Task,
)
from hexa.crm.services import agenda as agenda_service
from hexa.web.views import agenda as agenda_view
from tests import factories
from tests.web.conftest import signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


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
    form = page.context["form"]  # the project fixed by the page: carried along, hidden
    assert (form.chosen_project.code, form["project"].is_hidden) == ("ACME", True)

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


# --- At any size: first rows, counts, and the rest a page at a time ----------------------------


@pytest.fixture
def overdue(db) -> list[str]:
    """13 overdue follow-ups, one a client, in the agenda's order (by day, then client)."""
    today = timezone.localdate()
    codes = []
    for n in range(13):
        client = factories.client(f"LATE{n:02d}")
        project = factories.project(client, f"LATE{n:02d}")
        factories.task(project, f"Call {n}", next_follow_up=today - dt.timedelta(days=13 - n))
        codes.append(client.code)
    return codes


def shown(response) -> list[str]:
    return re.findall(r'class="code">(LATE\d\d)</a>', response.content.decode())


def every_page(web, group: str, found_in) -> list[str]:
    """What each page of everyone's `group` shows (found_in(response)), following its "Next"
    links from the first page to the last."""
    seen, address = [], f"/agenda/?who=all&group={group}"
    while address:
        response = web.get(address)
        seen += found_in(response)
        next_page = rf'href="(\?who=all&amp;group={group}&amp;after=[^"]+)" rel="next"'
        found = re.search(next_page, response.content.decode())
        address = "/agenda/" + unescape(found.group(1)) if found else None
    return seen


def test_a_group_shows_its_first_follow_ups_its_count_and_a_link_to_the_rest(web, overdue):
    response = web.get("/agenda/?who=all")

    assert shown(response) == overdue[: agenda_service.AGENDA_ROWS]
    page = response.content.decode()
    assert '<small class="count">13</small>' in page
    assert "10 of 13 shown: see all" in page
    assert 'href="?who=all&amp;group=overdue"' in page


def test_the_rest_of_a_group_comes_a_page_at_a_time_in_order(web, overdue, monkeypatch):
    monkeypatch.setattr(agenda_view, "GROUP_PAGE", 5)

    assert every_page(web, "overdue", shown) == overdue


def test_a_count_past_the_cap_says_there_are_more(web, overdue, monkeypatch):
    monkeypatch.setattr(agenda_service, "AGENDA_COUNT_CAP", 12)

    page = web.get("/agenda/?who=all").content.decode()

    assert '<small class="count">12+</small>' in page
    assert "10 of more than 12 shown: see all" in page


def test_after_a_follow_up_no_longer_in_the_group_starts_over(web, overdue):
    page = web.get("/agenda/?who=all&group=overdue&after=999999")

    assert shown(page)[0] == overdue[0]


@pytest.fixture
def forgotten(db) -> list[str]:
    """13 clients nobody follows up or worked for, in the agenda's order (by code)."""
    return [factories.client(f"IDLE{n:02d}").code for n in range(13)]


def idle(response) -> list[str]:
    return re.findall(r'class="code">(IDLE\d\d)</a>', response.content.decode())


def test_forgotten_clients_show_the_first_ones_their_count_and_a_link_to_the_rest(web, forgotten):
    response = web.get("/agenda/?who=all")

    assert idle(response) == forgotten[: agenda_view.FORGOTTEN_SHOWN]
    page = response.content.decode()
    assert 'in 30 days <small class="count">13</small>' in page
    assert "10 of 13 shown: see all" in page
    assert 'href="?who=all&amp;group=forgotten"' in page


def test_the_rest_of_the_forgotten_clients_come_a_page_at_a_time(web, forgotten, monkeypatch):
    monkeypatch.setattr(agenda_view, "GROUP_PAGE", 5)

    assert every_page(web, "forgotten", idle) == forgotten


def test_a_count_of_forgotten_clients_past_the_cap_says_there_are_more(web, forgotten, monkeypatch):
    monkeypatch.setattr(agenda_service, "AGENDA_COUNT_CAP", 12)

    page = web.get("/agenda/?who=all").content.decode()

    assert "10 of more than 12 shown: see all" in page


@pytest.mark.parametrize("after", ["NOBODY", "idle03", "", "\x00", "\u00e9\u00e9"])
def test_forgotten_clients_after_any_code_answer_a_page(web, forgotten, after):
    response = web.get("/agenda/", {"who": "all", "group": "forgotten", "after": after})

    assert response.status_code == 200
    expected = forgotten[4:] if after == "idle03" else forgotten
    assert idle(response) == expected[: agenda_view.GROUP_PAGE]


def test_a_login_without_an_employee_has_an_empty_agenda_of_its_own(client, overdue, forgotten):
    visitor = signed_in_client(client, factories.user("visitor"))

    mine = visitor.get("/agenda/").content.decode()
    everyones = visitor.get("/agenda/", {"who": "all"})

    assert "Your login is not linked to an employee" in mine
    assert shown_in(mine) == [] and '<small class="count">0</small>' in mine
    assert shown(everyones) == overdue[: agenda_service.AGENDA_ROWS]


def shown_in(page: str) -> list[str]:
    return re.findall(r'class="code">(LATE\d\d)</a>', page)
