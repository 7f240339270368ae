"""`hexa token`: create (with a name and an expiry date), list and revoke API tokens, run as an
administrator runs it: through Django's call_command, and as the real command."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import sqlite3
from contextlib import closing

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hexa.api.models import ApiToken
from hexa.crm.services.permissions import managers_group
from tests import factories
from tests.api.conftest import Api, assert_json_error
from tests.cli.conftest import english_database
from tests.conftest import HEXA, live_query, run_hexa


@pytest.fixture(scope="module")
def admin_env(tmp_path_factory):
    """A database whose only user is `ana`, a superuser, to create tokens for."""
    with english_database(tmp_path_factory.mktemp("tokens")) as admin_env:
        run_hexa(
            {**admin_env, "DJANGO_SUPERUSER_PASSWORD": "pw-Secret-123"},
            "createsuperuser", "--noinput", "--username", "ana", "--email", "ana@example.com",
        )  # fmt: skip
        yield admin_env


def test_token_create_with_a_name_and_an_expiry_date(admin_env):
    until = timezone.localdate() + dt.timedelta(days=30)

    done = run_hexa(admin_env, "token", "create", "ana", "--name", "backup job", "--expires", "+30")
    listed = run_hexa(admin_env, "token", "list", "ana").stdout

    token = done.stdout.strip()
    rows = live_query(
        admin_env, "SELECT name, expires_on FROM api_apitoken WHERE hint = %s", token[:9]
    )
    assert [(name, str(expires)) for name, expires in rows] == [("backup job", until.isoformat())]
    line = next(line for line in listed.splitlines() if line.startswith(token[:9]))
    assert f"expires {until.isoformat()}" in line
    assert line.endswith("backup job")


def test_token_create_refuses_an_expiry_date_in_the_past(admin_env):
    before = live_query(admin_env, "SELECT COUNT(*) FROM api_apitoken")[0][0]

    past = run_hexa(admin_env, "token", "create", "ana", "--expires", "2020-01-01", check=False)
    nonsense = run_hexa(admin_env, "token", "create", "ana", "--expires", "soon", check=False)

    assert past.returncode == 2
    assert "--expires: The expiry date cannot be in the past." in past.stderr
    assert past.stdout == ""
    assert nonsense.returncode == 2
    assert "--expires" in nonsense.stderr and "'soon' is not a date" in nonsense.stderr
    assert live_query(admin_env, "SELECT COUNT(*) FROM api_apitoken")[0][0] == before


@pytest.fixture
def ana_manager(db):
    """User `ana` (employee ANA, a manager) and client ACME, for a token to read."""
    user = factories.user("ana")
    user.groups.add(managers_group())
    factories.employee("ANA", name="Ana", user=user)
    factories.client("ACME")
    return user


# --- `hexa token` -------------------------------------------------------------------------------


def token_command(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_token_create_prints_a_working_token_once(ana_manager):
    output = token_command("create", "ana", "--name", "laptop")

    token = output.strip()
    assert output == f"{token}\n"
    row = ApiToken.objects.get()
    assert (row.user, row.name, row.revoked_at) == (ana_manager, "laptop", None)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    response = Api(token).get("/clients/ACME")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("username", "message"), [("nobody", "no user"), ("gone", "inactive")])
def test_token_create_refuses_unknown_and_inactive_users(ana_manager, username, message):
    factories.user("gone", is_active=False)

    with pytest.raises(CommandError, match=message):
        token_command("create", username)

    assert ApiToken.objects.count() == 0


def test_token_list_shows_hints_never_tokens(ana_manager):
    first = token_command("create", "ana", "--name", "laptop").strip()
    factories.user("luis")
    second = token_command("create", "luis").strip()
    ApiToken.objects.filter(hint=second[:9]).update(revoked_at=timezone.now())

    everyone = token_command("list")
    only_ana = token_command("list", "ana")

    assert first not in everyone
    assert second not in everyone
    lines = everyone.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(first[:9])
    assert "ana" in lines[0]
    assert "active" in lines[0]
    assert "laptop" in lines[0]
    assert lines[1].startswith(second[:9])
    assert "luis" in lines[1]
    assert "revoked" in lines[1]
    assert only_ana.splitlines() == [lines[0]]


def test_token_revoke_by_the_hint_that_list_shows(ana_manager):
    token = token_command("create", "ana").strip()
    listed_hint = token_command("list").split()[0]  # "hexa_abcd…"

    output = token_command("revoke", listed_hint)

    assert "Revoked" in output
    assert ApiToken.objects.get().revoked_at is not None
    assert_json_error(Api(token).get("/clients"), 401, "unauthorized")


def test_token_revoke_leaves_other_tokens_working(ana_manager):
    first = token_command("create", "ana").strip()
    second = token_command("create", "ana").strip()

    token_command("revoke", first[:9])

    assert_json_error(Api(first).get("/clients"), 401, "unauthorized")
    assert Api(second).get("/clients").status_code == 200


@pytest.mark.parametrize("hint", ["hexa_", "hexa_zzzz", "", "nothing-like-it"])
def test_token_revoke_refuses_short_or_unknown_hints(ana_manager, hint):
    token_command("create", "ana")

    with pytest.raises(CommandError):
        token_command("revoke", hint)

    assert ApiToken.objects.get().revoked_at is None


def test_token_revoke_by_the_whole_token(ana_manager):
    token = token_command("create", "ana").strip()

    token_command("revoke", token)

    assert_json_error(Api(token).get("/clients"), 401, "unauthorized")


def test_token_list_of_an_unknown_user_is_an_error(ana_manager):
    with pytest.raises(CommandError):
        token_command("list", "nobody")


def test_token_revoke_twice_is_an_error(ana_manager):
    token = token_command("create", "ana").strip()
    token_command("revoke", token[:9])
    revoked_at = ApiToken.objects.get().revoked_at

    with pytest.raises(CommandError):
        token_command("revoke", token[:9])

    assert ApiToken.objects.get().revoked_at == revoked_at


def test_hexa_token_command_in_a_real_process(tmp_path):
    """create, list and revoke through the installed `hexa` script, on its own SQLite file."""
    if not HEXA.exists():
        pytest.skip(f"{HEXA} is not installed")
    database = tmp_path / "db.sqlite3"
    sqlite_env = {
        **os.environ,
        "HEXA_DATABASE_URL": f"sqlite:///{database}",
        "HEXA_DATA_DIR": str(tmp_path),
        "HEXA_LOG_LEVEL": "ERROR",
        "DJANGO_SUPERUSER_PASSWORD": "pw-Secret-123",
    }
    sqlite_env.pop("DJANGO_SETTINGS_MODULE", None)
    run_hexa(sqlite_env, "migrate", "--noinput", "-v0")
    run_hexa(sqlite_env, "createsuperuser", "--noinput", "--username", "ana", "--email", "a@x.test")

    token = run_hexa(sqlite_env, "token", "create", "ana", "--name", "ci").stdout.strip()
    listed = run_hexa(sqlite_env, "token", "list").stdout
    revoked = run_hexa(sqlite_env, "token", "revoke", token[:9])

    assert re.fullmatch(r"hexa_[A-Za-z0-9_-]{40,}", token), token
    assert listed.split()[0] == f"{token[:9]}…"
    assert listed.split()[1] == "ana"
    assert listed.split()[-1] == "ci"
    assert token not in listed
    assert "Revoked" in revoked.stdout
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT * FROM api_apitoken").fetchall()
        digest, revoked_at = db.execute("SELECT digest, revoked_at FROM api_apitoken").fetchone()
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert revoked_at is not None
    assert token not in repr(rows)
