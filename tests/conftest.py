from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps
from django.utils import timezone

from tests import factories

if TYPE_CHECKING:
    from tests.crm.services.mail.dovecot import ImapServer


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # Real hashing costs a quarter of a second per user; these tests are not about it.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs `collectstatic`; tests serve files straight from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """A real IMAP server (dovecot) for the session: the mail fetcher's tests
    (tests/crm/services/mail/) and `hexa mail`'s (tests/cli/test_mail.py)."""
    from tests.crm.services.mail.dovecot import ImapServer

    server = ImapServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of Hexa's own apps (crm, api): equal before and after a
    refused operation or request means it wrote nothing. The one such snapshot of the tests."""
    models = [*apps.get_app_config("crm").get_models(), *apps.get_app_config("api").get_models()]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture(params=[True, False], ids=["prepared", "orm"])
def sql_modes(request, settings):
    """The test twice: with the quick log's statements compiled once (hexa.lib.prepared) and
    through the plain ORM (HEXA_PREPARED_SQL=false), so that both stay interchangeable."""
    settings.HEXA_PREPARED_SQL = request.param
    return request.param


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def employee(db):
    return factories.employee("ANA", name="Ana García")


@pytest.fixture
def client_acme(db):
    return factories.client("ACME", name="Acme S.L.")


@pytest.fixture
def user(db):
    return factories.user("ana")


@pytest.fixture
def ana(db):
    """Ana García: user `ana`, employee ANA, not a manager (tests/web/conftest.py's
    `ana_is_manager` makes her one). Not with `user` or `employee`: a second ANA."""
    user = factories.user("ana", first_name="Ana", last_name="García", email="ana@example.com")
    factories.employee("ANA", name="Ana García", user=user)
    return user


def database_vendor() -> str:
    url = os.environ.get("HEXA_DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"


# --- A real database for real processes (the `hexa` command, gunicorn) ----------------------
# pytest-django's test database is in memory on SQLite and inside a transaction on both, so
# a separate process cannot see it. These fixtures make a fresh, migrated database of the
# same vendor as the run (HEXA_DATABASE_URL), which subprocesses reach through their env.

HEXA = Path(sys.executable).with_name("hexa")


def run_hexa(env: dict[str, str], *args: str, check: bool = True, input: str | None = None):
    return subprocess.run(
        [str(HEXA), *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        input=input,
        timeout=120,
    )


@pytest.fixture(scope="session")
def live_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    """Environment variables for `hexa` processes on a fresh, migrated database."""
    with live_database(tmp_path_factory.mktemp("live")) as env:
        yield env


@contextmanager
def live_database(folder: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "HEXA_DATA_DIR": str(folder), "HEXA_LOG_LEVEL": "ERROR"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    name = None
    if database_vendor() == "postgresql":
        import psycopg

        name = f"hexa_live_{uuid.uuid4().hex[:12]}"
        base = os.environ["HEXA_DATABASE_URL"].rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["HEXA_DATABASE_URL"] = f"{base}/{name}"
    else:
        env["HEXA_DATABASE_URL"] = f"sqlite:///{folder / 'hexa.sqlite3'}"
    try:
        run_hexa(env, "migrate", "--noinput", "-v0")
        yield env
    finally:
        if name:
            import psycopg

            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def live_query(env: dict[str, str], sql: str, *params: object) -> list[tuple]:
    """Rows from the live database of `env`, read without Django (placeholders: %s)."""
    url = env["HEXA_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql, params).fetchall()
