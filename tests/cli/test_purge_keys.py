"""`hexa purge-keys`, the real command on a real database: keys older than the days kept are
forgotten, newer ones stay (and keep replaying)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import english_database
from tests.conftest import live_query, run_hexa

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
def keys_env(tmp_path):
    """A database with idempotency keys of several ages (MAKE_KEYS), for this test alone."""
    with english_database(tmp_path) as keys_env:
        run_hexa(keys_env, "shell", "-c", MAKE_KEYS)
        yield keys_env


def keys(keys_env) -> list[str]:
    return [
        key for (key,) in live_query(keys_env, "SELECT key FROM crm_idempotencykey ORDER BY key")
    ]


def test_purge_keys_forgets_keys_older_than_the_default_30_days(keys_env):
    assert keys(keys_env) == ["new", "old", "recent"]  # the deleted dedication's key was kept

    done = run_hexa(keys_env, "purge-keys")

    assert done.stdout.strip() == "Purged 1 idempotency keys older than 30 days."
    assert keys(keys_env) == ["new", "recent"]


def test_purge_keys_takes_the_days_from_the_option_or_the_setting(keys_env):
    run_hexa({**keys_env, "HEXA_IDEMPOTENCY_KEY_DAYS": "50"}, "purge-keys")
    assert keys(keys_env) == ["new", "old", "recent"]

    done = run_hexa(keys_env, "purge-keys", "--days", "5")

    assert "Purged 2 " in done.stdout
    assert keys(keys_env) == ["new"]


def test_purge_keys_refuses_negative_days(keys_env):
    done = run_hexa(keys_env, "purge-keys", "--days", "-1", check=False)

    assert done.returncode == 2
    assert "--days" in done.stderr
    assert keys(keys_env) == ["new", "old", "recent"]
