"""GET /dedications/{id}/history: who changed or deleted a dedication, when, and each field
before and after (issue 9, point 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from hexa.api.models import ApiToken
from tests import factories
from tests.api.conftest import Api


@pytest.fixture
def dedication(db):
    client = factories.client("ACME")
    task = factories.task(factories.project(client, "ACME"), "Follow-up")
    return factories.dedication(
        task, factories.employee("LUIS"), text="Call", minutes=30, date=dt.date(2026, 1, 5)
    )


@pytest.fixture
def reader(db) -> Api:
    """Eve, who is no manager and neither recorded nor did the dedication."""
    _row, token = ApiToken.objects.issue(user=factories.user("eve"))
    return Api(token)


def test_history_lists_each_change_field_by_field_oldest_first(api, dedication, reader):
    path = f"/dedications/{dedication.pk}"
    api.patch(path, {"text": "Long call", "minutes": 45})
    api.patch(path, {"date": "2026-01-06"})

    response = reader.get(f"{path}/history")

    assert response.status_code == 200
    first, second = response.json()
    assert (first["action"], first["changed_by"]) == ("changed", "ana")
    assert first["fields"] == [
        {"field": "text", "before": "Call", "after": "Long call"},
        {"field": "minutes", "before": 30, "after": 45},
    ]
    assert second["fields"] == [{"field": "date", "before": "2026-01-05", "after": "2026-01-06"}]
    assert first["changed_at"] <= second["changed_at"]


def test_history_of_a_deleted_dedication_ends_with_the_delete(api, dedication, reader):
    path = f"/dedications/{dedication.pk}"
    api.patch(path, {"text": "Long call"})
    api.request("delete", path)

    response = reader.get(f"{path}/history")

    assert response.status_code == 200
    changed, deleted = response.json()
    assert deleted["action"] == "deleted"
    assert {"field": "text", "before": "Long call", "after": None} in deleted["fields"]
    assert {"field": "client", "before": "ACME", "after": None} in deleted["fields"]
    assert changed["fields"][0]["after"] == "Long call"


def test_history_of_an_unchanged_dedication_is_empty(reader, dedication):
    response = reader.get(f"/dedications/{dedication.pk}/history")

    assert (response.status_code, response.json()) == (200, [])


def test_history_of_no_dedication_is_404(reader, db):
    response = reader.get("/dedications/999999/history")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_history_needs_a_token(anonymous, dedication):
    response = anonymous.get(f"/dedications/{dedication.pk}/history")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_history_is_in_the_openapi_schema(api, db):
    schema = api.get("/openapi.json").json()

    operation = schema["paths"]["/api/v1/dedications/{dedication_id}/history"]["get"]
    assert "200" in operation["responses"]
    assert "404" in operation["responses"]
