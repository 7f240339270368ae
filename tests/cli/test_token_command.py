"""`hexa token create --name --expires`, run as an administrator runs it: the real command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import live_database, live_query, run_hexa


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with live_database(tmp_path_factory.mktemp("tokens")) as env:
        env["HEXA_LANGUAGE"] = "en"
        run_hexa(
            {**env, "DJANGO_SUPERUSER_PASSWORD": "pw-Secret-123"},
            "createsuperuser", "--noinput", "--username", "ana", "--email", "ana@example.com",
        )  # fmt: skip
        yield env


def test_token_create_with_a_name_and_an_expiry_date(env):
    until = timezone.localdate() + dt.timedelta(days=30)

    done = run_hexa(env, "token", "create", "ana", "--name", "backup job", "--expires", "+30")
    listed = run_hexa(env, "token", "list", "ana").stdout

    token = done.stdout.strip()
    rows = live_query(env, "SELECT name, expires_on FROM api_apitoken WHERE hint = %s", token[:9])
    assert [(name, str(expires)) for name, expires in rows] == [("backup job", until.isoformat())]
    line = next(line for line in listed.splitlines() if line.startswith(token[:9]))
    assert f"expires {until.isoformat()}" in line
    assert line.endswith("backup job")


def test_token_create_refuses_an_expiry_date_in_the_past(env):
    before = live_query(env, "SELECT COUNT(*) FROM api_apitoken")[0][0]

    past = run_hexa(env, "token", "create", "ana", "--expires", "2020-01-01", check=False)
    nonsense = run_hexa(env, "token", "create", "ana", "--expires", "soon", check=False)

    assert past.returncode == 2
    assert "--expires: The expiry date cannot be in the past." in past.stderr
    assert past.stdout == ""
    assert nonsense.returncode == 2
    assert "--expires" in nonsense.stderr and "'soon' is not a date" in nonsense.stderr
    assert live_query(env, "SELECT COUNT(*) FROM api_apitoken")[0][0] == before
