"""An idempotency key outlives its dedication (issue 9, point 10): a late retry after the
dedication was deleted replays the first answer and records nothing."""

from __future__ import annotations

import pytest

from hexa.crm.models import Dedication, DedicationChange, IdempotencyKey
from tests import factories

pytestmark = pytest.mark.usefixtures("sql_modes")


def test_retry_after_delete_replays_the_first_answer(api, db):
    factories.client("ACME")
    body = {"text": "Called about the invoice", "employee": "ANA", "minutes": 20}
    key = {"Idempotency-Key": "phone-outbox-17"}
    first = api.post("/clients/ACME/quick-log", body, headers=key)
    dedication_id = first.json()["dedication"]["id"]

    deleted = api.request("delete", f"/dedications/{dedication_id}")
    retry = api.post("/clients/ACME/quick-log", body, headers=key)

    assert (first.status_code, deleted.status_code, retry.status_code) == (201, 204, 201)
    assert retry.json() == first.json()
    assert not Dedication.objects.exists()
    assert DedicationChange.objects.get().action == "deleted"
    assert IdempotencyKey.objects.get().dedication is None


def test_retry_after_a_change_replays_the_first_answer(api, db):
    factories.client("ACME")
    body = {"text": "Visit", "employee": "ANA"}
    key = {"Idempotency-Key": "k-2"}
    first = api.post("/clients/ACME/quick-log", body, headers=key)
    api.patch(f"/dedications/{first.json()['dedication']['id']}", {"text": "Long visit"})

    retry = api.post("/clients/ACME/quick-log", body, headers=key)

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert Dedication.objects.get().text == "Long visit"


def test_another_body_after_delete_is_still_a_conflict(api, db):
    factories.client("ACME")
    key = {"Idempotency-Key": "k-3"}
    first = api.post("/clients/ACME/quick-log", {"text": "a", "employee": "ANA"}, headers=key)
    api.request("delete", f"/dedications/{first.json()['dedication']['id']}")

    response = api.post("/clients/ACME/quick-log", {"text": "b", "employee": "ANA"}, headers=key)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert not Dedication.objects.exists()
