"""The quick-log form before Finish: the next follow-up it starts with (rule 4), where it says
the activity goes and the task picker, and its refusals of stale or tampered hidden values
(never a form shown again without a word)."""

# The fixtures of tests/web/test_views.py (web, acme, ana) are imported, then named as
# arguments: ruff would call that a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hexa.crm.models import Dedication, Task
from hexa.web.forms.quick_log import ARROW
from tests import factories
from tests.web.test_views import acme, form_of, post_log  # noqa: F401

pytestmark = pytest.mark.django_db

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
