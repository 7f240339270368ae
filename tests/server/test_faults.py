"""Faults, against a real `hexa serve`: the database taken away mid-load (PostgreSQL: its
connections terminated and new ones refused), and a SQLite write lock held past the timeout.

Hexa answers 503 with Retry-After (JSON on the API, a friendly page on the web) instead of a
500; nothing is half-written; and it recovers by itself when the database comes back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager

import httpx
import pytest

from tests.conftest import database_vendor, live_database, live_query
from tests.server.conftest import serving
from tests.server.quick_logs import Load, Sent, api, assert_each_once, prepare, send, signed_in

pytestmark = pytest.mark.server


@contextmanager
def postgresql_admin(env: dict[str, str]) -> Iterator[tuple[object, str]]:
    import psycopg

    base, name = env["HEXA_DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        yield admin, name


def take_away(env: dict[str, str]) -> None:
    """New connections refused, the open ones (Hexa's, mid-transaction or idle) terminated."""
    with postgresql_admin(env) as (admin, name):
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )


def bring_back(env: dict[str, str]) -> None:
    with postgresql_admin(env) as (admin, name):
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def assert_unavailable_json(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["code"] == "unavailable"
    assert response.json()["message"]


@pytest.mark.skipif(
    database_vendor() != "postgresql", reason="takes a PostgreSQL database away (PostgreSQL run)"
)
def test_the_database_taken_away_mid_load_answers_503_and_hexa_recovers(tmp_path):
    with live_database(tmp_path) as env:
        token = prepare(env)
        with serving(env, workers=2) as url, signed_in(url) as browser:
            with Load(url, token, threads=3) as load:
                load.wait_for(201, more=20)
                take_away(env)
                load.wait_for(503, more=10)
                during = {
                    "api": httpx.get(f"{url}/api/v1/employees", headers=api(url, token).headers),
                    "page": browser.get("/clients/ACME/"),
                    "spanish": browser.get("/clients/ACME/", headers={"Accept-Language": "es"}),
                    "readyz": httpx.get(f"{url}/readyz"),
                    "healthz": httpx.get(f"{url}/healthz"),
                }
                bring_back(env)
                load.wait_for(201, more=20)  # the same processes, without a restart
            after = {"page": browser.get("/clients/ACME/"), "readyz": httpx.get(f"{url}/readyz")}
            load.finish()

        assert load.unexpected == []
        assert set(load.summary()) == {201, 503}, load.summary()
        assert_unavailable_json(during["api"])
        page = during["page"]
        assert page.status_code == 503
        assert int(page.headers["Retry-After"]) > 0
        assert "Hexa cannot reach its database just now" in page.text
        assert "Traceback" not in page.text
        assert "Hexa no puede llegar a su base de datos" in during["spanish"].text
        assert during["readyz"].status_code == 503
        assert during["readyz"].json()["status"] == "unavailable"
        assert during["healthz"].status_code == 200
        assert during["healthz"].json() == {"status": "alive"}
        assert after["page"].status_code == 200
        assert after["readyz"].json() == {"status": "ready"}
        assert_each_once(env, load.sent)


@pytest.mark.skipif(database_vendor() != "sqlite", reason="SQLite's write lock (SQLite run)")
def test_a_sqlite_write_lock_held_past_the_timeout_answers_503(tmp_path):
    with live_database(tmp_path) as env:
        env["HEXA_SQLITE_TIMEOUT"] = "1"
        token = prepare(env)
        path = env["HEXA_DATABASE_URL"].removeprefix("sqlite:///")
        sent = Sent(key="lock-1", text="Call while locked")
        with serving(env, workers=1) as url, api(url, token) as client:
            client.get("/employees").raise_for_status()
            with closing(sqlite3.connect(path, isolation_level=None)) as other:
                other.execute("BEGIN IMMEDIATE")  # another process's write lock, held
                locked = send(client, sent)
                other.execute("ROLLBACK")
            written_while_locked = live_query(env, "SELECT COUNT(*) FROM crm_dedication")
            after = send(client, sent)

        assert_unavailable_json(locked)
        assert written_while_locked == [(0,)]
        assert after.status_code == 201
        assert_each_once(env, [sent])
