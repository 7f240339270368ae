"""`hexa purge-keys`, the real command on a real database: keys older than the days kept are
forgotten, newer ones stay (and keep replaying)."""

from __future__ import annotations

import pytest

from tests.conftest import live_database, live_query, run_hexa

# Three quick logs with keys, made through the domain as the API makes them, aged 40, 10 and
# 0 days; the first one's dedication deleted (its key stays until it is purged).
MAKE_KEYS = """
import datetime as dt
from django.utils import timezone
from hexa.crm import services
from hexa.crm.models import Client, Dedication, Employee, IdempotencyKey
client = Client.objects.create(code="ACME", name="Acme")
employee = Employee.objects.create(code="ANA", name="Ana")
for key, age in (("old", 40), ("recent", 10), ("new", 0)):
    result = services.quick_log(client=client, employee=employee, text=key, recorded_by=None,
                                via=Dedication.Via.API, idempotency_key=key)
    IdempotencyKey.objects.filter(key=key).update(
        created_at=timezone.now() - dt.timedelta(days=age))
services.delete_dedication(Dedication.objects.get(text="old"), by=services.SYSTEM)
"""


@pytest.fixture
def env(tmp_path):
    with live_database(tmp_path) as env:
        env["HEXA_LANGUAGE"] = "en"
        run_hexa(env, "shell", "-c", MAKE_KEYS)
        yield env


def keys(env) -> list[str]:
    return [key for (key,) in live_query(env, "SELECT key FROM crm_idempotencykey ORDER BY key")]


def test_purge_keys_forgets_keys_older_than_the_default_30_days(env):
    assert keys(env) == ["new", "old", "recent"]  # the deleted dedication's key was kept

    done = run_hexa(env, "purge-keys")

    assert done.stdout.strip() == "Purged 1 idempotency keys older than 30 days."
    assert keys(env) == ["new", "recent"]


def test_purge_keys_takes_the_days_from_the_option_or_the_setting(env):
    run_hexa({**env, "HEXA_IDEMPOTENCY_KEY_DAYS": "50"}, "purge-keys")
    assert keys(env) == ["new", "old", "recent"]

    done = run_hexa(env, "purge-keys", "--days", "5")

    assert "Purged 2 " in done.stdout
    assert keys(env) == ["new"]


def test_purge_keys_refuses_negative_days(env):
    done = run_hexa(env, "purge-keys", "--days", "-1", check=False)

    assert done.returncode == 2
    assert "--days" in done.stderr
    assert keys(env) == ["new", "old", "recent"]
