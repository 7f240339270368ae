"""The web pages through Django's test client: access, forms, bad input, query counts."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hexa.crm.models import Dedication, Employee, Task
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee(ana):
    return ana.employee


@pytest.fixture
def acme(db):
    acme = factories.client("ACME", name="Acme Industrial", tax_id="B11111111")
    factories.task(factories.project(acme, "ACME"), "Seguimiento")
    return acme


def form_of(response) -> dict[str, str]:
    """The fields of the quick-log form as the web would send them untouched."""
    html = response.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    for name in ("date", "next_follow_up"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        fields[name] = match[1] if match else ""
    fields.pop("csrfmiddlewaretoken", None)
    for name in ("employee", "task"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        selected = select and re.search(r'<option value="(\d*)" selected>', select[0])
        if selected:
            fields[name] = selected[1]
    return fields


def post_log(web, code: str, **changes):
    page = web.get(reverse("web:quick-log", args=[code]))
    data = {**form_of(page), "text": "Called", "minutes": "", **changes}
    return web.post(reverse("web:quick-log", args=[code]), data)


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/"),
        ("get", "/?q=acme"),
        ("get", "/clients/ACME/"),
        ("get", "/clients/ACME/log/"),
        ("post", "/clients/ACME/log/"),
        ("get", "/clients/NOPE/"),
    ],
)
def test_every_page_sends_a_signed_out_visitor_to_sign_in(client, acme, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Dedication.objects.count() == 0


def test_sign_in_page_and_language_switch_are_open(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(web):
    assert web.get(reverse("logout")).status_code == 405
    web.post(reverse("logout"))
    assert web.get("/").status_code == 302


def test_pages_carry_a_content_security_policy_and_no_inline_code(web, acme):
    for url in ("/", "/clients/ACME/", "/clients/ACME/log/"):
        response = web.get(url)
        policy = response["Content-Security-Policy"]
        html = response.content.decode()
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url


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


# --- Quick-log form -----------------------------------------------------------------------------


def test_quick_log_form_is_prefilled(web, acme, today):
    Task.objects.update(next_follow_up=today + dt.timedelta(days=3))

    form = web.get("/clients/ACME/log/").context["form"]

    assert form["employee"].value() == Employee.objects.get(code="ANA").pk
    assert form["date"].value() == today
    assert form["next_follow_up"].value() == today + dt.timedelta(days=3)
    assert "project" not in form.fields


def test_finishing_without_javascript_redirects_back_with_the_message(web, acme):
    response = post_log(web, "ACME", minutes="1:15")

    assert response.status_code == 302 and response["Location"] == "/"
    dedication = Dedication.objects.get()
    assert (dedication.text, dedication.minutes, dedication.via) == ("Called", 75, "web")
    page = web.get("/")
    assert "Activity logged for ACME" in page.content.decode()


def test_finishing_with_htmx_updates_the_row_and_closes_the_dialog(web, acme):
    page = web.get("/clients/ACME/log/", HTTP_HX_REQUEST="true")
    data = {**form_of(page), "text": "Called", "minutes": ""}

    response = web.post(
        "/clients/ACME/log/",
        data,
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/?q=ac",
    )

    html = response.content.decode()
    assert response.status_code == 200
    dedication = Dedication.objects.get()
    logged = json.loads(response["HX-Trigger-After-Settle"])["hexa:quick-logged"]
    assert logged == {"client": "ACME", "task": dedication.task.pk, "dedication": dedication.pk}
    assert html.lstrip().startswith('<div id="messages"')  # the dialog is emptied
    assert re.search(r'id="messages"[^>]* aria-live="polite"[^>]* hx-swap-oob="innerHTML"', html)
    assert "Activity logged for ACME" in html
    assert "client-row-ACME" not in html  # the explorer refreshes its row itself


def test_the_explorer_row_of_a_client_answers_alone_for_htmx_to_refresh_it(
    web, acme, employee, today
):
    factories.dedication(Task.objects.get(), employee, date=today)

    response = web.get("/clients/acme/row/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<tr id="client-row-ACME"')
    assert f'<time datetime="{today:%Y-%m-%d}">' in html  # its last activity
    assert 'hx-trigger="hexa:refresh"' in html
    assert web.get("/clients/NOBODY/row/").status_code == 404


def test_the_client_page_answers_its_lists_alone_for_htmx_to_refresh_them(web, acme):
    page = web.get("/clients/ACME/").content.decode()
    lists = web.get("/clients/ACME/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="client-lists")

    html = lists.content.decode()
    assert 'hx-trigger="hexa:quick-logged from:body"' in page
    assert html.lstrip().startswith('<div id="client-lists"')
    assert "<h1>" not in html and 'href="/projects/ACME/"' in html


def test_next_follow_up_left_alone_keeps_the_tasks_date(web, acme, today):
    keep = today + dt.timedelta(days=3)
    Task.objects.update(next_follow_up=keep)
    page = web.get("/clients/ACME/log/")
    # Someone else changes the date while the form is open; leaving the field alone must
    # not undo their change.
    Task.objects.update(next_follow_up=keep + dt.timedelta(days=1))
    web.post("/clients/ACME/log/", {**form_of(page), "text": "x"})

    assert Task.objects.get().next_follow_up == keep + dt.timedelta(days=1)


def test_next_follow_up_cleared_clears_it_and_changed_sets_it(web, acme, today):
    Task.objects.update(next_follow_up=today + dt.timedelta(days=3))

    post_log(web, "ACME", next_follow_up="")
    assert Task.objects.get().next_follow_up is None

    post_log(web, "ACME", next_follow_up=(today + dt.timedelta(days=9)).isoformat())
    assert Task.objects.get().next_follow_up == today + dt.timedelta(days=9)


def test_ambiguous_client_requires_a_choice_among_its_projects(web, today):
    bodegas = factories.client("BODEGAS")
    export = factories.project(bodegas, "BOD-EXPORT")
    shop = factories.project(bodegas, "BOD-TIENDA")
    task = factories.task(shop, next_follow_up=today + dt.timedelta(days=4))
    other = factories.project(factories.client("OTHER"), "OTHER")

    missing = post_log(web, "BODEGAS")
    foreign = post_log(web, "BODEGAS", project=str(other.pk))
    assert "project" in missing.context["form"].errors
    assert "project" in foreign.context["form"].errors
    assert Dedication.objects.count() == 0

    post_log(web, "BODEGAS", project=str(shop.pk))

    dedication = Dedication.objects.get()
    assert dedication.project == shop and dedication.task == task
    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=4)  # left alone: kept
    assert export.tasks.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"employee": ""}, "employee"),
        ({"employee": "999999"}, "employee"),
        ({"date": ""}, "date"),
        ({"date": "2024-13-45"}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "2024-05-05", "next_follow_up": "2024-05-01"}, "next_follow_up"),
        ({"next_follow_up": "soon"}, "next_follow_up"),
        ({"minutes": "-5"}, "minutes"),
        ({"minutes": "1441"}, "minutes"),
        ({"minutes": "25h"}, "minutes"),
        ({"minutes": "lots"}, "minutes"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_writes_nothing(web, acme, changes, field):
    response = post_log(web, "ACME", **changes)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert Dedication.objects.count() == 0


def test_inactive_employee_is_refused(web, acme):
    pablo = factories.employee("PABLO", active=False)

    response = post_log(web, "ACME", employee=str(pablo.pk))

    assert "employee" in response.context["form"].errors
    assert Dedication.objects.count() == 0


def test_every_error_is_shown_at_once(web, acme):
    response = post_log(web, "ACME", text="", minutes="lots", date="2999-01-01")

    assert set(response.context["form"].errors) == {"text", "minutes", "date"}


def test_same_form_sent_twice_records_one_dedication(web, acme):
    page = web.get("/clients/ACME/log/")
    data = {**form_of(page), "text": "Double click"}

    web.post("/clients/ACME/log/", data)
    again = web.post("/clients/ACME/log/", data)

    assert again.status_code == 302
    assert Dedication.objects.count() == 1


def test_same_form_sent_again_with_other_values_asks_before_recording(web, acme):
    page = web.get("/clients/ACME/log/")
    data = {**form_of(page), "text": "First"}
    web.post("/clients/ACME/log/", data)

    again = web.post("/clients/ACME/log/", {**data, "text": "Second"})

    assert again.status_code == 200
    assert "already been sent" in again.content.decode()
    assert Dedication.objects.count() == 1
    renewed = form_of(again)
    assert renewed["token"] != data["token"]
    web.post("/clients/ACME/log/", {**renewed, "text": "Second"})
    assert Dedication.objects.count() == 2


def test_archived_client_cannot_be_logged(web, acme):
    page = web.get("/clients/ACME/log/")
    acme.active = False
    acme.save()

    shown = web.get("/clients/ACME/log/")
    sent = web.post("/clients/ACME/log/", {**form_of(page), "text": "x"})

    assert "is archived" in shown.content.decode()
    assert "is archived" in sent.content.decode()
    assert Dedication.objects.count() == 0


def test_unknown_client_is_404(web):
    assert web.get("/clients/NOPE/").status_code == 404
    assert web.get("/clients/NOPE/log/").status_code == 404


def test_next_parameter_cannot_send_the_user_elsewhere(web, acme):
    response = post_log(web, "ACME", next="https://evil.example/")

    assert response["Location"] == "/"


def test_client_page_lists_projects_tasks_and_dedications(web, acme, employee, today):
    task = Task.objects.get()
    factories.dedication(task, employee, text="Phoned the buyer", minutes=90)

    html = web.get("/clients/ACME/").content.decode()

    assert "Acme Industrial" in html
    assert "Seguimiento" in html
    assert "Phoned the buyer" in html
    assert "1h30" in html


def test_choosing_a_project_prefills_its_tasks_follow_up(web, today):
    bodegas = factories.client("BODEGAS")
    factories.project(bodegas, "BOD-EXPORT")
    shop = factories.project(bodegas, "BOD-TIENDA")
    factories.task(shop, next_follow_up=today + dt.timedelta(days=4))
    url = "/clients/BODEGAS/log/follow-up/"

    fresh = web.get(url, {"project": shop.pk, "next_follow_up": "", "initial-next_follow_up": ""})
    typed = web.get(
        url, {"project": shop.pk, "next_follow_up": "2030-01-01", "initial-next_follow_up": ""}
    )
    foreign = web.get(url, {"project": factories.project(factories.client("X"), "X").pk})

    html = fresh.content.decode()
    assert f'value="{today + dt.timedelta(days=4):%d/%m/%Y}"' in html
    assert 'name="initial-next_follow_up"' in html
    # What the user typed stays; the task picker follows the project.
    assert 'name="next_follow_up"' not in typed.content.decode()
    assert 'id="quick-log-task" hx-swap-oob="true"' in typed.content.decode()
    assert foreign.status_code == 204
