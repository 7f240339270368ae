# ruff: noqa: RUF001  (digits of other scripts are the bad input under test)
"""Bad input on the API answers a clear 4xx naming the field, and writes nothing: lone
surrogates on every write endpoint, numbers that are not numbers, null where null is refused,
dates outside Hexa's range, bodies over the size limit, and addresses that are no endpoint."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from hexa.crm.models import Employee, Task
from hexa.crm.services.validation import EARLIEST_DAY, latest_follow_up
from tests import factories
from tests.conftest import every_row

LONE = "\ud800"  # half of a UTF-16 pair: valid JSON ("\ud800"), not storable text


@pytest.fixture
def rows(api_user):
    acme = factories.client("ACME")
    project = factories.project(acme, "ACME")
    task = factories.task(project, "Follow-up", next_follow_up=timezone.localdate())
    ana = Employee.objects.get(code="ANA")
    dedication = factories.dedication(task, ana, minutes=30)
    factories.employee("LUIS", name="Luis")
    return {"task": task.pk, "dedication": dedication.pk}


def write_endpoints(rows) -> list[tuple[str, str, dict]]:
    """(method, path, a valid body) of every endpoint that writes."""
    task, dedication = rows["task"], rows["dedication"]
    return [
        ("post", "/employees", {"code": "EVA", "name": "Eva", "email": "eva@x.es"}),
        ("patch", "/employees/LUIS", {"name": "Luis P.", "email": "l@x.es"}),
        ("post", "/clients", {"code": "NEW", "name": "New", "tax_id": "B1", "notes": "n"}),
        ("patch", "/clients/ACME", {"name": "Acme 2", "phone": "600", "notes": "n"}),
        (
            "post",
            "/clients/ACME/quick-log",
            {"text": "Called", "employee": "ANA", "minutes": "1h", "project": "ACME"},
        ),
        (
            "post",
            "/clients/ACME/tasks",
            {"title": "Call back", "reported_by": "Eva", "description": "d", "project": "ACME"},
        ),
        ("post", "/projects", {"code": "ACME-2", "name": "Second", "client": "ACME"}),
        ("patch", "/projects/ACME", {"name": "Renamed"}),
        ("post", "/tasks", {"project": "ACME", "title": "New", "description": "d"}),
        ("patch", f"/tasks/{task}", {"title": "Renamed", "reported_by": "Eva"}),
        (
            "post",
            "/dedications",
            {"project": "ACME", "text": "Visit", "employee": "ANA", "minutes": "30"},
        ),
        ("patch", f"/dedications/{dedication}", {"text": "Changed", "minutes": "45"}),
    ]


def surrogate_cases(rows):
    for method, path, body in write_endpoints(rows):
        for field, value in body.items():
            if isinstance(value, str):
                yield method, path, {**body, field: value + LONE}, field


def test_lone_surrogates_on_every_write_endpoint_name_the_field_and_write_nothing(api, rows):
    before = every_row()
    tried: dict[str, int] = {}
    for method, path, body, field in surrogate_cases(rows):
        raw = json.dumps(body)  # ensure_ascii: the surrogate travels as the escape \ud800
        assert "\\ud800" in raw

        response = api.request(method, path, raw)

        assert response.status_code == 422, (method, path, field, response.content)
        assert list(response.json()["fields"]) == [field], (method, path)
        tried[f"{method.upper()} {path}"] = tried.get(f"{method.upper()} {path}", 0) + 1
    assert every_row() == before
    assert len(tried) == 12
    assert sum(tried.values()) == 35


def test_a_lone_surrogate_in_a_field_name_is_refused(api, rows):
    before = every_row()

    response = api.post("/clients", json.dumps({"code": "X", "name": "X", LONE: 1}))

    assert response.status_code == 422
    assert every_row() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/employees/LUIS", {"active": 0}, "active"),
        ("/employees/LUIS", {"active": "false"}, "active"),
        ("/clients/ACME", {"active": 0}, "active"),
        ("/clients/ACME", {"active": "no"}, "active"),
        ("/projects/ACME", {"status": "closed", "confirm": 1}, "confirm"),
    ],
)
def test_booleans_are_true_or_false_only(api, rows, path, body, field):
    before = every_row()

    response = api.patch(path, body)

    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert every_row() == before


@pytest.mark.parametrize("minutes", ["٣٠", "３０", "²", "1h٣٠", "١:٣٠", "٠,٥h"])
def test_digits_of_other_scripts_are_not_minutes(api, rows, minutes):
    before = every_row()

    response = api.post("/clients/ACME/quick-log", {"text": "Called", "minutes": minutes})

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["minutes"]
    assert every_row() == before


@pytest.mark.parametrize("date", ["٢٠٢٦-٠١-٠١", "２０２６-０１-０１"])
def test_digits_of_other_scripts_are_not_dates(api, rows, date):
    before = every_row()

    response = api.post("/dedications", {"project": "ACME", "text": "Visit", "date": date})

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["date"]
    assert every_row() == before


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [("0,5", 30), ("2 horas", 120), ("2 hours", 120), ("30 min", 30), ("1,5h", 90)],
)
def test_time_as_people_write_it(api, rows, minutes, expected):
    response = api.post("/clients/ACME/quick-log", {"text": "Called", "minutes": minutes})

    assert response.status_code == 201, response.content
    assert response.json()["dedication"]["minutes"] == expected


def nullable(schema: dict, name: str) -> set[str]:
    properties = schema["components"]["schemas"][name]["properties"]
    return {
        field
        for field, spec in properties.items()
        if any(option.get("type") == "null" for option in spec.get("anyOf", []))
    }


NULLABLE = {
    "EmployeePatch": {"user"},
    "ClientPatch": set(),
    "ProjectPatch": set(),
    "TaskPatch": {"next_follow_up", "assigned_to", "reported_by", "reported_via", "description"},
    "DedicationPatch": {"minutes", "task"},
}


def test_patch_schemas_say_null_only_where_it_is_taken(api, rows):
    schema = api.get("/openapi.json").json()
    for name, fields in NULLABLE.items():
        assert nullable(schema, name) == fields, name


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/employees/LUIS", "name"),
        ("/employees/LUIS", "email"),
        ("/employees/LUIS", "active"),
        ("/clients/ACME", "name"),
        ("/clients/ACME", "tax_id"),
        ("/clients/ACME", "notes"),
        ("/clients/ACME", "active"),
        ("/projects/ACME", "name"),
        ("/projects/ACME", "kind"),
        ("/projects/ACME", "status"),
        ("/projects/ACME", "confirm"),
        ("/tasks/{task}", "title"),
        ("/tasks/{task}", "kind"),
        ("/tasks/{task}", "status"),
        ("/tasks/{task}", "priority"),
        ("/dedications/{dedication}", "text"),
        ("/dedications/{dedication}", "date"),
        ("/dedications/{dedication}", "employee"),
    ],
)
def test_null_where_the_schema_refuses_it_is_a_422_naming_the_field(api, rows, path, field):
    before = every_row()

    response = api.patch(path.format(**rows), {field: None})

    assert response.status_code == 422, response.content
    assert list(response.json()["fields"]) == [field]
    assert every_row() == before


# --- Dates: one range ----------------------------------------------------------------------


def far_dates():
    today = timezone.localdate()
    return {
        "9999-12-31": "9999-12-31",
        "0001-01-01": "0001-01-01",
        "before the range": (EARLIEST_DAY - dt.timedelta(days=1)).isoformat(),
        "after the range": (latest_follow_up(today) + dt.timedelta(days=1)).isoformat(),
    }


@pytest.mark.parametrize("label", list(far_dates()))
def test_follow_ups_out_of_range_are_refused_on_every_path(api, rows, label):
    day = far_dates()[label]
    before = every_row()
    attempts = [
        (
            "post",
            "/clients/ACME/quick-log",
            {"text": "Called", "next_follow_up": day},
            "next_follow_up",
        ),
        ("post", "/clients/ACME/tasks", {"title": "T", "next_follow_up": day}, "next_follow_up"),
        (
            "post",
            "/tasks",
            {"project": "ACME", "title": "T", "next_follow_up": day},
            "next_follow_up",
        ),
        ("patch", f"/tasks/{rows['task']}", {"next_follow_up": day}, "next_follow_up"),
        ("post", f"/tasks/{rows['task']}/reschedule", {"date": day}, "date"),
    ]
    for method, path, body, field in attempts:
        response = api.request(method, path, json.dumps(body))

        assert response.status_code == 422, (path, response.content)
        assert field in response.json()["fields"], path
    assert every_row() == before


def test_the_last_day_of_the_range_is_taken(api, rows):
    last = latest_follow_up(timezone.localdate()).isoformat()

    response = api.patch(f"/tasks/{rows['task']}", {"next_follow_up": last})

    assert response.status_code == 200
    assert response.json()["next_follow_up"] == last


@pytest.mark.parametrize("label", ["0001-01-01", "before the range"])
def test_dedication_dates_before_the_range_are_refused(api, rows, label):
    day = far_dates()[label]
    before = every_row()
    attempts = [
        ("post", "/clients/ACME/quick-log", {"text": "Called", "date": day}),
        ("post", "/dedications", {"project": "ACME", "text": "Visit", "date": day}),
        ("patch", f"/dedications/{rows['dedication']}", {"date": day}),
    ]
    for method, path, body in attempts:
        response = api.request(method, path, json.dumps(body))

        assert response.status_code == 422, (path, response.content)
        assert list(response.json()["fields"]) == ["date"], path
    assert every_row() == before


def test_a_far_follow_up_already_stored_never_overflows(api, rows, client):
    """A follow-up saved before Hexa had a range (or by hand): its task can still be put off
    (refused as past the range), listed and seen in the calendar feed."""
    Task.objects.filter(pk=rows["task"]).update(next_follow_up=dt.date.max)

    put_off = api.post(f"/tasks/{rows['task']}/reschedule", {"days": 1})
    moved = api.post(
        f"/tasks/{rows['task']}/reschedule", {"date": timezone.localdate().isoformat()}
    )
    listed = api.get("/agenda")
    report = api.get(
        "/reports/dedications", date_from="0001-01-01", date_to="9999-12-31", group_by="week"
    )

    assert put_off.status_code == 422
    assert list(put_off.json()["fields"]) == ["days"]
    assert moved.status_code == 200
    assert listed.status_code == 200
    assert report.status_code == 200


# --- Sizes and addresses --------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_size_limit_is_a_413(api, rows):
    before = every_row()

    response = api.post("/clients", {"code": "BIG", "name": "Big", "notes": "x" * 2000})

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert every_row() == before


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1", "/api/v1/nothing/here", "/api/"])
def test_addresses_that_are_no_endpoint_answer_a_json_404(api, path):
    response = api.http.get(path, headers={"Authorization": f"Bearer {api.token}"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_query_parameter_is_a_422_naming_it(api, rows):
    response = api.get("/clients", limt="5")

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["limt"]


def test_an_unknown_caller_is_told_401_before_anything_about_its_query(anonymous, rows):
    response = anonymous.get("/clients", limt="5")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert "fields" not in response.json()  # nothing said about `limt`


def test_a_query_parameter_given_twice_is_a_422_naming_it(api, rows):
    response = api.http.get(
        "/api/v1/dedications?employee=ANA&employee=LUIS",
        headers={"Authorization": f"Bearer {api.token}"},
    )

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["employee"]
