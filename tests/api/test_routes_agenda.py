"""GET /api/v1/agenda: the pending follow-ups, soonest first, grouped as the day is seen here
(overdue, today, the coming week, later), everyone's or one employee's, up to a date.

An employee's agenda holds what is theirs: tasks assigned to them, and unassigned tasks of
clients whose latest dedication is theirs (whoever worked for a client last follows it up).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.crm.models import Employee, Project, Task
from hexa.crm.services import agenda as agenda_service
from tests import factories
from tests.api.conftest import assert_json_error
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


def day(today: dt.date, offset: int) -> dt.date:
    return today + dt.timedelta(days=offset)


@pytest.fixture
def world(api, today) -> dict[str, Any]:
    """Two active clients with follow-ups in every group, and follow-ups that must not show:
    done, unscheduled, on a closed project, of an archived client."""
    luis = factories.employee("LUIS", name="Luis")
    acme = factories.client("ACME", name="Acme S.L.")
    beta = factories.client("BETA", name="Beta Ltd.")
    old = factories.client("OLD", name="Old Times", active=False)
    acme_project = factories.project(acme, "ACME")
    beta_project = factories.project(beta, "BETA-WEB")
    shut = factories.project(acme, "SHUT", status="closed")
    legacy = factories.project(old, "LEGACY")

    def task(project: Project, title: str, offset: int | None, **fields: Any) -> Task:
        made = factories.task(
            project,
            title,
            kind=fields.pop("kind", "task"),
            status=fields.pop("status", "pending"),
            next_follow_up=None if offset is None else day(today, offset),
        )
        if fields:
            Task.objects.filter(pk=made.pk).update(**fields)
            made.refresh_from_db()
        return made

    tasks = {
        "overdue": task(acme_project, "Chase the invoice", -3, assigned_to=luis),
        "yesterday": task(beta_project, "Call back", -1),
        # Within a day, the agenda's order is the tasks' own (oldest first).
        "today_acme": task(acme_project, "Send the quote", 0),
        "today_beta": task(beta_project, "Site down", 0, kind="incident", priority="urgent"),
        "tomorrow": task(acme_project, "Visit", 1, priority="low"),
        "week_end": task(beta_project, "Weekly review", 7),
        "later": task(acme_project, "Renewal", 8),
        # Not on the agenda:
        "done": task(acme_project, "Done already", -1, status="done"),
        "unscheduled": task(acme_project, "Someday", None),
        "closed_project": task(shut, "On a closed project", 0),
        "archived_client": task(legacy, "Of an archived client", 0),
    }
    return {"tasks": tasks, "luis": luis, "acme": acme, "beta": beta, "shut": shut, "old": old}


def rows(response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"items", "count", "count_capped"}, body
    return body["items"]


def titles(response) -> list[str]:
    return [row["title"] for row in rows(response)]


def test_agenda_lists_everyones_follow_ups_soonest_first_in_their_groups(api, world, today):
    t = world["tasks"]

    response = api.get("/agenda")

    def row(name: str, group: str, client: str, client_name: str, project: str) -> dict:
        task = t[name]
        return {
            "task": task.pk,
            "title": task.title,
            "kind": task.kind,
            "priority": task.priority,
            "client": client,
            "client_name": client_name,
            "project": project,
            "next_follow_up": task.next_follow_up.isoformat(),
            "assigned_to": task.assigned_to.code if task.assigned_to else None,
            "group": group,
        }

    assert rows(response) == [
        row("overdue", "overdue", "ACME", "Acme S.L.", "ACME"),
        row("yesterday", "overdue", "BETA", "Beta Ltd.", "BETA-WEB"),
        # The same day: by client code.
        row("today_acme", "today", "ACME", "Acme S.L.", "ACME"),
        row("today_beta", "today", "BETA", "Beta Ltd.", "BETA-WEB"),
        row("tomorrow", "week", "ACME", "Acme S.L.", "ACME"),
        row("week_end", "week", "BETA", "Beta Ltd.", "BETA-WEB"),
        row("later", "later", "ACME", "Acme S.L.", "ACME"),
    ]
    assert response.json()["count"] == 7
    assert rows(response)[0]["assigned_to"] == "LUIS"
    assert (rows(response)[3]["kind"], rows(response)[3]["priority"]) == ("incident", "urgent")


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        pytest.param(
            0,
            ["Chase the invoice", "Call back", "Send the quote", "Site down"],
            id="today-inclusive-with-overdue",
        ),
        pytest.param(1, ["Chase the invoice", "Call back", "Send the quote", "Site down", "Visit"]),
        pytest.param(-1, ["Chase the invoice", "Call back"], id="yesterday-inclusive"),
        pytest.param(-3, ["Chase the invoice"], id="overdue-day-inclusive"),
        pytest.param(-4, [], id="before-everything"),
        pytest.param(
            7,
            [
                "Chase the invoice",
                "Call back",
                "Send the quote",
                "Site down",
                "Visit",
                "Weekly review",
            ],
            id="a-week",
        ),
        pytest.param(3650, None, id="far-ahead-is-everything"),
    ],
)
def test_agenda_up_to_a_date_includes_that_day_and_everything_overdue(
    api, world, today, offset, expected
):
    everything = titles(api.get("/agenda"))

    response = api.get("/agenda", date_to=day(today, offset).isoformat())

    assert titles(response) == (everything if expected is None else expected)
    assert response.json()["count"] == len(titles(response))


def test_agenda_leaves_out_done_unscheduled_closed_and_archived_work(api, world):
    t = world["tasks"]
    shown = {row["task"] for row in rows(api.get("/agenda"))}

    assert not shown & {
        t[name].pk for name in ("done", "unscheduled", "closed_project", "archived_client")
    }


def test_reopening_a_project_and_restoring_a_client_brings_their_follow_ups_back(api, world):
    t = world["tasks"]

    api.patch("/projects/SHUT", {"status": "active"})
    api.patch("/clients/OLD", {"active": True})
    shown = {row["task"] for row in rows(api.get("/agenda"))}

    assert {t["closed_project"].pk, t["archived_client"].pk} <= shown


def test_closing_a_project_and_archiving_a_client_takes_their_follow_ups_off(api, world):
    api.patch("/projects/BETA-WEB", {"status": "closed", "confirm": True})
    api.patch("/clients/ACME", {"active": False})

    assert rows(api.get("/agenda")) == []


# --- One employee's agenda ----------------------------------------------------------------------


@pytest.fixture
def worked(world, today):
    """ACME: Luis worked there first, Ana last. BETA: Ana first, Luis last (the same day,
    recorded later)."""
    t = world["tasks"]
    ana = Employee.objects.get(code="ANA")
    luis = world["luis"]
    factories.dedication(t["today_acme"], luis, date=day(today, -10))
    factories.dedication(t["today_acme"], ana, date=day(today, -2))
    factories.dedication(t["today_beta"], ana, date=day(today, -1))
    factories.dedication(t["today_beta"], luis, date=day(today, -1))
    return world


def test_an_employees_agenda_is_theirs_assigned_or_last_worked(api, worked):
    ana = titles(api.get("/agenda", employee="ANA"))
    luis = titles(api.get("/agenda", employee="luis"))

    # Ana worked last for ACME: its unassigned follow-ups, not Luis's assigned one there.
    assert ana == ["Send the quote", "Visit", "Renewal"]
    # Luis: his assigned one at ACME, and BETA's unassigned ones.
    assert luis == ["Chase the invoice", "Call back", "Site down", "Weekly review"]


def test_a_task_assigned_to_someone_is_theirs_whoever_worked_last(api, worked):
    t = worked["tasks"]
    ana = Employee.objects.get(code="ANA")
    Task.objects.filter(pk=t["week_end"].pk).update(assigned_to=ana)  # at BETA, Luis's client

    ana_rows = rows(api.get("/agenda", employee="ANA"))
    luis_rows = rows(api.get("/agenda", employee="LUIS"))

    assert t["week_end"].pk in {row["task"] for row in ana_rows}
    assert t["week_end"].pk not in {row["task"] for row in luis_rows}
    assert next(row for row in ana_rows if row["task"] == t["week_end"].pk)["assigned_to"] == "ANA"


def test_a_new_dedication_hands_the_clients_follow_ups_over(api, worked, today):
    api.post("/clients/BETA/quick-log", {"text": "Called them", "employee": "ANA"})

    assert titles(api.get("/agenda", employee="ANA")) == [
        "Call back",
        "Send the quote",
        "Site down",
        "Visit",
        "Weekly review",
        "Renewal",
    ]
    assert titles(api.get("/agenda", employee="LUIS")) == ["Chase the invoice"]


def test_an_employees_agenda_up_to_a_date(api, worked, today):
    response = api.get("/agenda", employee="LUIS", date_to=today.isoformat())

    assert titles(response) == ["Chase the invoice", "Call back", "Site down"]
    assert [row["group"] for row in rows(response)] == ["overdue", "overdue", "today"]


def test_an_employee_with_nothing_to_follow_up_has_an_empty_agenda(api, worked):
    factories.employee("NEW")

    assert api.get("/agenda", employee="NEW").json() == {
        "items": [],
        "count": 0,
        "count_capped": False,
    }


def test_without_dedications_only_assigned_tasks_are_anyones(api, world):
    assert titles(api.get("/agenda", employee="LUIS")) == ["Chase the invoice"]
    assert titles(api.get("/agenda", employee="ANA")) == []


def test_a_deactivated_employees_agenda_still_answers_with_what_is_still_theirs(api, worked):
    api.patch("/employees/LUIS", {"active": False})

    # What he was assigned went to whoever worked there last (below); the clients he worked
    # for last keep their follow-ups with him until someone else works there.
    assert titles(api.get("/agenda", employee="LUIS")) == [
        "Call back",
        "Site down",
        "Weekly review",
    ]


def test_follow_ups_of_someone_who_left_go_to_whoever_worked_last(api, worked):
    chase = worked["tasks"]["overdue"]  # at ACME, assigned to Luis; Ana worked there last
    assert chase.pk not in {row["task"] for row in rows(api.get("/agenda", employee="ANA"))}

    api.patch("/employees/LUIS", {"active": False})
    ana = rows(api.get("/agenda", employee="ANA"))

    assert [row["title"] for row in ana] == [
        "Chase the invoice",
        "Send the quote",
        "Visit",
        "Renewal",
    ]
    assert ana[0]["assigned_to"] == "LUIS"


# --- Groups, as the day is seen here ------------------------------------------------------------


def test_groups_follow_the_local_date(api, world, today, monkeypatch):
    # At 23:30 UTC it is already tomorrow in Madrid: what is due today is overdue and what is
    # due in 8 days is this week.
    late = dt.datetime.combine(today, dt.time(23, 30), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)

    response = api.get("/agenda")

    assert [(row["title"], row["group"]) for row in rows(response)] == [
        ("Chase the invoice", "overdue"),
        ("Call back", "overdue"),
        ("Send the quote", "overdue"),
        ("Site down", "overdue"),
        ("Visit", "today"),
        ("Weekly review", "week"),
        ("Renewal", "week"),
    ]


def test_logging_a_follow_up_from_the_agenda_moves_it(api, today):
    acme = factories.client("ACME")
    task = factories.task(factories.project(acme, "ACME"), "Follow-up", next_follow_up=today)
    row = rows(api.get("/agenda"))[0]
    assert (row["task"], row["group"]) == (task.pk, "today")

    logged = api.post(
        f"/clients/{row['client']}/quick-log",
        {"text": "Called", "next_follow_up": day(today, 14).isoformat()},
    )

    assert logged.status_code == 201, logged.content
    assert rows(api.get("/agenda")) == [
        {**row, "next_follow_up": day(today, 14).isoformat(), "group": "later"}
    ]


def test_rescheduling_moves_a_follow_up_between_groups(api, world, today):
    overdue = world["tasks"]["overdue"]

    api.post(f"/tasks/{overdue.pk}/reschedule", {"days": 1})
    moved = next(row for row in rows(api.get("/agenda")) if row["task"] == overdue.pk)

    assert (moved["next_follow_up"], moved["group"]) == (day(today, 1).isoformat(), "week")


def test_completing_a_follow_up_takes_it_off_the_agenda(api, world):
    overdue = world["tasks"]["overdue"]

    api.patch(f"/tasks/{overdue.pk}", {"status": "done"})

    assert overdue.pk not in {row["task"] for row in rows(api.get("/agenda"))}


# --- Pages, bad input, no token -----------------------------------------------------------------


def test_agenda_pages(api, world):
    everything = titles(api.get("/agenda"))

    page = api.get("/agenda", limit=2, offset=3)

    assert titles(page) == everything[3:5]
    assert page.json()["count"] == 7
    assert page.json()["count_capped"] is False


def test_agenda_pages_after_a_follow_up_follow_the_agenda_order_at_one_cost(api, world):
    everything = [row["task"] for row in rows(api.get("/agenda"))]
    seen, costs, after = [], [], None
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = rows(api.get("/agenda", limit=2, **({"after": after} if after else {})))
        if not page:
            break
        seen += [row["task"] for row in page]
        costs.append(len(queries))
        after = page[-1]["task"]

    assert seen == everything
    assert len(costs) == 4 and len(set(costs[1:])) == 1  # the same, however deep


def test_agenda_count_stops_at_the_cap(api, world, monkeypatch):
    monkeypatch.setattr(agenda_service, "AGENDA_COUNT_CAP", 3)

    body = api.get("/agenda", limit=10).json()

    assert (body["count"], body["count_capped"], len(body["items"])) == (3, True, 7)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param({"employee": "NOBODY"}, "employee", id="employee-unknown"),
        pytest.param({"employee": "A\x00"}, "employee", id="employee-nul"),
        pytest.param({"date_to": "06/05/2024"}, "date_to", id="date-day-first"),
        pytest.param({"date_to": "2024-02-30"}, "date_to", id="date-impossible"),
        pytest.param({"date_to": "tomorrow"}, "date_to", id="date-words"),
        pytest.param({"date_to": "2024-05-06T10:00"}, "date_to", id="date-datetime"),
        pytest.param({"date_to": "1700000000"}, "date_to", id="date-timestamp"),
        pytest.param({"limit": 0}, "limit", id="limit-zero"),
        pytest.param({"limit": 501}, "limit", id="limit-over-max"),
        pytest.param({"offset": -1}, "offset", id="offset-negative"),
        pytest.param({"offset": "first"}, "offset", id="offset-word"),
    ],
)
def test_agenda_bad_query_is_a_field_error(api, world, query, field):
    before = every_row()

    response = api.get("/agenda", **query)

    body = assert_json_error(response, 422, "validation_error", field)
    assert body["fields"]
    assert every_row() == before


def test_agenda_refuses_a_request_without_a_token(anonymous, world):
    response = anonymous.get("/agenda")

    assert_json_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"


def test_agenda_costs_the_same_queries_whatever_its_length(api, world, today):
    api.get("/agenda", employee="LUIS")  # warm up
    with CaptureQueriesContext(connection) as few:
        api.get("/agenda", employee="LUIS")
    beta = Project.objects.get(code="BETA-WEB")
    for number in range(25):
        task = factories.task(beta, f"Extra {number}", next_follow_up=day(today, number))
        Task.objects.filter(pk=task.pk).update(assigned_to=world["luis"])
    with CaptureQueriesContext(connection) as many:
        response = api.get("/agenda", employee="LUIS")

    assert response.json()["count"] == 26
    assert len(many) == len(few)
