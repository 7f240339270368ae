"""Smaller things a user meets every day, through Django's test client: changing a dedication
returns to the page it was opened from and shows its time as the lists do; closing a project
with pending tasks warns once and lists them; the explorer's "Follow-up due" lists the longest
overdue first; the chart has no columns to come, says which periods are cut short, and each
figure leads to its dedications."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from hexa.crm.models import Dedication, Project
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date
DASH = "\N{EN DASH}"


@pytest.fixture
def acme_worked(ana):
    """ACME, its project, its task and Ana's 4 hours on it, by name."""
    client = factories.client("ACME", name="Acme Industrial")
    project = factories.project(client, "ACME", name="Acme")
    task = factories.task(project, "Seguimiento")
    dedication = factories.dedication(task, ana.employee, minutes=240, recorded_by=ana)
    return {"client": client, "project": project, "task": task, "dedication": dedication}


def links(html: str, path: str) -> list[str]:
    return [unescape(href) for href in re.findall(rf'href="({re.escape(path)}[^"]*)"', html)]


# --- Changing a dedication --------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["/clients/ACME/", "/projects/ACME/", "task"], ids=["client", "project", "task"]
)
def test_changing_a_dedication_returns_to_the_page_it_was_opened_from(
    spanish_web, acme_worked, page
):
    page = f"/tasks/{acme_worked['task'].pk}/" if page == "task" else page
    dedication = acme_worked["dedication"]
    [change] = links(spanish_web.get(page).content.decode(), f"/dedications/{dedication.pk}/edit/")
    assert parse_qs(urlsplit(change).query) == {"next": [page]}

    form = spanish_web.get(change).content.decode()
    assert f'name="next" value="{page}"' in form
    assert f'href="{page}" role="button"' in form  # Cancel goes back there too
    response = spanish_web.post(
        change,
        {
            "next": page,
            "text": "Llamada, con el presupuesto",
            "employee": dedication.employee_id,
            "date": dedication.date.isoformat(),
            "minutes": "4h",
            "task": dedication.task_id,
        },
    )

    assert response.status_code == 302 and response["Location"] == page
    dedication.refresh_from_db()
    assert (dedication.text, dedication.minutes) == ("Llamada, con el presupuesto", 240)


def test_deleting_a_dedication_returns_to_the_page_it_was_opened_from(spanish_web, acme_worked):
    dedication = acme_worked["dedication"]
    [delete] = links(
        spanish_web.get("/clients/ACME/").content.decode(), f"/dedications/{dedication.pk}/delete/"
    )
    assert 'name="next" value="/clients/ACME/"' in spanish_web.get(delete).content.decode()

    response = spanish_web.post(delete, {"next": "/clients/ACME/"})

    assert response["Location"] == "/clients/ACME/"
    assert not Dedication.objects.filter(pk=dedication.pk).exists()


def test_a_next_address_elsewhere_is_ignored(spanish_web, acme_worked):
    dedication = acme_worked["dedication"]
    response = spanish_web.post(
        f"/dedications/{dedication.pk}/edit/",
        {
            "next": "https://elsewhere.example.com/",
            "text": "Llamada",
            "employee": dedication.employee_id,
            "date": dedication.date.isoformat(),
            "minutes": "",
            "task": dedication.task_id,
        },
    )

    assert response["Location"] == f"/tasks/{acme_worked['task'].pk}/"


def test_someone_else_cannot_open_the_change_form_whatever_the_next(client, acme_worked):
    client.force_login(factories.user("bea"))
    dedication = acme_worked["dedication"]

    response = client.get(f"/dedications/{dedication.pk}/edit/?next=/clients/ACME/")

    assert response.status_code == 403
    assert "Acme" not in response.content.decode()


@pytest.mark.parametrize(("minutes", "shown"), [(240, "4h"), (90, "1h30"), (45, "45m"), (None, "")])
def test_the_change_form_shows_the_time_as_the_lists_do(spanish_web, acme_worked, minutes, shown):
    Dedication.objects.filter(pk=acme_worked["dedication"].pk).update(minutes=minutes)

    form = spanish_web.get(f"/dedications/{acme_worked['dedication'].pk}/edit/").content.decode()

    [field] = re.findall(r'<input[^>]*name="minutes"[^>]*>', form)
    assert f'value="{shown}"' in field if shown else "value=" not in field


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


