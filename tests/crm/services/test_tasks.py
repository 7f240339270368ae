"""Tasks and incidents through the domain: create (for a project, or for a client by the quick
log's project rule), edit, complete, reopen, assign and reschedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.crm import services
from hexa.crm.errors import AmbiguousProject, ClientArchived, Conflict, InvalidInput
from hexa.crm.models import Client, Project, Task
from tests import factories
from tests.conftest import every_row
from tests.crm.services.conftest import set_now

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def project(client_acme) -> Project:
    return factories.project(client_acme, "ACME")


@pytest.fixture
def task(project) -> Task:
    return factories.task(project, "Send the quote")


def fresh(task: Task) -> Task:
    """The task as an interface loads it for a request."""
    return services.task_by_id(task.pk)


# --- Create on a project ------------------------------------------------------------------------


def test_create_task_stores_what_was_given(project, employee, today):
    created = services.create_task(
        project=project,
        title="  Send the quote  ",
        next_follow_up=today + dt.timedelta(days=3),
        assigned_to=employee,
    )

    row = Task.objects.get()
    assert row == created
    assert (row.project, row.title, row.kind, row.status) == (
        project,
        "Send the quote",
        "task",
        "pending",
    )
    assert row.next_follow_up == today + dt.timedelta(days=3)
    assert row.assigned_to == employee
    assert row.priority == "normal"
    assert (row.reported_by, row.reported_via, row.description) == ("", "", "")
    assert row.completed_at is None
    assert row.created_at is not None


def test_create_incident_with_priority_reporter_channel_and_description(project):
    services.create_task(
        project=project,
        title="Printer does not print",
        kind=Task.Kind.INCIDENT,
        priority=Task.Priority.URGENT,
        reported_by="  Luis, warehouse  ",
        reported_via=Task.Channel.PHONE,
        description="  Paper jam error after the update.  ",
    )

    row = Task.objects.get()
    assert (row.kind, row.priority, row.reported_by, row.reported_via, row.description) == (
        "incident",
        "urgent",
        "Luis, warehouse",
        "phone",
        "Paper jam error after the update.",
    )


@pytest.mark.parametrize(
    ("priority", "channel"),
    [("low", "phone"), ("normal", "email"), ("high", "visit"), ("urgent", "web")],
)
def test_every_priority_and_channel_is_accepted(project, priority, channel):
    services.create_task(
        project=project, title="Incident", kind="incident", priority=priority, reported_via=channel
    )

    assert Task.objects.values_list("priority", "reported_via").get() == (priority, channel)


def test_create_task_already_done_records_when(project):
    before = timezone.now()

    services.create_task(project=project, title="Done at once", status=Task.Status.DONE)

    row = Task.objects.get()
    assert row.status == "done"
    assert before <= row.completed_at <= timezone.now()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Bad\x00title"}, "title"),
        ({"kind": "bug"}, "kind"),
        ({"status": "archived"}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"reported_via": "fax"}, "reported_via"),
        ({"description": "nul\x00"}, "description"),
    ],
)
def test_bad_task_fields_are_refused_on_their_field_and_write_nothing(project, fields, field):
    fields = {"title": "A task", **fields}
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.create_task(project=project, **fields)

    assert list(raised.value.fields) == [field]
    assert every_row() == before


def test_task_title_of_200_characters_is_accepted(project):
    assert len(services.create_task(project=project, title="x" * 200).title) == 200


def test_unknown_task_field_is_refused(project):
    with pytest.raises(TypeError):
        services.create_task(project=project, title="A task", colour="red")
    assert not Task.objects.exists()


def test_task_assigned_to_an_inactive_employee_is_refused(project):
    gone = factories.employee("GONE", active=False)
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.create_task(project=project, title="A task", assigned_to=gone)

    assert list(raised.value.fields) == ["assigned_to"]
    assert "GONE" in raised.value.fields["assigned_to"][0]
    assert every_row() == before


def test_task_on_a_closed_project_is_refused(client_acme):
    closed = factories.project(client_acme, "OLD", status="closed")

    with pytest.raises(Conflict) as raised:
        services.create_task(project=closed, title="A task")

    assert raised.value.code == "project_closed"
    assert "OLD" in raised.value.message
    assert not Task.objects.exists()


def test_task_on_a_project_of_an_archived_client_is_refused():
    archived = factories.client("GONE", active=False)
    project = factories.project(archived, "GONE")

    with pytest.raises(ClientArchived) as raised:
        services.create_task(project=project, title="A task")

    assert raised.value.code == "client_archived"
    assert not Task.objects.exists()


# --- Create for a client (the quick log's project rule) -----------------------------------------


def test_client_task_without_projects_creates_the_clients_project(client_acme):
    task, project_created = services.create_client_task(client=client_acme, title="Call back")

    project = Project.objects.get()
    assert project_created
    assert task.project == project
    assert (project.code, project.name, project.kind, project.status) == (
        "ACME",
        "Acme S.L.",
        "commercial",
        "active",
    )
    assert Task.objects.get() == task


def test_client_task_uses_the_single_active_project_whatever_its_code(client_acme):
    web = factories.project(client_acme, "WEB")

    task, project_created = services.create_client_task(client=client_acme, title="Call back")

    assert not project_created
    assert task.project == web
    assert Project.objects.count() == 1


def test_client_task_uses_the_project_with_the_client_code_among_several(client_acme):
    factories.project(client_acme, "A-WEB")
    own = factories.project(client_acme, "ACME")
    factories.project(client_acme, "Z-SHOP")

    task, _created = services.create_client_task(client=client_acme, title="Call back")

    assert task.project == own


def test_client_task_never_uses_a_closed_project(client_acme):
    factories.project(client_acme, "ACME", status="closed")

    task, project_created = services.create_client_task(client=client_acme, title="Call back")

    assert project_created
    assert task.project.code == "ACME-2"
    assert task.project.is_active


def test_client_task_for_an_ambiguous_client_asks_for_a_choice_and_writes_nothing(client_acme):
    factories.project(client_acme, "WEB")
    factories.project(client_acme, "SHOP")
    before = every_row()

    with pytest.raises(AmbiguousProject) as raised:
        services.create_client_task(client=client_acme, title="Call back")

    assert sorted(p.code for p in raised.value.candidates) == ["SHOP", "WEB"]
    assert every_row() == before


def test_client_task_on_an_explicit_project(client_acme):
    factories.project(client_acme, "ACME")
    shop = factories.project(client_acme, "SHOP")

    task, project_created = services.create_client_task(
        client=client_acme, project=shop, title="Call back", kind="incident", priority="high"
    )

    assert not project_created
    assert (task.project, task.kind, task.priority) == (shop, "incident", "high")


@pytest.mark.parametrize("state", ["closed", "another client's"])
def test_client_task_on_a_project_that_is_not_an_active_one_of_the_client_is_refused(
    client_acme, state
):
    factories.project(client_acme, "ACME")
    if state == "closed":
        named = factories.project(client_acme, "OLD", status="closed")
    else:
        named = factories.project(factories.client("OTHER"), "THEIRS")
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.create_client_task(client=client_acme, project=named, title="Call back")

    assert list(raised.value.fields) == ["project"]
    assert every_row() == before


def test_client_task_for_an_archived_client_is_refused_even_from_a_stale_object(client_acme):
    Client.objects.filter(pk=client_acme.pk).update(active=False)

    before = every_row()

    with pytest.raises(ClientArchived):
        services.create_client_task(client=client_acme, title="Call back")

    assert every_row() == before


def test_bad_client_task_writes_no_project_either(client_acme):
    """The client has no project: the project the rule creates goes away with the refusal."""
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.create_client_task(client=client_acme, title="  ")

    assert list(raised.value.fields) == ["title"]
    assert every_row() == before


def test_client_task_assigned_to_an_inactive_employee_writes_no_project(client_acme):
    gone = factories.employee("GONE", active=False)

    before = every_row()

    with pytest.raises(InvalidInput):
        services.create_client_task(client=client_acme, title="Call back", assigned_to=gone)

    assert every_row() == before


def test_client_incident_is_never_used_by_the_quick_log(client_acme, employee):
    incident, _created = services.create_client_task(
        client=client_acme, title="Broken printer", kind="incident", reported_via="web"
    )

    result = services.quick_log(
        client=client_acme, employee=employee, text="Call", recorded_by=None, via="api"
    )

    assert result.project == incident.project
    assert result.task_created
    assert result.task != incident


def test_client_task_is_the_one_the_next_quick_log_uses(client_acme, employee):
    task, _created = services.create_client_task(client=client_acme, title="Quote")

    result = services.quick_log(
        client=client_acme, employee=employee, text="Call", recorded_by=None, via="api"
    )

    assert result.task == task
    assert not result.task_created


# --- Edit ---------------------------------------------------------------------------------------


def test_edit_changes_the_given_fields_only(task, today):
    services.update_task(
        fresh(task),
        title="  Send the new quote ",
        description="With the discount",
        priority="high",
        next_follow_up=today + dt.timedelta(days=2),
    )

    row = Task.objects.get()
    assert (row.title, row.description, row.priority, row.next_follow_up) == (
        "Send the new quote",
        "With the discount",
        "high",
        today + dt.timedelta(days=2),
    )
    assert (row.kind, row.status, row.assigned_to, row.completed_at) == (
        "task",
        "pending",
        None,
        None,
    )


def test_edit_turns_a_task_into_an_incident_with_its_details(task):
    services.update_task(
        fresh(task), kind="incident", reported_by="Marta", reported_via="email", priority="low"
    )

    row = Task.objects.get()
    assert (row.kind, row.reported_by, row.reported_via, row.priority) == (
        "incident",
        "Marta",
        "email",
        "low",
    )


def test_edit_clears_the_next_follow_up(project, today):
    task = factories.task(project, next_follow_up=today)

    services.update_task(fresh(task), next_follow_up=None)

    assert Task.objects.get().next_follow_up is None


def test_edit_without_a_difference_writes_nothing(task):
    same = fresh(task)

    with CaptureQueriesContext(connection) as queries:
        services.update_task(same, title="Send the quote", priority="normal")

    assert not [q for q in queries if q["sql"].upper().startswith("UPDATE")]


@pytest.mark.parametrize(
    "changes",
    [
        {"project": "OTHER"},
        {"id": 99},
        {"completed_at": None},
        {"created_at": None},
        {"colour": "red"},
    ],
    ids=["project", "id", "completed_at", "created_at", "colour"],
)
def test_edit_of_an_unknown_or_protected_field_is_refused(task, changes):
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.update_task(fresh(task), **changes)

    assert list(raised.value.fields) == list(changes)
    assert every_row() == before


def test_a_task_cannot_be_moved_to_another_project(task, client_acme):
    other = factories.project(client_acme, "WEB")
    before = every_row()

    with pytest.raises(InvalidInput):
        services.update_task(fresh(task), project=other)

    assert every_row() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"priority": "critical"}, "priority"),
        ({"status": "archived"}, "status"),
        ({"kind": "bug"}, "kind"),
        ({"reported_via": "pigeon"}, "reported_via"),
    ],
)
def test_edit_with_a_bad_value_is_refused_and_writes_nothing(task, changes, field):
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.update_task(fresh(task), **changes)

    assert field in raised.value.fields
    assert every_row() == before


# --- Complete and reopen ------------------------------------------------------------------------


def test_complete_marks_it_done_and_records_when(task):
    before = timezone.now()

    services.complete_task(fresh(task))

    row = Task.objects.get()
    assert row.status == "done"
    assert before <= row.completed_at <= timezone.now()


def test_complete_through_edit_records_when_too(task):
    services.update_task(fresh(task), status="done")

    assert Task.objects.get().completed_at is not None


def test_completing_a_done_task_keeps_its_completion_time(project):
    done = factories.task(project, status="done")
    moment = timezone.now() - dt.timedelta(days=3)
    Task.objects.filter(pk=done.pk).update(completed_at=moment)

    services.complete_task(fresh(done))

    assert Task.objects.get().completed_at == moment


def test_completing_a_task_of_a_closed_project_is_allowed(client_acme):
    closed = factories.project(client_acme, "OLD", status="closed")
    task = factories.task(closed)

    services.complete_task(fresh(task))

    assert Task.objects.get().status == "done"


def test_reopen_makes_it_pending_and_forgets_the_completion(task):
    services.complete_task(fresh(task))

    services.reopen_task(fresh(task))

    row = Task.objects.get()
    assert (row.status, row.completed_at) == ("pending", None)


def test_reopening_a_pending_task_changes_nothing(task):
    before = every_row()

    services.reopen_task(fresh(task))

    assert every_row() == before


@pytest.mark.parametrize("reopen", ["reopen_task", "update_task"])
def test_reopening_a_task_of_a_closed_project_is_refused_and_writes_nothing(client_acme, reopen):
    closed = factories.project(client_acme, "OLD", status="closed")
    done = factories.task(closed, status="done")
    Task.objects.filter(pk=done.pk).update(completed_at=timezone.now())
    before = every_row()

    with pytest.raises(Conflict) as raised:
        if reopen == "reopen_task":
            services.reopen_task(fresh(done))
        else:
            services.update_task(fresh(done), status="pending", title="Reopened")

    assert raised.value.code == "project_closed"
    assert every_row() == before


def test_reopening_a_task_of_an_archived_client_is_refused_and_writes_nothing():
    archived = factories.client("GONE", active=False)
    done = factories.task(factories.project(archived, "GONE"), status="done")
    before = every_row()

    with pytest.raises(ClientArchived):
        services.reopen_task(fresh(done))

    assert every_row() == before


def test_reopening_again_after_the_project_is_reopened_reopens_it(client_acme):
    closed = factories.project(client_acme, "OLD", status="closed")
    done = fresh(factories.task(closed, status="done"))
    with pytest.raises(Conflict):
        services.reopen_task(done)

    services.update_project(done.project, status="active")
    services.reopen_task(done)

    assert Task.objects.get().status == "pending"


def test_reopening_is_refused_when_the_project_was_closed_meanwhile(project):
    done = factories.task(project, status="done")
    loaded = fresh(done)  # a request loads the task ...
    Project.objects.filter(pk=project.pk).update(status="closed")  # ... another closes it

    with pytest.raises(Conflict):
        services.reopen_task(loaded)

    assert Task.objects.get().status == "done"


# --- Assign -------------------------------------------------------------------------------------


def test_assign_to_an_active_employee(task, employee):
    services.assign_task(fresh(task), employee)

    assert Task.objects.get().assigned_to == employee


def test_assign_to_nobody(task, employee):
    Task.objects.filter(pk=task.pk).update(assigned_to=employee)

    services.assign_task(fresh(task), None)

    assert Task.objects.get().assigned_to is None


def test_assign_to_an_inactive_employee_is_refused_and_writes_nothing(task, employee):
    Task.objects.filter(pk=task.pk).update(assigned_to=employee)
    gone = factories.employee("GONE", active=False)
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.assign_task(fresh(task), gone)

    assert list(raised.value.fields) == ["assigned_to"]
    assert every_row() == before


def test_editing_a_task_keeps_an_assignee_who_has_left_since(task, employee):
    Task.objects.filter(pk=task.pk).update(assigned_to=employee)
    employee.active = False
    employee.save()

    services.update_task(fresh(task), title="Renamed", assigned_to=employee)

    row = Task.objects.get()
    assert (row.title, row.assigned_to) == ("Renamed", employee)


# --- Reschedule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "days", "expected"),
    [
        (3, 1, 4),  # a future follow-up moves from its own date
        (3, 7, 10),
        (0, 1, 1),  # due today: today is not past
        (0, 7, 7),
        (-5, 1, 1),  # overdue: from today, not from the old date
        (-5, 7, 7),
        (-1, 1, 1),
        (None, 1, 1),  # none yet: from today
        (None, 7, 7),
    ],
)
def test_reschedule_by_days(project, today, current, days, expected):
    follow_up = None if current is None else today + dt.timedelta(days=current)
    task = factories.task(project, next_follow_up=follow_up)

    services.reschedule_task(fresh(task), days=days, today=today)

    assert Task.objects.get().next_follow_up == today + dt.timedelta(days=expected)


def test_reschedule_to_a_date(project, today):
    task = factories.task(project, next_follow_up=today)

    services.reschedule_task(fresh(task), to=dt.date(2031, 5, 17))

    assert Task.objects.get().next_follow_up == dt.date(2031, 5, 17)


@pytest.mark.parametrize("given", [{}, {"days": 1, "to": dt.date(2031, 1, 1)}])
def test_reschedule_needs_either_a_date_or_a_number_of_days(project, today, given):
    task = factories.task(project, next_follow_up=today)
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.reschedule_task(fresh(task), **given)

    assert list(raised.value.fields) == ["next_follow_up"]
    assert every_row() == before


def test_reschedule_counts_from_todays_date_in_madrid_at_half_past_eleven_utc(project, monkeypatch):
    # 23:30 UTC on 10 January is 00:30 on 11 January in Madrid: "today" is the 11th there.
    set_now(monkeypatch, dt.datetime(2026, 1, 10, 23, 30, tzinfo=UTC))
    task = factories.task(project, next_follow_up=dt.date(2026, 1, 10))  # overdue in Madrid

    services.reschedule_task(fresh(task), days=1)

    assert Task.objects.get().next_follow_up == dt.date(2026, 1, 12)


@pytest.mark.parametrize(
    ("given", "field"),
    [({"days": 0}, "days"), ({"days": -3}, "days"), ({"to": "yesterday"}, "next_follow_up")],
)
def test_reschedule_refuses_going_back_in_time(project, today, given, field):
    task = factories.task(project, next_follow_up=today)
    if given.get("to") == "yesterday":
        given = {"to": today - dt.timedelta(days=1)}

    with pytest.raises(InvalidInput) as raised:
        services.reschedule_task(fresh(task), today=today, **given)

    assert list(raised.value.fields) == [field]
    assert Task.objects.get().next_follow_up == today


def test_a_done_task_is_not_rescheduled(project, today):
    task = factories.task(project, status="done", next_follow_up=today)

    with pytest.raises(Conflict) as raised:
        services.reschedule_task(fresh(task), days=1, today=today)

    assert raised.value.code == "task_done"
    assert Task.objects.get().next_follow_up == today
