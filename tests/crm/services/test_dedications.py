"""Dedications on existing work (a project, or one of its tasks or incidents), and changing or
deleting them with the trail kept in DedicationChange. Who may change them is in
test_permissions.py; here the actor is a manager or Hexa itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hexa.crm import services
from hexa.crm.errors import ClientArchived, Conflict, InvalidInput
from hexa.crm.models import Dedication, DedicationChange, Project
from tests import factories
from tests.conftest import every_row
from tests.crm.services.conftest import set_now

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def project(client_acme) -> Project:
    return factories.project(client_acme, "ACME")


@pytest.fixture
def task(project):
    return factories.task(project, "Quote")


@pytest.fixture
def luis(db):
    return factories.employee("LUIS", name="Luis Pérez")


def record(**fields) -> Dedication:
    fields.setdefault("text", "Worked on it")
    fields.setdefault("recorded_by", None)
    fields.setdefault("via", Dedication.Via.WEB)
    return services.record_dedication(**fields)


@pytest.fixture
def dedication(task, employee, user, today) -> Dedication:
    return record(
        project=task.project,
        task=task,
        employee=employee,
        text="Called about the quote",
        date=today - dt.timedelta(days=1),
        minutes=30,
        recorded_by=user,
    )


def loaded(dedication: Dedication) -> Dedication:
    """The dedication as an interface loads it for a request."""
    return Dedication.objects.select_related(
        "client", "project", "task", "employee", "recorded_by"
    ).get(pk=dedication.pk)


# --- Record -------------------------------------------------------------------------------------


def test_record_on_a_project_without_a_task(project, employee, user, today):
    made = record(
        project=project,
        employee=employee,
        text="  Prepared the offer  ",
        minutes=45,
        recorded_by=user,
        via=Dedication.Via.API,
    )

    row = Dedication.objects.get()
    assert row == made
    assert (row.client, row.project, row.task, row.employee) == (
        project.client,
        project,
        None,
        employee,
    )
    assert (row.text, row.minutes, row.date, row.via) == ("Prepared the offer", 45, today, "api")
    assert row.recorded_by == user
    assert (row.updated_by, row.updated_at) == (None, None)


def test_record_on_a_task(task, employee):
    record(project=task.project, task=task, employee=employee)

    assert Dedication.objects.get().task == task


def test_record_on_an_incident(project, employee):
    incident = factories.task(project, "Printer", kind="incident")

    record(project=project, task=incident, employee=employee)

    assert Dedication.objects.get().task == incident


def test_record_on_a_past_date(project, employee, today):
    record(project=project, employee=employee, date=today - dt.timedelta(days=40))

    assert Dedication.objects.get().date == today - dt.timedelta(days=40)


def test_record_for_another_employee_shows_who_recorded_it(project, employee, luis, user):
    record(project=project, employee=luis, recorded_by=user)

    row = Dedication.objects.get()
    assert row.employee == luis
    assert row.recorded_by == user
    assert employee.user_id is None  # the recorder needs no employee of their own


def test_recording_does_not_touch_the_tasks_follow_up(project, employee, today):
    task = factories.task(project, next_follow_up=today + dt.timedelta(days=3))

    record(project=project, task=task, employee=employee)

    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=3)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "  \n\t "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "nul\x00"}, "text"),
        ({"date": timezone.localdate() + dt.timedelta(days=1)}, "date"),
        ({"minutes": -1}, "minutes"),
        ({"minutes": 1441}, "minutes"),
        ({"employee": None}, "employee"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_writes_nothing(project, employee, fields, field):
    fields = {"employee": employee, **fields}
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        record(project=project, **fields)

    assert list(raised.value.fields) == [field]
    assert every_row() == before


@pytest.mark.parametrize("minutes", [0, 1440])
def test_minutes_at_the_limits_are_accepted(project, employee, minutes):
    assert record(project=project, employee=employee, minutes=minutes).minutes == minutes


def test_text_of_ten_thousand_characters_is_accepted(project, employee):
    assert len(record(project=project, employee=employee, text="x" * 10_000).text) == 10_000


def test_inactive_employee_is_refused(project):
    gone = factories.employee("GONE", active=False)
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        record(project=project, employee=gone)

    assert "GONE" in raised.value.fields["employee"][0]
    assert every_row() == before


def test_every_bad_field_is_reported_at_once(project, today):
    gone = factories.employee("GONE", active=False)

    with pytest.raises(InvalidInput) as raised:
        record(project=project, employee=gone, text="", date=today + dt.timedelta(days=2))

    assert set(raised.value.fields) == {"text", "employee", "date"}


def test_task_of_another_project_is_refused(project, employee, client_acme):
    elsewhere = factories.task(factories.project(client_acme, "WEB"), "Elsewhere")

    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        record(project=project, task=elsewhere, employee=employee)

    assert list(raised.value.fields) == ["task"]
    assert "WEB" in raised.value.fields["task"][0]
    assert every_row() == before


def test_task_of_another_clients_project_is_refused(project, employee):
    theirs = factories.task(factories.project(factories.client("OTHER"), "THEIRS"))

    before = every_row()

    with pytest.raises(InvalidInput):
        record(project=project, task=theirs, employee=employee)

    assert every_row() == before


def test_closed_project_is_refused(client_acme, employee):
    closed = factories.project(client_acme, "OLD", status="closed")

    before = every_row()

    with pytest.raises(Conflict) as raised:
        record(project=closed, employee=employee)

    assert raised.value.code == "project_closed"
    assert every_row() == before


def test_project_of_an_archived_client_is_refused(employee):
    archived = factories.project(factories.client("GONE", active=False), "GONE")
    before = every_row()

    with pytest.raises(ClientArchived):
        record(project=archived, employee=employee)

    assert every_row() == before


def test_project_closed_meanwhile_is_refused(project, employee):
    loaded_project = Project.objects.select_related("client").get(pk=project.pk)
    Project.objects.filter(pk=project.pk).update(status="closed")

    before = every_row()

    with pytest.raises(Conflict):
        record(project=loaded_project, employee=employee)

    assert every_row() == before


def test_today_is_madrids_date_at_half_past_eleven_utc(project, employee, monkeypatch):
    # 23:30 UTC on 31 March is 01:30 on 1 April in Madrid (summer time, UTC+2).
    set_now(monkeypatch, dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))

    made = record(project=project, employee=employee)
    record(project=project, employee=employee, date=dt.date(2026, 4, 1))
    with pytest.raises(InvalidInput) as raised:
        record(project=project, employee=employee, date=dt.date(2026, 4, 2))

    assert made.date == dt.date(2026, 4, 1)
    assert list(raised.value.fields) == ["date"]
    assert Dedication.objects.count() == 2


# --- Change -------------------------------------------------------------------------------------


def test_change_updates_the_dedication_and_keeps_who_and_when(
    dedication, project, luis, manager, today
):
    other_task = factories.task(project, "Other")
    start = timezone.now()

    services.change_dedication(
        loaded(dedication),
        by=manager,
        text="  Called about the new quote ",
        minutes=45,
        date=today,
        employee=luis,
        task=other_task,
    )

    row = Dedication.objects.get()
    assert (row.text, row.minutes, row.date, row.employee, row.task) == (
        "Called about the new quote",
        45,
        today,
        luis,
        other_task,
    )
    assert row.updated_by == manager
    assert start <= row.updated_at <= timezone.now()
    change = DedicationChange.objects.get()
    assert (change.dedication, change.dedication_number, change.action, change.changed_by) == (
        row,
        row.pk,
        "changed",
        manager,
    )
    assert start <= change.changed_at <= timezone.now()


def test_change_keeps_what_it_said_before_and_after_in_codes(
    dedication, task, luis, manager, today
):
    services.change_dedication(loaded(dedication), by=manager, employee=luis, minutes=None)

    change = DedicationChange.objects.get()
    common = {
        "client": "ACME",
        "project": "ACME",
        "task": task.pk,
        "date": (today - dt.timedelta(days=1)).isoformat(),
        "text": "Called about the quote",
        "recorded_by": "ana",
    }
    assert change.before == {**common, "employee": "ANA", "minutes": 30}
    assert change.after == {**common, "employee": "LUIS", "minutes": None}


def test_each_change_is_kept_in_turn(dedication, manager):
    services.change_dedication(loaded(dedication), by=manager, text="Second")
    services.change_dedication(loaded(dedication), by=manager, text="Third")

    first, second = DedicationChange.objects.order_by("id")
    assert (first.before["text"], first.after["text"]) == ("Called about the quote", "Second")
    assert (second.before["text"], second.after["text"]) == ("Second", "Third")
    assert Dedication.objects.get().text == "Third"


def test_change_can_take_the_task_off_or_put_it_on_an_incident_of_the_project(
    dedication, project, manager
):
    services.change_dedication(loaded(dedication), by=manager, task=None)
    assert Dedication.objects.get().task is None

    incident = factories.task(project, "Printer", kind="incident")
    services.change_dedication(loaded(dedication), by=manager, task=incident)
    assert Dedication.objects.get().task == incident


def test_change_by_hexa_itself_keeps_no_user(dedication):
    services.change_dedication(loaded(dedication), by=services.SYSTEM, text="Imported fix")

    row = Dedication.objects.get()
    assert row.text == "Imported fix"
    assert row.updated_by is None and row.updated_at is not None
    assert DedicationChange.objects.get().changed_by is None


@pytest.mark.parametrize(
    "changes",
    [
        {"text": "Called about the quote"},
        {"text": "  Called about the quote \n"},
        {"minutes": 30},
        {},
    ],
    ids=["same text", "same text with spaces", "same minutes", "nothing"],
)
def test_change_without_a_difference_writes_nothing(dedication, manager, changes):
    before = every_row()

    services.change_dedication(loaded(dedication), by=manager, **changes)

    assert every_row() == before


def test_keeping_an_employee_who_has_left_since_is_allowed(dedication, employee, manager):
    employee.active = False
    employee.save()

    services.change_dedication(loaded(dedication), by=manager, text="Corrected")

    row = Dedication.objects.get()
    assert (row.text, row.employee) == ("Corrected", employee)


@pytest.mark.parametrize(
    "field", ["project", "client", "recorded_by", "recorded_at", "via", "updated_by", "colour"]
)
def test_change_of_an_unknown_or_protected_field_is_refused(dedication, manager, field):
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(loaded(dedication), by=manager, **{field: None})

    assert list(raised.value.fields) == [field]
    assert every_row() == before


def test_moving_a_dedication_to_another_project_is_refused(dedication, client_acme, manager):
    web = factories.project(client_acme, "WEB")
    before = every_row()

    with pytest.raises(InvalidInput):
        services.change_dedication(loaded(dedication), by=manager, project=web)

    assert every_row() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"date": timezone.localdate() + dt.timedelta(days=1)}, "date"),
        ({"minutes": -5}, "minutes"),
        ({"minutes": 2000}, "minutes"),
        pytest.param(
            {"employee": None},
            "employee",
            id="no employee",
        ),
    ],
)
def test_change_with_a_bad_value_is_refused_and_writes_nothing(dedication, manager, changes, field):
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(loaded(dedication), by=manager, **changes)

    assert list(raised.value.fields) == [field]
    assert every_row() == before


def test_change_to_an_employee_who_has_left_is_refused(dedication, manager):
    gone = factories.employee("GONE", active=False)
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(loaded(dedication), by=manager, employee=gone)

    assert list(raised.value.fields) == ["employee"]
    assert every_row() == before


@pytest.mark.parametrize("where", ["another project", "another client"])
def test_change_to_a_task_of_another_project_is_refused(dedication, client_acme, manager, where):
    owner = client_acme if where == "another project" else factories.client("OTHER")
    elsewhere = factories.task(factories.project(owner, "ELSEWHERE"))
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(loaded(dedication), by=manager, task=elsewhere)

    assert list(raised.value.fields) == ["task"]
    assert every_row() == before


def test_a_refused_change_leaves_the_dedication_object_as_it_was(dedication, manager, today):
    same = loaded(dedication)
    with pytest.raises(InvalidInput):
        services.change_dedication(same, by=manager, date=today + dt.timedelta(days=5))

    services.change_dedication(same, by=manager, text="Corrected")

    row = Dedication.objects.get()
    assert (row.text, row.date) == ("Corrected", today - dt.timedelta(days=1))


# --- Delete -------------------------------------------------------------------------------------


def test_delete_removes_it_and_keeps_its_last_state(dedication, manager):
    number = dedication.pk
    snapshot = {
        "client": "ACME",
        "project": "ACME",
        "task": dedication.task_id,
        "employee": "ANA",
        "date": dedication.date.isoformat(),
        "text": "Called about the quote",
        "minutes": 30,
        "recorded_by": "ana",
    }
    start = timezone.now()

    services.delete_dedication(loaded(dedication), by=manager)

    assert not Dedication.objects.exists()
    change = DedicationChange.objects.get()
    assert (change.dedication, change.dedication_number, change.action) == (
        None,
        number,
        "deleted",
    )
    assert change.changed_by == manager
    assert start <= change.changed_at <= timezone.now()
    assert change.before == snapshot
    assert change.after is None


def test_earlier_changes_outlive_the_dedication(dedication, manager):
    number = dedication.pk
    services.change_dedication(loaded(dedication), by=manager, text="Corrected")

    services.delete_dedication(loaded(dedication), by=manager)

    changed, deleted = DedicationChange.objects.order_by("id")
    assert (changed.action, changed.dedication, changed.dedication_number) == (
        "changed",
        None,
        number,
    )
    assert (deleted.action, deleted.dedication_number) == ("deleted", number)
    assert deleted.before["text"] == "Corrected"


def test_delete_by_hexa_itself(dedication):
    services.delete_dedication(loaded(dedication), by=services.SYSTEM)

    assert not Dedication.objects.exists()
    assert DedicationChange.objects.get().changed_by is None


def test_delete_of_a_quick_logged_dedication_with_an_idempotency_key(client_acme, employee, user):
    logged = services.quick_log(
        client=client_acme,
        employee=employee,
        text="Call",
        recorded_by=user,
        via=Dedication.Via.API,
        idempotency_key="k-1",
    )

    services.delete_dedication(loaded(logged.dedication), by=user)

    assert not Dedication.objects.exists()
    assert DedicationChange.objects.get().before["text"] == "Call"


def test_the_trail_outlives_the_user_who_changed_it(dedication, manager):
    services.change_dedication(loaded(dedication), by=manager, text="Corrected")

    manager.delete()

    change = DedicationChange.objects.get()
    assert change.changed_by is None
    assert change.after["text"] == "Corrected"