# --- The explorer's "Follow-up due" -----------------------------------------------------------


@pytest.fixture
def due_clients(db):
    """AAA due today, BBB a week ago, CCC yesterday, DDD next week (not due)."""
    today = timezone.localdate()
    for code, days in [("AAA", 0), ("BBB", -7), ("CCC", -1), ("DDD", 7)]:
        client = factories.client(code, name=f"{code} {days}")
        factories.task(factories.project(client, code), next_follow_up=today + dt.timedelta(days))


def codes(response) -> list[str]:
    return re.findall(r'id="client-row-([A-Z]+)"', response.content.decode())


def test_follow_up_due_lists_the_longest_overdue_first(spanish_web, due_clients):
    response = spanish_web.get("/?due=on")

    assert codes(response) == ["BBB", "CCC", "AAA"]
    page = response.content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a [^>]*order=-next', page)
    assert 'name="order"' not in page  # the default: changing a filter does not keep it


def test_follow_up_due_keeps_an_order_chosen(spanish_web, due_clients):
    response = spanish_web.get("/?due=on&order=-code")

    assert codes(response) == ["CCC", "BBB", "AAA"]
    assert 'name="order" value="-code" form="explorer-search"' in response.content.decode()


def test_without_follow_up_due_clients_come_by_code(spanish_web, due_clients):
    assert codes(spanish_web.get("/")) == ["AAA", "BBB", "CCC", "DDD"]


# --- The chart --------------------------------------------------------------------------------


@pytest.fixture
def february(ana, monkeypatch):
    """Tuesday 10 February 2026; ACME has time on Sunday 1, Monday 2 and Monday 9, BETA
    (Luis) on Wednesday 4."""
    moment = dt.datetime(2026, 2, 10, 11, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    acme_worked = factories.task(factories.project(factories.client("ACME", name="Acme"), "ACME"))
    beta = factories.task(factories.project(factories.client("BETA", name="Beta"), "BETA"))
    luis = factories.employee("LUIS", name="Luis Peña")
    for task, who, day, minutes in [
        (acme_worked, ana.employee, D(2026, 2, 1), 60),
        (acme_worked, ana.employee, D(2026, 2, 2), 30),
        (beta, luis, D(2026, 2, 4), 45),
        (acme_worked, ana.employee, D(2026, 2, 9), 15),
    ]:
        factories.dedication(task, who, date=day, minutes=minutes)


def chart_data(response) -> dict:
    found = re.search(
        r'<script id="chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def test_the_chart_stops_today_and_labels_each_bar_with_its_days(spanish_web, february):
    data = chart_data(spanish_web.get("/reports/?period=this_month&chart=week"))

    # Sunday 1 February alone (its week began in January), a whole week, this week so far;
    # no columns for the weeks still to come.
    assert data["labels"] == ["1 Feb", f"2{DASH}8 Feb", f"9{DASH}10 Feb"]
    assert [(s["code"], s["minutes"]) for s in data["series"]] == [
        ("ACME", [60, 30, 15]),
        ("BETA", [0, 45, 0]),
    ]


def test_the_chart_of_this_year_has_no_months_to_come(spanish_web, february):
    data = chart_data(spanish_web.get("/reports/?period=this_year&chart=month"))

    assert data["labels"] == ["Ene 2026", f"1{DASH}10 Feb"]


def test_each_bar_leads_to_its_dedications(spanish_web, february):
    response = spanish_web.get("/reports/?period=this_month&chart=week&stack=client")
    data = chart_data(response)

    week = parse_qs(urlsplit(data["entries"][1]).query)
    assert (week["period"], week["date_from"], week["date_to"]) == (
        ["custom"],
        ["2026-02-02"],
        ["2026-02-08"],
    )
    assert data["stack"] == "client"
    # The table says the same, as links, for those without the chart (or without a mouse).
    page = response.content.decode()
    beta_week = [
        link
        for link in links(page, "/reports/entries/")
        if "client=BETA" in link and "date_from=2026-02-02" in link
    ]
    assert len(beta_week) == 1
    entries = spanish_web.get(beta_week[0]).content.decode()
    assert "45m" in entries and "ACME" not in re.sub(r"<form.*?</form>", "", entries, flags=re.S)
