"""The dedication pages (hexa/web/views/dedications.py): recording on existing work, for
another employee, bad input; who may change or delete one, and the trail of changes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from hexa.crm.models import (
    Dedication,
    DedicationChange,
    Employee,
    Project,
    Task,
)
from tests import factories
from tests.web.conftest import links, signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


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
