"""The quick-log form (hexa/web/views/quick_log.py, hexa/web/forms/quick_log.py): before
Finish, the next follow-up it starts with (rule 4), where it says the activity goes and the
task picker, and its refusals of stale or tampered hidden values (never a form shown again
without a word); then Finish, with and without htmx, its bad input and its query counts."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from hexa.crm.models import Dedication, Employee, Task
from hexa.web.forms.quick_log import ARROW
from tests import factories
from tests.web.conftest import form_of, post_log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sql_modes")]

URL = "/clients/ACME/log/"


def written() -> tuple[int, int, int]:
    return (
        Dedication.objects.count(),
        Task.objects.count(),
        Task.objects.filter(status="pending").count(),
    )


def alert(response) -> str:
    """The message above the form's fields."""
    html = response.content.decode()
    start = html.index('<p class="form-error" role="alert">')
    return html[start : html.index("</p>", start)]


# --- 1, 2. The next follow-up ---------------------------------------------------------------


@pytest.mark.parametrize("due_in", [-6, 0], ids=["overdue", "due today"])
def test_a_follow_up_due_is_not_prefilled_and_left_empty_clears_it(web, acme, today, due_in):
    Task.objects.update(next_follow_up=today + dt.timedelta(days=due_in))

    page = web.get(URL)
    response = web.post(URL, {**form_of(page), "text": "Called"})

    assert page.context["form"]["next_follow_up"].value() is None
    assert response.status_code == 302  # the first try succeeds
    assert Dedication.objects.count() == 1
    assert Task.objects.get().next_follow_up is None  # out of the agenda


def test_a_follow_up_still_to_come_is_prefilled_and_kept(web, acme, today):
    Task.objects.update(next_follow_up=today + dt.timedelta(days=1))

    page = web.get(URL)
    post_log(web, "ACME")

    assert page.context["form"]["next_follow_up"].value() == today + dt.timedelta(days=1)
    assert Task.objects.get().next_follow_up == today + dt.timedelta(days=1)


def test_a_date_changed_before_finish_applies_the_rule_to_that_date(web, acme, today):
    # Opened today, yesterday's follow-up is done by it: the field starts empty. The user then
    # dates the call three days back, before that follow-up: the server decides on Finish,
    # and the follow-up, still to come on that date, stays.
    yesterday = today - dt.timedelta(days=1)
    Task.objects.update(next_follow_up=yesterday)
    page = web.get(URL)
    back = (today - dt.timedelta(days=3)).isoformat()

    response = web.post(URL, {**form_of(page), "text": "Called", "date": back})

    assert response.status_code == 302
    assert Task.objects.get().next_follow_up == yesterday


def test_the_one_tap_follow_ups_carry_their_dates_for_the_keyboard(web, acme, today):
    html = web.get(URL).content.decode()

    for label, days in (("+1 day", 1), ("+1 week", 7), ("+2 weeks", 14)):
        day = today + dt.timedelta(days=days)
        assert (
            f'<button type="button" class="secondary outline" data-follow-up="{day:%d/%m/%Y}" '
            f'aria-controls="id_next_follow_up">{label}</button>'
        ) in html
    # Hidden until JavaScript can fill the field; without it the field is typed.
    assert "data-follow-up-choices hidden" in html


# --- 4. Where it goes, and the task picker --------------------------------------------------


def test_the_form_says_where_the_activity_goes_and_offers_the_other_pending_tasks(
    web, today, prieto
):
    overdue, latest = prieto
    own = latest.project
    incident = factories.task(factories.project(own.client, "REFORMAS"), "Gotera", kind="incident")
    factories.task(own, "Hecha", status="done")

    form = web.get("/clients/PRIETO/log/").context["form"]

    assert form["task"].value() == latest.pk  # what the rules choose
    assert [value for value, _label in form.fields["task"].widget.choices] == [
        latest.pk,
        overdue.pk,
        incident.pk,
    ]
    labels = dict(form.fields["task"].widget.choices)
    assert (
        labels[overdue.pk]
        == f"PRIETO {ARROW} Presupuesto nave · {today - dt.timedelta(days=3):%d/%m/%Y}"
    )
    assert labels[incident.pk] == f"REFORMAS {ARROW} Gotera (incident)"


def test_picking_another_task_logs_on_it_with_its_own_follow_up_rule(web, today, prieto):
    overdue, latest = prieto

    post_log(web, "PRIETO", task=str(overdue.pk))

    assert Dedication.objects.get().task == overdue
    overdue.refresh_from_db()
    latest.refresh_from_db()
    assert overdue.next_follow_up is None  # done by this dedication
    assert latest.next_follow_up == today + dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("projects", "says"),
    [
        ([], f"a new project ACME {ARROW} a new task “Seguimiento”"),
        (["ACME"], f"ACME {ARROW} a new task “Seguimiento”"),
    ],
)
def test_what_will_be_created_is_said_before_finish(web, projects, says):
    client = factories.client("ACME", name="Acme")
    for code in projects:
        factories.project(client, code)

    html = web.get(URL).content.decode()

    assert f"Will be logged on <strong>{says}</strong>" in html


