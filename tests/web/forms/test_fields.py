"""Date fields, and the client and project pickers, through Django's test client: dates shown
and typed day first whatever the browser says; a client or project typed by code, name or tax
id; a wrong filter said on its field while the report stays."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hexa.crm.models import Project, Task
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


@pytest.fixture
def hotels(ana, today):
    """Two hotels with time this year, an archived hostal; ACME with a pending task."""
    sol = factories.client("HOTELSOL", name="Hotel Sol", tax_id="B11111111")
    mar = factories.client("HOTELMAR", name="Hotel Mar Azul", tax_id="A41526374")
    factories.client("VIEJO", name="Hostal Viejo", active=False)
    acme = factories.client("ACME", name="Acme Industrial")
    for client, minutes in ((sol, 60), (mar, 90), (acme, 30)):
        task = factories.task(factories.project(client, f"{client.code}-P", name="Obra"))
        factories.dedication(task, ana.employee, date=today, minutes=minutes)
    return {"sol": sol, "mar": mar, "acme": acme}


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    return match.group(0)


# --- Dates ----------------------------------------------------------------------------------


def test_date_fields_are_text_fields_showing_day_month_year(spanish_web, hotels, today):
    html = spanish_web.get("/clients/ACME/dedications/new/").content.decode()

    date = input_tag(html, "date")
    assert 'type="text"' in date
    assert f'value="{today:%d/%m/%Y}"' in date
    assert 'placeholder="dd/mm/aaaa"' in date
    assert 'type="date"' not in html
    assert 'aria-label="Elegir una fecha"' in html  # the calendar's button, for JavaScript


@pytest.mark.parametrize("typed", ["3/2/2027", "03/02/2027", "03-02-27", "2027-02-03"])
def test_typed_dates_are_read_day_first(web, hotels, typed):
    task = Task.objects.get(project__code="ACME-P")

    response = web.post(
        f"/tasks/{task.pk}/edit/",
        {"kind": "task", "title": task.title, "next_follow_up": typed, "priority": "normal"},
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.next_follow_up == dt.date(2027, 2, 3)


def test_a_date_that_is_not_one_is_said_in_spanish_on_its_field(spanish_web, hotels, ana):
    response = spanish_web.post(
        "/clients/ACME/dedications/new/",
        {"project": Project.objects.get(code="ACME-P").pk, "text": "Llamada",
         "employee": ana.employee.pk, "date": "31/02/2026"},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Introduzca una fecha válida."]
    assert 'value="31/02/2026"' in input_tag(html, "date")  # what was typed stays


def test_a_task_is_moved_to_a_typed_date(web, hotels):
    task = Task.objects.get(project__code="ACME-P")

    web.post(f"/tasks/{task.pk}/reschedule/", {"to": "15/03/2027"})

    task.refresh_from_db()
    assert task.next_follow_up == dt.date(2027, 3, 15)


def test_forms_leave_checking_to_the_server_and_mark_required_fields(spanish_web, hotels):
    new_client = spanish_web.get("/clients/new/").content.decode()
    sent_empty = spanish_web.post("/clients/new/", {}).content.decode()

    assert '<form method="post" novalidate>' in new_client
    assert re.search(
        r'for="id_code">Código<span class="required-mark" aria-hidden="true">\*', new_client
    )
    assert "Este campo es obligatorio." in sent_empty


# --- Pickers --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/clients/suggestions/?q=hotel", "/projects/suggestions/?q=x"])
def test_suggestions_need_a_signed_in_user(client, hotels, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_client_suggestions_search_as_the_explorer(web, hotels):
    by_name = web.get("/clients/suggestions/?q=hotel").content.decode()
    by_tax_id = web.get("/clients/suggestions/?q=a-4152").content.decode()
    archived = web.get("/clients/suggestions/?q=hostal&archived=1").content.decode()
    active_only = web.get("/clients/suggestions/?q=hostal").content.decode()

    assert re.findall(r'data-value="(\w+)"', by_name) == ["HOTELMAR", "HOTELSOL"]
    assert re.findall(r'data-value="(\w+)"', by_tax_id) == ["HOTELMAR"]
    assert re.findall(r'data-value="(\w+)"', archived) == ["VIEJO"]
    assert "Nothing matches “hostal”." in active_only
    assert "2 suggestions." in by_name  # what screen readers are told


def test_project_suggestions_search_their_clients_too(web, hotels):
    html = web.get("/projects/suggestions/?q=mar azul&closed=1").content.decode()

    assert re.findall(r'data-value="([\w-]+)"', html) == ["HOTELMAR-P"]
    assert "Hotel Mar Azul" in html


def test_a_report_for_a_client_typed_by_name(web, hotels):
    response = web.get("/reports/", {"period": "all", "client": "mar azul"})

    assert [row.code for row in response.context["totals"].rows] == ["HOTELMAR"]
    assert 'value="HOTELMAR"' in input_tag(response.content.decode(), "client")


def test_a_client_that_is_not_one_keeps_the_report_and_says_why_on_its_field(web, hotels):
    response = web.get("/reports/", {"period": "all", "client": "Hotel"})

    html = response.content.decode()
    assert response.status_code == 200
    (message,) = response.context["form"].errors["client"]
    assert message.startswith("“Hotel” matches several: HOTELMAR (Hotel Mar Azul), HOTELSOL")
    # The report is still there, over the other filters, and says so.
    assert {row.code for row in response.context["totals"].rows} == {"HOTELMAR", "HOTELSOL", "ACME"}
    assert "These figures leave out the filters with a message above." in html
    assert 'value="Hotel"' in input_tag(html, "client")


def test_a_date_that_is_not_one_keeps_the_report(web, hotels):
    response = web.get("/reports/entries/", {"period": "custom", "date_from": "31/02/2026"})

    assert response.context["form"].errors["date_from"] == ["Enter a valid date."]
    assert response.context["count"] == 3


def test_a_wrong_client_in_a_download_is_refused(web, hotels):
    response = web.get("/reports/export/", {"period": "all", "client": "Hotel", "format": "csv"})

    assert response.status_code == 400  # "Hotel" names two clients: no file, the form says so
    assert response["Content-Type"].startswith("text/html")
    assert set(response.context["form"].errors) == {"client"}


def test_the_statement_of_a_client_typed_by_tax_id(web, hotels):
    response = web.get("/reports/statement/", {"client": "b11111111", "period": "all"})

    assert response.context["statement"].client.code == "HOTELSOL"


def test_a_project_for_a_client_typed_by_name(web, hotels):
    response = web.post(
        "/projects/new/",
        {"code": "MAR-SPA", "name": "Spa", "client": "mar azul", "kind": "production"},
    )

    assert response.status_code == 302
    assert Project.objects.get(code="MAR-SPA").client.code == "HOTELMAR"


def test_no_project_for_an_archived_client(web, hotels):
    response = web.post(
        "/projects/new/", {"code": "X", "name": "X", "client": "hostal", "kind": "production"}
    )

    assert response.context["form"].errors["client"] == [
        "No client matches “hostal”: type its code, part of its name or its tax id."
    ]
    assert not Project.objects.filter(code="X").exists()


def test_projects_listed_for_a_client_typed_by_name(web, hotels):
    response = web.get("/projects/", {"client": "hotel sol"})

    assert [project.code for project in response.context["page"]] == ["HOTELSOL-P"]
