"""The admin is no second write path: Hexa's records are view-only there (issue 9, point 3).

A superuser could otherwise save a dedication dated in the future, or change and delete one
without a DedicationChange. Every add, change and delete is refused and writes nothing; the
lists and detail pages still show the records.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.urls import reverse

from hexa.crm.models import Client, Dedication, DedicationChange, Employee, Project, Task
from tests import factories


@pytest.fixture
def admin_http(db) -> HttpClient:
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Root-1")
    http = HttpClient()
    http.force_login(superuser)
    return http


@pytest.fixture
def records(db):
    client = factories.client("ACME", tax_id="B1")
    employee = factories.employee("ANA")
    project = factories.project(client, "ACME")
    task = factories.task(project, "Follow-up")
    dedication = factories.dedication(task, employee, text="Called", minutes=30)
    return {
        "client": client,
        "employee": employee,
        "project": project,
        "task": task,
        "dedication": dedication,
    }


def _url(obj, view: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def _snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Client, Employee, Project, Task, Dedication, DedicationChange)
    ]


@pytest.mark.parametrize("name", ["client", "employee", "project", "task", "dedication"])
def test_admin_shows_records(admin_http, records, name):
    obj = records[name]
    listing = admin_http.get(
        reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist")
    )
    detail = admin_http.get(_url(obj, "change"))

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert _url(obj, "change").encode() in listing.content  # its row links to its page
    # A view page: nothing to save or delete.
    assert b'name="_save"' not in detail.content
    assert _url(obj, "delete").encode() not in detail.content


def test_admin_refuses_a_future_date_on_a_dedication(admin_http, records):
    dedication = records["dedication"]
    before = _snapshot()
    future = dt.date.today() + dt.timedelta(days=30)

    response = admin_http.post(
        _url(dedication, "change"),
        {
            "client": dedication.client_id,
            "project": dedication.project_id,
            "task": dedication.task_id,
            "employee": dedication.employee_id,
            "date": future.isoformat(),
            "text": "Changed in the admin",
            "minutes": "45",
            "_save": "Save",
        },
    )

    assert response.status_code == 403
    assert _snapshot() == before
    assert not DedicationChange.objects.exists()


@pytest.mark.parametrize("name", ["client", "employee", "project", "task", "dedication"])
def test_admin_refuses_to_delete(admin_http, records, name):
    obj = records[name]
    before = _snapshot()

    response = admin_http.post(_url(obj, "delete"), {"post": "yes"})

    assert response.status_code == 403
    assert _snapshot() == before


def test_admin_refuses_to_change_a_client_or_link_an_employee(admin_http, records):
    before = _snapshot()
    client, employee = records["client"], records["employee"]
    other = factories.user("eve")

    changed_client = admin_http.post(
        _url(client, "change"), {"code": "ACME", "name": "Renamed", "tax_id": "B2", "active": "on"}
    )
    linked = admin_http.post(
        _url(employee, "change"),
        {"code": "ANA", "name": "Ana", "user": other.pk, "active": "on"},
    )

    assert (changed_client.status_code, linked.status_code) == (403, 403)
    assert _snapshot() == before


def test_admin_refuses_to_add(admin_http, records):
    before = _snapshot()
    client = records["client"]

    response = admin_http.post(
        reverse("admin:crm_project_add"),
        {"code": "NEW", "name": "New", "client": client.pk, "kind": "commercial"},
    )

    assert response.status_code == 403
    assert _snapshot() == before


def test_admin_still_manages_users(admin_http, db):
    response = admin_http.post(
        reverse("admin:auth_user_add"),
        {"username": "newbie", "password1": "pw-Newbie-123", "password2": "pw-Newbie-123",
         "usable_password": "true"},
    )  # fmt: skip

    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newbie").exists()


def test_api_tokens_are_seen_and_revoked_but_never_brought_back(admin_http, db):
    from hexa.api.models import ApiToken

    ana = get_user_model().objects.create_user("ana")
    revoked, _secret = ApiToken.objects.issue(user=ana, name="old laptop")
    revoked.revoked_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    revoked.save()
    active, _secret = ApiToken.objects.issue(user=ana, name="phone")

    assert admin_http.get(_url(revoked, "change")).status_code == 200
    # Clearing revoked_at through the change form would bring a revoked token back.
    data = {"user": ana.pk, "name": "old laptop", "revoked_at_0": "", "revoked_at_1": ""}
    assert admin_http.post(_url(revoked, "change"), data).status_code == 403
    assert admin_http.post(_url(active, "delete"), {"post": "yes"}).status_code == 403

    listing = reverse("admin:api_apitoken_changelist")
    chosen = {"action": "revoke", "_selected_action": [revoked.pk, active.pk]}
    answer = admin_http.post(listing, chosen, follow=True)

    assert "1 token revocado." in answer.content.decode()  # Hexa speaks Spanish by default
    revoked.refresh_from_db()
    active.refresh_from_db()
    assert revoked.revoked_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # kept, not moved
    assert active.revoked_at is not None