def test_the_project_choice_explains_itself(web):
    bodegas = factories.client("BODEGAS", name="Bodegas Valdehierro")
    factories.project(bodegas, "BOD-EXPORT")
    factories.project(bodegas, "BOD-TIENDA")

    page = web.get("/clients/BODEGAS/log/", HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    missing = web.post(
        "/clients/BODEGAS/log/", {**form_of(page), "text": "x"}, HTTP_ACCEPT_LANGUAGE="es"
    )

    assert (
        "Bodegas Valdehierro tiene varios proyectos activos. ¿En cuál se registra esta dedicación?"
    ) in html
    assert "ninguno tiene su código" not in html
    assert "Elige el proyecto de esta dedicación." in missing.content.decode()


# --- Issue 9.5: stale or tampered hidden values ---------------------------------------------


def test_a_task_done_meanwhile_is_refused_then_the_form_falls_back(web, acme, today):
    project = acme.projects.get()
    first = Task.objects.get()
    older = factories.task(project, "Presupuesto", created_at=timezone.now() - dt.timedelta(days=5))
    page = web.get(f"{URL}?task={first.pk}")
    Task.objects.filter(pk=first.pk).update(status="done")  # from the agenda, meanwhile

    refused = web.post(URL, {**form_of(page), "text": "Called"})

    assert refused.status_code == 200
    message = alert(refused)
    assert "“Seguimiento” has been marked done. Nothing was recorded." in message
    assert (
        f"It will be logged on ACME {ARROW} Presupuesto instead: press Finish to confirm."
        in message
    )
    assert Dedication.objects.count() == 0
    again = web.post(URL, {**form_of(refused), "text": "Called"})
    assert again.status_code == 302
    assert Dedication.objects.get().task == older


@pytest.mark.parametrize("case", ["other client", "unknown", "not a number", "closed project"])
def test_a_tampered_task_is_refused_with_the_reason(web, acme, case):
    if case == "other client":
        value = str(factories.task(factories.project(factories.client("X"), "X"), "Theirs").pk)
        reason = "“Theirs” is not a task of client ACME."
    elif case == "closed project":
        old = factories.project(acme, "OLD", status="closed")
        value = str(factories.task(old, "Antigua").pk)
        reason = "“Antigua” is on project OLD, which is closed."
    else:
        value = "999999" if case == "unknown" else "1e3"
        reason = "The task chosen no longer exists."
    before = written()

    response = post_log(web, "ACME", task=value)

    assert response.status_code == 200
    assert reason in alert(response)
    assert f"It will be logged on ACME {ARROW} Seguimiento instead" in alert(response)
    assert written() == before


def test_a_project_closed_meanwhile_or_tampered_is_refused(web, acme):
    project = acme.projects.get()
    other = factories.project(factories.client("X"), "X")
    page = web.get(f"{URL}?project=ACME")
    before = written()

    tampered = web.post(URL, {**form_of(page), "text": "Called", "project": str(other.pk)})

    assert "is not an active project of ACME" in alert(tampered)
    assert written() == before
    project.status = "closed"
    project.save()
    closed = web.post(URL, {**form_of(page), "text": "Called"})
    assert "is not an active project of ACME" in alert(closed)
    assert written() == before


@pytest.mark.parametrize("token", ["", "not a token!", "0" * 200])
def test_a_missing_or_damaged_token_is_refused_then_renewed(web, acme, token):
    refused = post_log(web, "ACME", token=token)

    assert refused.status_code == 200
    assert "one-time token was missing or damaged" in alert(refused)
    assert Dedication.objects.count() == 0
    again = web.post(URL, {**form_of(refused), "text": "Called"})
    assert again.status_code == 302 and Dedication.objects.count() == 1


def test_the_agendas_task_done_before_the_form_opens_is_said(web, acme):
    task = Task.objects.get()
    factories.task(acme.projects.get(), "Otra", created_at=timezone.now() - dt.timedelta(days=1))
    Task.objects.filter(pk=task.pk).update(status="done")

    response = web.get(f"{URL}?task={task.pk}")

    assert "“Seguimiento” has been marked done." in alert(response)
    assert f"It will be logged on ACME {ARROW} Otra instead" in alert(response)


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


def test_finishing_reads_the_clients_tasks_once_before_recording(
    web, acme, django_assert_max_num_queries
):
    """The task the form sent is one of the pending tasks the form read for its picker:
    taken from there, not read again (with its project's plan) to check and to clean it.
    Sign-in (2), client, plan (3), employee (2: default and the field's), then the quick log
    itself (11, its savepoint and 4 totals' rows included)."""
    page = web.get("/clients/ACME/log/", HTTP_HX_REQUEST="true")
    data = {**form_of(page), "text": "Called", "minutes": ""}
    assert data["task"]  # ACME's task "Seguimiento", chosen by the rules

    with django_assert_max_num_queries(20):
        response = web.post("/clients/ACME/log/", data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert Dedication.objects.get().task.title == "Seguimiento"


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
    for path in ("/clients/NOPE/", "/clients/NOPE/log/"):
        response = web.get(path)
        assert response.status_code == 404
        assert "There is nothing at this address" in response.content.decode()


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
