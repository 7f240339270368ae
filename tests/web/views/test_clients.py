"""The explorer and the client pages (hexa/web/views/clients.py) through Django's test client:
search, rows, creating, editing, archiving and restoring a client, bad input, query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.crm.models import (
    Client,
)
from tests import factories

pytestmark = pytest.mark.django_db


# --- Explorer -----------------------------------------------------------------------------------


def test_explorer_shows_figures_per_client(web, employee, today):
    acme = factories.client("ACME", name="Acme")
    project = factories.project(acme, "ACME")
    factories.project(acme, "ACME-OLD", status="closed")
    task = factories.task(project, next_follow_up=today - dt.timedelta(days=2))
    factories.task(project, next_follow_up=today + dt.timedelta(days=5))
    factories.task(project, status="done", next_follow_up=today - dt.timedelta(days=9))
    factories.dedication(task, employee, date=today - dt.timedelta(days=1))
    factories.dedication(task, employee, date=today - dt.timedelta(days=6))

    row = web.get("/").context["page"].object_list[0]

    assert (row.code, row.active_projects) == ("ACME", 1)
    assert row.next_follow_up == today - dt.timedelta(days=2)
    assert row.last_dedication == today - dt.timedelta(days=1)


def test_explorer_search_matches_code_name_and_tax_id(web, acme):
    factories.client("ZETA", name="Zeta Consultores", tax_id="B99999999")
    factories.client("OLD", name="Old Acme", active=False)

    def codes(query: str) -> list[str]:
        return [c.code for c in web.get("/", {"q": query}).context["page"]]

    assert codes("acm") == ["ACME"]
    assert codes("consult") == ["ZETA"]
    assert codes("b-9999") == ["ZETA"]
    assert codes("") == ["ACME", "ZETA"]


def test_explorer_filters_due_and_unscheduled(web, today):
    due = factories.client("DUE")
    factories.task(factories.project(due, "DUE"), next_follow_up=today)
    later = factories.client("LATER")
    factories.task(factories.project(later, "LATER"), next_follow_up=today + dt.timedelta(days=1))
    closed = factories.client("CLOSED")
    factories.task(factories.project(closed, "CLOSED", status="closed"), next_follow_up=today)
    factories.client("NONE")

    def codes(**query) -> list[str]:
        return [c.code for c in web.get("/", query).context["page"]]

    assert codes(due="on") == ["DUE"]
    assert codes(unscheduled="on") == ["CLOSED", "NONE"]


def test_explorer_sorts_and_pages(web, employee):
    for n in range(30):
        factories.client(f"C{n:02d}", name=f"Name {29 - n:02d}")

    first = web.get("/", {"order": "name"}).context["page"]
    second = web.get("/", {"order": "name", "page": 2}).context["page"]
    descending = web.get("/", {"order": "-code"}).context["page"]

    assert [c.code for c in first][:2] == ["C29", "C28"]
    assert len(first) == 25 and len(second) == 5
    assert descending[0].code == "C29"
    assert web.get("/", {"order": "nonsense", "page": "x"}).status_code == 200


def test_a_search_with_a_page_of_results_shows_their_count_without_counting(web, employee):
    for n in range(30):
        factories.client(f"C{n:02d}", name=f"Hotel {n}" if n < 3 else f"Bar {n}")

    def page_and_counts(**query):
        with CaptureQueriesContext(connection) as captured:
            page = web.get("/", query).context["page"]
        counts = [q["sql"] for q in captured if "__count" in q["sql"]]  # Django's count()
        return page, counts

    few, counted = page_and_counts(q="hotel")
    assert [c.code for c in few] == ["C00", "C01", "C02"]
    assert few.paginator.count == 3 and counted == []
    many, counted = page_and_counts(q="bar")
    assert (len(many), many.paginator.count, many.paginator.num_pages) == (25, 27, 2)
    assert len(counted) == 1
    last, counted = page_and_counts(q="bar", page=2)  # any other page is counted first
    assert (len(last), last.paginator.count, len(counted)) == (2, 27, 1)
    past, _counted = page_and_counts(q="bar", page=9)  # past the end: the last page, as before
    assert (past.number, len(past), past.paginator.count) == (2, 2, 27)


def test_explorer_answers_htmx_with_the_table_only(web, acme):
    response = web.get("/", {"q": "acme"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="client-table")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="client-table">')
    assert "client-row-ACME" in html
    assert "<html" not in html


def test_explorer_query_count_does_not_grow_with_the_clients_shown(web, employee):
    def queries_for(count: int) -> int:
        for n in range(count):
            client = factories.client(f"Q{count}X{n}")
            task = factories.task(factories.project(client, f"Q{count}X{n}"))
            factories.dedication(task, employee)
        with CaptureQueriesContext(connection) as captured:
            web.get("/", {"q": f"Q{count}X"})
        return len(captured)

    assert queries_for(3) == queries_for(20)


# --- Clients ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("ana_is_manager")
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
@pytest.mark.usefixtures("ana_is_manager")
def test_client_bad_input_is_shown_on_its_field(web, acme, data, field):
    response = web.post("/clients/new/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Client.objects.count() == 1


@pytest.mark.usefixtures("ana_is_manager")
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


# --- The explorer's "Follow-up due" -----------------------------------------------------------


@pytest.fixture
def due_clients(db):
    """AAA due today, BBB a week ago, CCC yesterday, DDD next week (not due)."""
    today = timezone.localdate()
    for code, days in [("AAA", 0), ("BBB", -7), ("CCC", -1), ("DDD", 7)]:
        client = factories.client(code, name=f"{code} {days}")
        factories.task(factories.project(client, code), next_follow_up=today + dt.timedelta(days))


def row_codes(response) -> list[str]:
    return re.findall(r'id="client-row-([A-Z]+)"', response.content.decode())


def test_follow_up_due_lists_the_longest_overdue_first(spanish_web, due_clients):
    response = spanish_web.get("/?due=on")

    assert row_codes(response) == ["BBB", "CCC", "AAA"]
    page = response.content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a [^>]*order=-next', page)
    assert 'name="order"' not in page  # the default: changing a filter does not keep it


def test_follow_up_due_keeps_an_order_chosen(spanish_web, due_clients):
    response = spanish_web.get("/?due=on&order=-code")

    assert row_codes(response) == ["CCC", "BBB", "AAA"]
    assert 'name="order" value="-code" form="explorer-search"' in response.content.decode()


def test_without_follow_up_due_clients_come_by_code(spanish_web, due_clients):
    assert row_codes(spanish_web.get("/")) == ["AAA", "BBB", "CCC", "DDD"]
