"""POST /api/v1/clients/{code}/quick-log: the rules through HTTP, as an API client sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hexa.crm.models import Dedication, Project, Task
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sql_modes")]


def counts() -> tuple[int, int, int]:
    return Project.objects.count(), Task.objects.count(), Dedication.objects.count()


def test_first_quick_log_creates_project_and_task(api, acme, today):
    response = api.post(
        "/clients/ACME/quick-log",
        {"text": "Called", "employee": "ANA", "next_follow_up": "2035-01-02", "minutes": "1h30"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 201
    body = response.json()
    task = Task.objects.get()
    dedication = Dedication.objects.get()
    assert body == {
        "dedication": {
            "id": dedication.pk,
            "client": "ACME",
            "project": "ACME",
            "task": task.pk,
            "employee": "ANA",
            "date": today.isoformat(),
            "minutes": 90,
            "text": "Called",
        },
        "project": {"code": "ACME", "created": True},
        "task": {
            "id": task.pk,
            # In the business's language (HEXA_LANGUAGE, Spanish here), not the request's.
            "title": "Seguimiento",
            "created": True,
            "next_follow_up": "2035-01-02",
        },
    }
    assert dedication.via == "api"
    assert dedication.recorded_by.username == "ana"


def test_client_code_in_the_path_is_case_insensitive(api, acme):
    response = api.post("/clients/acme/quick-log", {"text": "x", "employee": "ana"})

    assert response.status_code == 201, response.content
    assert Dedication.objects.get().client == acme


def test_employee_defaults_to_the_token_users_employee(api, acme):
    response = api.post("/clients/ACME/quick-log", {"text": "Called"})

    assert response.status_code == 201
    assert response.json()["dedication"]["employee"] == "ANA"


def test_missing_employee_without_a_linked_employee_is_a_field_error(acme):
    from hexa.api.models import ApiToken
    from tests.api.conftest import Api

    _row, token = ApiToken.objects.issue(user=factories.user("nobody"))
    response = Api(token).post("/clients/ACME/quick-log", {"text": "Called"})

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["employee"]


def test_second_log_reuses_project_and_task(api, acme):
    first = api.post("/clients/ACME/quick-log", {"text": "One", "employee": "ANA"}).json()
    second = api.post("/clients/ACME/quick-log", {"text": "Two", "employee": "ANA"}).json()

    assert second["project"] == {"code": "ACME", "created": False}
    assert second["task"]["id"] == first["task"]["id"]
    assert second["task"]["created"] is False
    assert counts() == (1, 1, 2)


def test_absent_next_follow_up_leaves_it_and_null_clears_it(api, acme):
    api.post(
        "/clients/ACME/quick-log", {"text": "a", "employee": "ANA", "next_follow_up": "2035-05-05"}
    )

    kept = api.post("/clients/ACME/quick-log", {"text": "b", "employee": "ANA"}).json()
    cleared = api.post(
        "/clients/ACME/quick-log", {"text": "c", "employee": "ANA", "next_follow_up": None}
    ).json()

    assert kept["task"]["next_follow_up"] == "2035-05-05"
    assert cleared["task"]["next_follow_up"] is None
    assert Task.objects.get().next_follow_up is None


def test_ambiguous_projects_answer_409_with_candidates(api, acme):
    factories.project(acme, "WEB")
    factories.project(acme, "SHOP")

    response = api.post("/clients/ACME/quick-log", {"text": "x", "employee": "ANA"})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ambiguous_project"
    assert body["candidates"] == ["SHOP", "WEB"]
    assert body["message"]
    assert Dedication.objects.count() == 0


def test_ambiguous_case_with_a_chosen_project(api, acme):
    factories.project(acme, "WEB")
    factories.project(acme, "SHOP")

    response = api.post(
        "/clients/ACME/quick-log", {"text": "x", "employee": "ANA", "project": "shop"}
    )

    assert response.status_code == 201
    assert response.json()["project"] == {"code": "SHOP", "created": False}


@pytest.mark.parametrize("named", ["NOPE", "THEIRS", "OLD"])
def test_named_project_that_cannot_be_used_is_a_field_error(api, acme, named):
    factories.project(acme, "OLD", status="closed")
    factories.project(factories.client("OTHER"), "THEIRS")

    response = api.post(
        "/clients/ACME/quick-log", {"text": "x", "employee": "ANA", "project": named}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["fields"]) == ["project"]
    assert counts() == (2, 0, 0)


def test_unknown_client_is_404(api):
    response = api.post("/clients/NOPE/quick-log", {"text": "x", "employee": "ANA"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "NOPE" in response.json()["message"]


def test_archived_client_is_409(api, acme):
    acme.active = False
    acme.save()

    response = api.post("/clients/ACME/quick-log", {"text": "x", "employee": "ANA"})

    assert response.status_code == 409
    assert response.json()["code"] == "client_archived"
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"employee": "ANA"}, "text"),
        ({"text": "", "employee": "ANA"}, "text"),
        ({"text": "  ", "employee": "ANA"}, "text"),
        ({"text": "x" * 10_001, "employee": "ANA"}, "text"),
        ({"text": 12, "employee": "ANA"}, "text"),
        ({"text": "x", "employee": "NOBODY"}, "employee"),
        ({"text": "x", "employee": "OLD"}, "employee"),
        ({"text": "x", "employee": "ANA", "date": "2999-01-01"}, "date"),
        ({"text": "x", "employee": "ANA", "date": "01/02/2024"}, "date"),
        ({"text": "x", "employee": "ANA", "date": 1700000000}, "date"),
        ({"text": "x", "employee": "ANA", "date": "2024-02-30"}, "date"),
        (
            {"text": "x", "employee": "ANA", "date": "2024-05-05", "next_follow_up": "2024-05-04"},
            "next_follow_up",
        ),
        ({"text": "x", "employee": "ANA", "next_follow_up": "soon"}, "next_follow_up"),
        ({"text": "x", "employee": "ANA", "minutes": -5}, "minutes"),
        ({"text": "x", "employee": "ANA", "minutes": 1441}, "minutes"),
        ({"text": "x", "employee": "ANA", "minutes": "lots"}, "minutes"),
        ({"text": "x", "employee": "ANA", "minutes": 1.5}, "minutes"),
        ({"text": "x", "employee": "ANA", "minutes": "25h"}, "minutes"),
        ({"text": "x", "employee": "ANA", "project": ""}, "project"),
    ],
)
def test_bad_fields_answer_422_on_the_field_and_write_nothing(api, acme, body, field):
    factories.employee("OLD", active=False)

    response = api.post("/clients/ACME/quick-log", body)

    assert response.status_code == 422, response.content
    error = response.json()
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert all(isinstance(m, str) and m for m in error["fields"][field])
    assert error["message"]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("raw", ["", "{", "[]", "null", '"text"', "{'text': 1}"])
def test_malformed_bodies_answer_422_json(api, acme, raw):
    response = api.post("/clients/ACME/quick-log", raw)

    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("validation_error", "bad_request")
    assert counts() == (0, 0, 0)


def test_minutes_are_accepted_in_every_written_form(api, acme):
    forms = {90: 90, "90": 90, "1h30": 90, "1:30": 90, "1.5h": 90, "1,5h": 90, "45m": 45, "2h": 120}
    for given, expected in forms.items():
        body = api.post(
            "/clients/ACME/quick-log", {"text": "x", "employee": "ANA", "minutes": given}
        )
        assert body.json()["dedication"]["minutes"] == expected, given


# --- Idempotency-Key ----------------------------------------------------------------------------


def test_same_key_and_body_returns_the_first_response_and_writes_nothing(api, acme):
    body = {"text": "Called", "employee": "ANA", "next_follow_up": "2035-01-01"}
    first = api.post("/clients/ACME/quick-log", body, headers={"Idempotency-Key": "abc-123"})
    second = api.post("/clients/ACME/quick-log", body, headers={"Idempotency-Key": "abc-123"})

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert counts() == (1, 1, 1)


def test_same_key_with_another_body_is_409(api, acme):
    api.post(
        "/clients/ACME/quick-log",
        {"text": "a", "employee": "ANA"},
        headers={"Idempotency-Key": "k"},
    )

    response = api.post(
        "/clients/ACME/quick-log",
        {"text": "b", "employee": "ANA"},
        headers={"Idempotency-Key": "k"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Dedication.objects.count() == 1


def test_without_a_key_each_post_records_a_dedication(api, acme):
    body = {"text": "Called", "employee": "ANA"}
    api.post("/clients/ACME/quick-log", body)
    api.post("/clients/ACME/quick-log", body)

    assert Dedication.objects.count() == 2


def test_overlong_key_is_refused(api, acme):
    response = api.post(
        "/clients/ACME/quick-log",
        {"text": "a", "employee": "ANA"},
        headers={"Idempotency-Key": "k" * 256},
    )

    assert response.status_code == 422
    assert Dedication.objects.count() == 0


def test_date_in_the_past_is_recorded_as_given(api, acme):
    day = timezone.localdate() - dt.timedelta(days=3)
    response = api.post(
        "/clients/ACME/quick-log", {"text": "x", "employee": "ANA", "date": day.isoformat()}
    )

    assert Dedication.objects.get().date == day
    assert response.json()["dedication"]["date"] == day.isoformat()


def test_a_named_task_is_followed_up(api, acme):
    project = factories.project(acme, "ACME")
    older = factories.task(project, "Older", created_at=timezone.now() - dt.timedelta(days=5))
    factories.task(project, "Newer")

    response = api.post(
        "/clients/ACME/quick-log",
        {"text": "x", "employee": "ANA", "task": older.pk, "next_follow_up": "2035-03-03"},
    )

    assert response.status_code == 201
    assert response.json()["task"]["id"] == older.pk
    older.refresh_from_db()
    assert older.next_follow_up == dt.date(2035, 3, 3)


@pytest.mark.parametrize("task", [999_999, "1", True])
def test_a_named_task_that_is_not_there_is_a_field_error(api, acme, task):
    response = api.post("/clients/ACME/quick-log", {"text": "x", "employee": "ANA", "task": task})

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["task"]
    assert counts() == (0, 0, 0)
