"""A quick log's idempotency key outlives its dedication: the web form and `hexa log` get a
replay, with a summary of what was first recorded, after the dedication was deleted."""

from __future__ import annotations

import pytest

from hexa.crm import services
from hexa.crm.models import Dedication, IdempotencyKey

pytestmark = pytest.mark.usefixtures("sql_modes")


def _log(client, employee, user):
    return services.quick_log(
        client=client,
        employee=employee,
        text="Call",
        minutes=15,
        recorded_by=user,
        via=Dedication.Via.WEB,
        idempotency_key="form:token-1",
    )


def test_replay_after_delete_says_what_was_recorded(client_acme, employee, user):
    first = _log(client_acme, employee, user)
    answer, summary = first.as_dict(), first.summary()
    services.delete_dedication(first.dedication, by=user)

    again = _log(client_acme, employee, user)

    assert again.replayed
    assert again.summary() == summary
    assert again.as_dict() == answer
    assert again.dedication.client == client_acme
    assert not Dedication.objects.exists()
    assert IdempotencyKey.objects.count() == 1


def test_purge_forgets_only_old_keys(client_acme, employee, user):
    _log(client_acme, employee, user)

    assert services.purge_idempotency_keys(days=1) == 0
    assert services.purge_idempotency_keys(days=0) == 1
    assert not IdempotencyKey.objects.exists()
    assert not _log(client_acme, employee, user).replayed
