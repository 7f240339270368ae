"""/clients: create, list (pagination, search), get and change (archive, restore)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hexa.crm.models import (
    Client,
)
from tests import factories
from tests.api.conftest import assert_instant, assert_json_error, codes
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


# --- Clients ------------------------------------------------------------------------------------


def test_create_client_normalizes_code_and_tax_id_and_stores_it(api):
    response = api.post(
        "/clients",
        {
            "code": "acme",
            "name": " Acme S.L. ",
            "tax_id": "b-1234 5678",
            "email": " info@acme.test ",
            "phone": "+34 600 000 000",
            "notes": "Pays late",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    acme = Client.objects.get(code="ACME")
    assert body == {
        "code": "ACME",
        "name": "Acme S.L.",
        "tax_id": "B12345678",
        "email": "info@acme.test",
        "phone": "+34 600 000 000",
        "notes": "Pays late",
        "active": True,
        "created_at": body["created_at"],
    }
    assert_instant(body["created_at"], acme.created_at)
    assert (acme.name, acme.tax_id, acme.email, acme.phone, acme.notes, acme.active) == (
        "Acme S.L.",
        "B12345678",
        "info@acme.test",
        "+34 600 000 000",
        "Pays late",
        True,
    )


def test_create_client_with_only_code_and_name(api):
    response = api.post("/clients", {"code": "MIN", "name": "Minimal"})

    assert response.status_code == 201, response.content
    assert Client.objects.filter(code="MIN", name="Minimal", tax_id="", email="").exists()


@pytest.fixture
def clients(api):
    factories.client("ACME", name="Acme S.L.", tax_id="B12345678")
    factories.client("BETA", name="Beta Industries", tax_id="X9999")
    factories.client("GAMMA", name="Gamma Acme Partners")
    factories.client("OLD", name="Old Times", tax_id="A87654321", active=False)


def test_list_clients_paginates_by_code_without_archived_ones(api, clients):
    everything = api.get("/clients")
    page = api.get("/clients", limit=1, offset=1)

    assert everything.json()["count"] == 3
    assert codes(everything) == ["ACME", "BETA", "GAMMA"]
    assert page.json()["count"] == 3
    assert codes(page) == ["BETA"]
    assert everything.json()["items"][0] == {
        "code": "ACME",
        "name": "Acme S.L.",
        "tax_id": "B12345678",
        "email": "",
        "phone": "",
        "notes": "",
        "active": True,
        "created_at": everything.json()["items"][0]["created_at"],
    }


@pytest.mark.parametrize(
    ("page", "items", "count", "counted"),
    [
        pytest.param({}, ["ACME", "BETA", "GAMMA"], 3, False, id="one-page"),
        pytest.param({"limit": 2}, ["ACME", "BETA"], 3, True, id="full-page"),
        pytest.param({"limit": 2, "offset": 2}, ["GAMMA"], 3, False, id="last-page"),
        pytest.param({"limit": 2, "offset": 3}, [], 3, True, id="just-past-the-end"),
        pytest.param({"offset": 50}, [], 3, True, id="far-past-the-end"),
    ],
)
def test_a_list_is_counted_only_when_its_page_cannot_say_how_many(
    api, clients, page, items, count, counted
):
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/clients", **page)

    assert codes(response) == items
    assert response.json()["count"] == count
    assert any("__count" in q["sql"] for q in captured) == counted  # Django's count()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"q": "bet"}, ["BETA"], id="code-substring"),
        pytest.param({"q": "ACM"}, ["ACME", "GAMMA"], id="code-or-name"),
        pytest.param({"q": "industries"}, ["BETA"], id="name-case-insensitive"),
        pytest.param({"q": "b-1234"}, ["ACME"], id="tax-id-as-written"),
        pytest.param({"q": "x9999"}, ["BETA"], id="tax-id-lowercase"),
        pytest.param({"q": "  beta  "}, ["BETA"], id="surrounding-spaces"),
        pytest.param({"q": "nothing"}, [], id="no-match"),
        pytest.param({"q": "old"}, [], id="archived-hidden"),
        pytest.param({"q": "old", "include_archived": "true"}, ["OLD"], id="archived-included"),
        pytest.param({"q": "A8765"}, [], id="archived-tax-id-hidden"),
        pytest.param(
            {"include_archived": "true"}, ["ACME", "BETA", "GAMMA", "OLD"], id="all-with-archived"
        ),
        pytest.param({"include_archived": "false"}, ["ACME", "BETA", "GAMMA"], id="archived-false"),
    ],
)
def test_list_clients_searches_code_name_and_tax_id(api, clients, query, expected):
    response = api.get("/clients", **query)

    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


def test_get_client_by_code_in_any_case(api, records):
    response = api.get("/clients/acme")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "code": "ACME",
        "name": "Acme S.L.",
        "tax_id": "B12345678",
        "email": "",
        "phone": "",
        "notes": "",
        "active": True,
        "created_at": body["created_at"],
    }
    assert_instant(body["created_at"], records.acme.created_at)


def test_get_archived_client_still_answers(api, records):
    response = api.get("/clients/OLD")

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False


def test_patch_client_changes_only_the_given_fields(api, records):
    response = api.patch(
        "/clients/acme", {"name": " Acme Global ", "tax_id": "b-1111 2222", "notes": "VIP"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Acme Global"
    assert body["tax_id"] == "B11112222"
    assert body["notes"] == "VIP"
    records.acme.refresh_from_db()
    assert (records.acme.name, records.acme.tax_id, records.acme.notes) == (
        "Acme Global",
        "B11112222",
        "VIP",
    )
    assert (records.acme.email, records.acme.phone, records.acme.active) == ("", "", True)


def test_patch_client_with_an_empty_body_changes_nothing(api, records):
    before = every_row()

    response = api.patch("/clients/ACME", {})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Acme S.L."
    assert every_row() == before


def test_patch_client_tax_id_to_empty_clears_it(api, records):
    response = api.patch("/clients/ACME", {"tax_id": ""})

    assert response.json()["tax_id"] == ""
    records.acme.refresh_from_db()
    assert records.acme.tax_id == ""


def test_patch_client_active_false_archives_it_and_the_quick_log_refuses_it(api, records):
    response = api.patch("/clients/ACME", {"active": False})

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    records.acme.refresh_from_db()
    assert records.acme.active is False
    assert codes(api.get("/clients")) == []
    before = every_row()

    quick_log = api.post("/clients/ACME/quick-log", {"text": "Called", "employee": "ANA"})

    assert_json_error(quick_log, 409, "client_archived")
    assert every_row() == before


def test_archived_client_refuses_new_projects_tasks_and_dedications(api, records):
    api.patch("/clients/ACME", {"active": False})
    before = every_row()

    project = api.post("/projects", {"code": "NEW", "name": "New", "client": "ACME"})
    task = api.post("/tasks", {"project": "WEB", "title": "More"})
    dedication = api.post("/dedications", {"project": "WEB", "text": "Worked"})

    assert_json_error(project, 409, "client_archived")
    assert_json_error(task, 409, "client_archived")
    assert_json_error(dedication, 409, "client_archived")
    assert every_row() == before


def test_patch_client_active_true_restores_it(api, records):
    response = api.patch("/clients/old", {"active": True})

    assert response.json()["active"] is True
    records.old.refresh_from_db()
    assert records.old.active is True
    quick_log = api.post("/clients/OLD/quick-log", {"text": "Back", "employee": "ANA"})
    assert quick_log.status_code == 201, quick_log.content
