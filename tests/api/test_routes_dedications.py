"""/dedications: recorded with every field or the defaults, on a task alone, for another
employee; listed, got, changed and deleted with a kept trail, by whom the rules allow; and
the domain behind PATCH on what the API refuses before it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from hexa.crm import services
from hexa.crm.errors import InvalidInput
from hexa.crm.models import (
    Dedication,
    DedicationChange,
    Employee,
    Task,
)
from tests import factories
from tests.api.conftest import assert_instant, assert_json_error, codes
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


# --- Dedications --------------------------------------------------------------------------------


def test_create_dedication_with_every_field(api, records, today):
    day = today - dt.timedelta(days=2)
    response = api.post(
        "/dedications",
        {
            "project": "web",
            "task": records.web_task.pk,
            "employee": "ana",
            "date": day.isoformat(),
            "text": "  Called about the form  ",
            "minutes": "1h30",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    dedication = Dedication.objects.get()
    assert body == {
        "id": dedication.pk,
        "client": "ACME",
        "project": "WEB",
        "task": records.web_task.pk,
        "employee": "ANA",
        "date": day.isoformat(),
        "minutes": 90,
        "text": "Called about the form",
        "recorded_by": "ana",
        "recorded_at": body["recorded_at"],
        "via": "api",
        "updated_by": None,
        "updated_at": None,
    }
    assert_instant(body["recorded_at"], dedication.recorded_at)
    assert (
        dedication.client,
        dedication.project,
        dedication.task,
        dedication.employee.code,
        dedication.date,
        dedication.minutes,
        dedication.text,
        dedication.recorded_by.username,
        dedication.via,
    ) == (
        records.acme,
        records.web,
        records.web_task,
        "ANA",
        day,
        90,
        "Called about the form",
        "ana",
        "api",
    )


def test_create_dedication_defaults_to_today_the_token_users_employee_and_no_task(
    api, records, today
):
    response = api.post("/dedications", {"project": "SHOP", "text": "Visited"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["employee"], body["date"], body["task"], body["minutes"]) == (
        "ANA",
        today.isoformat(),
        None,
        None,
    )
    dedication = Dedication.objects.get()
    assert (dedication.employee.code, dedication.date, dedication.task, dedication.minutes) == (
        "ANA",
        today,
        None,
        None,
    )


def test_create_dedication_does_not_touch_the_task(api, records):
    def task() -> dict:
        # Not who follows it up: the database keeps that from the client's latest work.
        return Task.objects.values().get(pk=records.web_task.pk) | {"responsible_id": None}

    before = task()

    api.post("/dedications", {"project": "WEB", "task": records.web_task.pk, "text": "Called"})

    assert task() == before


@pytest.fixture
def dedications(records, api_user):
    ana = Employee.objects.get(code="ANA")
    bob = factories.employee("BOB")
    day = dt.date(2024, 5, 1)
    made = {
        "d1": factories.dedication(records.web_task, ana, date=day),
        "d2": factories.dedication(records.web_task, bob, date=day + dt.timedelta(days=1)),
        "d3": factories.dedication(records.shop_task, ana, date=day + dt.timedelta(days=2)),
        "d4": factories.dedication(records.legacy_task, bob, date=day + dt.timedelta(days=3)),
    }
    return {name: dedication.pk for name, dedication in made.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({}, ["d4", "d3", "d2", "d1"], id="all-newest-first"),
        pytest.param({"limit": 2, "offset": 1}, ["d3", "d2"], id="page"),
        pytest.param({"client": "acme"}, ["d3", "d2", "d1"], id="client"),
        pytest.param({"client": "OLD"}, ["d4"], id="archived-client"),
        pytest.param({"project": "web"}, ["d2", "d1"], id="project"),
        pytest.param({"task": "shop_task"}, ["d3"], id="task"),
        pytest.param({"employee": "bob"}, ["d4", "d2"], id="employee"),
        pytest.param({"date_from": "2024-05-02"}, ["d4", "d3", "d2"], id="date-from"),
        pytest.param({"date_to": "2024-05-02"}, ["d2", "d1"], id="date-to"),
        pytest.param(
            {"date_from": "2024-05-02", "date_to": "2024-05-03"}, ["d3", "d2"], id="period"
        ),
        pytest.param({"date_from": "2024-05-04", "date_to": "2024-05-01"}, [], id="empty-period"),
        pytest.param(
            {"client": "ACME", "employee": "ANA", "date_from": "2024-05-01"},
            ["d3", "d1"],
            id="combined",
        ),
        pytest.param({"employee": "NOBODY"}, [], id="unknown-employee"),
    ],
)
def test_list_dedications_paginates_and_filters(api, records, dedications, query, expected):
    if query.get("task") == "shop_task":
        query = {**query, "task": records.shop_task.pk}

    response = api.get("/dedications", **query)

    assert codes(response) == [dedications[name] for name in expected]
    total = len(expected) if "limit" not in query else 4
    assert response.json()["count"] == total


def test_list_dedications_items_have_the_dedication_shape(api, records, dedications):
    response = api.get("/dedications", task=records.shop_task.pk)

    item = response.json()["items"][0]
    assert item == {
        "id": dedications["d3"],
        "client": "ACME",
        "project": "SHOP",
        "task": records.shop_task.pk,
        "employee": "ANA",
        "date": "2024-05-03",
        "minutes": None,
        "text": "Did something",
        "recorded_by": None,
        "recorded_at": item["recorded_at"],
        "via": "web",
        "updated_by": None,
        "updated_at": None,
    }


# --- Dedications on existing work ---------------------------------------------------------------


def test_record_a_dedication_on_a_task_alone_takes_its_project(api, acme, website):
    incident = factories.task(website, "Broken form", kind="incident")

    response = api.post("/dedications", {"task": incident.pk, "text": "Fixed it", "minutes": 45})

    assert response.status_code == 201, response.content
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.project, dedication.task, dedication.minutes) == (
        acme,
        website,
        incident,
        45,
    )
    assert (response.json()["project"], response.json()["task"]) == ("WEB", incident.pk)


def test_record_a_dedication_needs_a_project_or_a_task(api, website):
    before = every_row()

    response = api.post("/dedications", {"text": "Worked"})

    assert_json_error(response, 422, "validation_error", "project")
    assert every_row() == before


def test_record_a_dedication_for_another_employee_shows_who_recorded_it(api, as_user, website):
    bob = factories.employee("BOB", name="Bob")
    luis_user = factories.user("luis")
    factories.employee("LUIS", user=luis_user)

    response = as_user(luis_user).post(
        "/dedications", {"project": "WEB", "text": "Bob's visit", "employee": "bob"}
    )

    assert response.status_code == 201, response.content
    assert (response.json()["employee"], response.json()["recorded_by"]) == ("BOB", "luis")
    dedication = Dedication.objects.get()
    assert (dedication.employee, dedication.recorded_by) == (bob, luis_user)


@pytest.fixture
def dedication(website, api_user) -> Dedication:
    """Bob's dedication on WEB's follow-up task, recorded by Rita (who is not Bob)."""
    task = factories.task(website, "Follow-up")
    bob_user = factories.user("bob")
    factories.employee("BOB", name="Bob", user=bob_user)
    rita = factories.user("rita")
    factories.employee("RITA", name="Rita", user=rita)
    return factories.dedication(
        task,
        Employee.objects.get(code="BOB"),
        date=dt.date(2024, 5, 6),
        text="Visited the client",
        minutes=60,
        recorded_by=rita,
        via="api",
    )


def snapshot(dedication: Dedication) -> dict[str, Any]:
    """What DedicationChange keeps of a dedication, written out by hand."""
    dedication = Dedication.objects.select_related(
        "client", "project", "employee", "recorded_by"
    ).get(pk=dedication.pk)
    return {
        "client": dedication.client.code,
        "project": dedication.project.code,
        "task": dedication.task_id,
        "employee": dedication.employee.code,
        "date": dedication.date.isoformat(),
        "text": dedication.text,
        "minutes": dedication.minutes,
        "recorded_by": dedication.recorded_by.username if dedication.recorded_by else None,
    }


def test_get_a_dedication_by_id(api, dedication):
    response = api.get(f"/dedications/{dedication.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "id": dedication.pk,
        "client": "ACME",
        "project": "WEB",
        "task": dedication.task_id,
        "employee": "BOB",
        "date": "2024-05-06",
        "minutes": 60,
        "text": "Visited the client",
        "recorded_by": "rita",
        "recorded_at": body["recorded_at"],
        "via": "api",
        "updated_by": None,
        "updated_at": None,
    }
    assert_instant(body["recorded_at"], dedication.recorded_at)


def test_patch_a_dedication_changes_it_and_keeps_who_when_and_what_it_said(
    api, api_user, dedication, website, today
):
    other_task = factories.task(website, "Another task")
    before = snapshot(dedication)
    start = timezone.now()

    response = api.patch(
        f"/dedications/{dedication.pk}",
        {
            "employee": "ana",
            "date": today.isoformat(),
            "text": "  Visited and phoned  ",
            "minutes": "1h30",
            "task": other_task.pk,
        },
    )

    assert response.status_code == 200, response.content
    dedication.refresh_from_db()
    assert (
        dedication.employee.code,
        dedication.date,
        dedication.text,
        dedication.minutes,
        dedication.task,
        dedication.recorded_by.username,
        dedication.updated_by,
    ) == ("ANA", today, "Visited and phoned", 90, other_task, "rita", api_user)
    assert start <= dedication.updated_at <= timezone.now()
    body = response.json()
    assert body == {
        "id": dedication.pk,
        "client": "ACME",
        "project": "WEB",
        "task": other_task.pk,
        "employee": "ANA",
        "date": today.isoformat(),
        "minutes": 90,
        "text": "Visited and phoned",
        "recorded_by": "rita",
        "recorded_at": body["recorded_at"],
        "via": "api",
        "updated_by": "ana",
        "updated_at": body["updated_at"],
    }
    assert_instant(body["updated_at"], dedication.updated_at)
    change = DedicationChange.objects.get()
    assert (
        change.dedication,
        change.dedication_number,
        change.action,
        change.changed_by,
        change.before,
        change.after,
    ) == (dedication, dedication.pk, "changed", api_user, before, snapshot(dedication))
    assert start <= change.changed_at <= timezone.now()
    assert change.after == {
        **before,
        "employee": "ANA",
        "date": today.isoformat(),
        "text": "Visited and phoned",
        "minutes": 90,
        "task": other_task.pk,
    }


def test_patch_a_dedication_null_minutes_and_task_clear_them(api, dedication):
    response = api.patch(f"/dedications/{dedication.pk}", {"minutes": None, "task": None})

    assert response.status_code == 200, response.content
    dedication.refresh_from_db()
    assert (dedication.minutes, dedication.task) == (None, None)
    assert (response.json()["minutes"], response.json()["task"]) == (None, None)
    assert DedicationChange.objects.get().after["task"] is None


def test_patch_a_dedication_without_changes_records_nothing(api, dedication):
    before = every_row()

    same = api.patch(f"/dedications/{dedication.pk}", {"text": "Visited the client"})
    empty = api.patch(f"/dedications/{dedication.pk}", {})

    assert same.status_code == empty.status_code == 200, (same.content, empty.content)
    assert same.json()["updated_by"] is None
    assert every_row() == before


def test_each_change_of_a_dedication_is_kept(api, as_user, dedication):
    rita = dedication.recorded_by
    api.patch(f"/dedications/{dedication.pk}", {"text": "First"})
    as_user(rita).patch(f"/dedications/{dedication.pk}", {"text": "Second"})

    changes = list(DedicationChange.objects.order_by("pk"))

    assert [(c.changed_by.username, c.before["text"], c.after["text"]) for c in changes] == [
        ("ana", "Visited the client", "First"),
        ("rita", "First", "Second"),
    ]
    dedication.refresh_from_db()
    assert dedication.updated_by == rita


def test_delete_a_dedication_keeps_its_last_state(api, api_user, dedication):
    api.patch(f"/dedications/{dedication.pk}", {"text": "Changed once"})
    last = snapshot(dedication)
    number = dedication.pk
    start = timezone.now()

    response = api.request("delete", f"/dedications/{number}")

    assert response.status_code == 204, response.content
    assert response.content == b""
    assert not Dedication.objects.filter(pk=number).exists()
    changed, deleted = DedicationChange.objects.order_by("pk")
    assert (changed.dedication, changed.dedication_number, changed.action) == (
        None,
        number,
        "changed",
    )
    assert (
        deleted.dedication,
        deleted.dedication_number,
        deleted.action,
        deleted.changed_by,
        deleted.before,
        deleted.after,
    ) == (None, number, "deleted", api_user, last, None)
    assert start <= deleted.changed_at <= timezone.now()
    assert_json_error(api.get(f"/dedications/{number}"), 404, "not_found")


# --- Who may change or delete a dedication ------------------------------------------------------


def _actor(role: str, dedication: Dedication) -> AbstractUser:
    """manager: Ana; recorder: Rita, who recorded it for Bob; owner: Bob, whose employee it
    is; other: Luis, with an employee of his own; no-employee: a login without an employee;
    superuser: an administrator outside the managers group; staff: may use the admin site, but
    is no manager."""
    if role == "manager":
        return get_user_model().objects.get(username="ana")
    if role == "recorder":
        return dedication.recorded_by
    if role == "owner":
        return dedication.employee.user
    if role == "other":
        user = factories.user("luis")
        factories.employee("LUIS", user=user)
        return user
    if role == "no-employee":
        return factories.user("guest")
    if role == "superuser":
        return factories.user("root", is_superuser=True, is_staff=True)
    if role == "staff":
        return factories.user("admin", is_staff=True)
    raise AssertionError(role)


ALLOWED = ["manager", "recorder", "owner", "superuser"]
REFUSED = ["other", "no-employee", "staff"]


@pytest.mark.parametrize("role", ALLOWED)
def test_who_may_change_a_dedication(as_user, dedication, role):
    user = _actor(role, dedication)
    before = snapshot(dedication)
    start = timezone.now()

    response = as_user(user).patch(f"/dedications/{dedication.pk}", {"text": f"By {role}"})

    assert response.status_code == 200, response.content
    dedication.refresh_from_db()
    assert (dedication.text, dedication.updated_by) == (f"By {role}", user)
    assert start <= dedication.updated_at <= timezone.now()
    assert response.json()["updated_by"] == user.username
    assert_instant(response.json()["updated_at"], dedication.updated_at)
    change = DedicationChange.objects.get()
    assert (change.dedication, change.action, change.changed_by, change.before, change.after) == (
        dedication,
        "changed",
        user,
        before,
        {**before, "text": f"By {role}"},
    )
    assert start <= change.changed_at <= timezone.now()


@pytest.mark.parametrize("role", ALLOWED)
def test_who_may_delete_a_dedication(as_user, dedication, role):
    user = _actor(role, dedication)
    number = dedication.pk
    last = snapshot(dedication)
    start = timezone.now()

    response = as_user(user).request("delete", f"/dedications/{number}")

    assert response.status_code == 204, response.content
    assert not Dedication.objects.filter(pk=number).exists()
    change = DedicationChange.objects.get()
    assert (
        change.dedication,
        change.dedication_number,
        change.action,
        change.changed_by,
        change.before,
        change.after,
    ) == (None, number, "deleted", user, last, None)
    assert start <= change.changed_at <= timezone.now()


@pytest.mark.parametrize("role", REFUSED)
@pytest.mark.parametrize(
    ("method", "body"),
    [
        pytest.param("patch", {"text": "Mine now"}, id="patch"),
        pytest.param("patch", {"employee": "NOBODY"}, id="patch-bad-input-still-403"),
        pytest.param("patch", {}, id="patch-nothing"),
        pytest.param("delete", None, id="delete"),
    ],
)
def test_who_may_not_change_or_delete_a_dedication(as_user, dedication, role, method, body):
    caller = as_user(_actor(role, dedication))
    before = every_row()

    response = caller.request(method, f"/dedications/{dedication.pk}", body)

    assert_json_error(response, 403, "forbidden")
    assert every_row() == before


def test_anyone_may_read_any_dedication(as_user, dedication):
    user = _actor("other", dedication)

    response = as_user(user).get(f"/dedications/{dedication.pk}")

    assert response.status_code == 200, response.content
    assert response.json()["employee"] == "BOB"


def test_the_owner_who_hands_a_dedication_to_someone_else_may_no_longer_change_it(
    as_user, dedication
):
    bob = as_user(dedication.employee.user)
    Dedication.objects.filter(pk=dedication.pk).update(recorded_by=None)

    handed = bob.patch(f"/dedications/{dedication.pk}", {"employee": "RITA"})
    before = every_row()
    again = bob.patch(f"/dedications/{dedication.pk}", {"text": "Back to me"})

    assert handed.status_code == 200, handed.content
    assert_json_error(again, 403, "forbidden")
    assert every_row() == before


# --- The domain behind PATCH /dedications, on what the API refuses before it -----------------


def test_domain_refuses_a_null_date_on_a_dedication_as_bad_input(dedication, api_user):
    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(dedication, by=api_user, date=None)

    assert "date" in raised.value.fields


def test_domain_refuses_a_null_employee_on_a_dedication_as_bad_input(dedication, api_user):
    with pytest.raises(InvalidInput) as raised:
        services.change_dedication(dedication, by=api_user, employee=None)

    assert "employee" in raised.value.fields
