"""Simultaneous quick logs over real HTTP, against gunicorn with four worker processes.

DESIGN.md: concurrent quick logs for one client create at most one project and one task, on
SQLite and on PostgreSQL, with several app processes; none of them fails.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import live_query

pytestmark = pytest.mark.server

SIMULTANEOUS = 24


def all_at_once(server, count: int, request) -> list[httpx.Response]:
    """Send request(api, i) from `count` threads released together.

    Each thread first makes a request of its own, so that connections are made and every
    worker process holds a database connection before the race starts: the requests that
    matter then reach the database within a millisecond or two of each other.
    """
    start = threading.Barrier(count)

    def one(i: int) -> httpx.Response:
        with server.client() as api:
            api.get("/employees").raise_for_status()
            start.wait()
            return request(api, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture(scope="module")
def setup(gunicorn_server):
    with gunicorn_server.client() as api:
        assert api.post("/employees", json={"code": "ANA", "name": "Ana"}).status_code == 201
    return gunicorn_server


def post_quick_log(api, client_code: str, body: dict, headers: dict | None = None):
    return api.post(f"/clients/{client_code}/quick-log", json=body, headers=headers or {})


def rows_of(server, client_code: str) -> tuple[int, int, int]:
    env = server.env
    count = "SELECT COUNT(*) FROM {} JOIN crm_client c ON c.id = {} WHERE c.code = %s"
    projects = live_query(env, count.format("crm_project p", "p.client_id"), client_code)
    tasks = live_query(
        env,
        count.format("crm_task t JOIN crm_project p ON p.id = t.project_id", "p.client_id"),
        client_code,
    )
    dedications = live_query(env, count.format("crm_dedication d", "d.client_id"), client_code)
    return projects[0][0], tasks[0][0], dedications[0][0]


def test_simultaneous_first_logs_create_one_project_and_one_task(setup):
    with setup.client() as api:
        api.post("/clients", json={"code": "NEWCO", "name": "New Co"}).raise_for_status()

    responses = all_at_once(
        setup,
        SIMULTANEOUS,
        lambda api, i: post_quick_log(api, "NEWCO", {"text": f"Call {i}", "employee": "ANA"}),
    )

    assert [r.status_code for r in responses] == [201] * SIMULTANEOUS, [
        r.text for r in responses if r.status_code != 201
    ]
    bodies = [r.json() for r in responses]
    assert {b["project"]["code"] for b in bodies} == {"NEWCO"}
    assert len({b["task"]["id"] for b in bodies}) == 1
    assert sum(b["project"]["created"] for b in bodies) == 1
    assert sum(b["task"]["created"] for b in bodies) == 1
    assert len({b["dedication"]["id"] for b in bodies}) == SIMULTANEOUS
    assert rows_of(setup, "NEWCO") == (1, 1, SIMULTANEOUS)


def test_simultaneous_retries_with_one_key_record_one_dedication(setup):
    with setup.client() as api:
        api.post("/clients", json={"code": "RETRY", "name": "Retry S.A."}).raise_for_status()
    body = {"text": "Double click", "employee": "ANA", "minutes": 15}

    responses = all_at_once(
        setup, 12, lambda api, i: post_quick_log(api, "RETRY", body, {"Idempotency-Key": "once"})
    )

    assert [r.status_code for r in responses] == [201] * 12
    assert len({r.text for r in responses}) == 1
    assert rows_of(setup, "RETRY") == (1, 1, 1)


def test_two_clients_racing_for_one_project_code_both_succeed(setup):
    with setup.client() as api:
        api.post("/clients", json={"code": "DUO", "name": "Duo"}).raise_for_status()
        api.post("/clients", json={"code": "DUO-2", "name": "Duo Dos"}).raise_for_status()
        api.post(
            "/projects", json={"code": "DUO", "name": "Old", "client": "DUO"}
        ).raise_for_status()
        api.patch("/projects/DUO", json={"status": "closed"}).raise_for_status()

    responses = all_at_once(
        setup,
        16,
        lambda api, i: post_quick_log(
            api, ("DUO", "DUO-2")[i % 2], {"text": "x", "employee": "ANA"}
        ),
    )

    assert [r.status_code for r in responses] == [201] * 16
    created = {(r.json()["dedication"]["client"], r.json()["project"]["code"]) for r in responses}
    assert len(created) == 2  # one project per client
    assert len({code for _client, code in created}) == 2
    assert rows_of(setup, "DUO") == (2, 1, 8)  # the closed one and the new one
    assert rows_of(setup, "DUO-2") == (1, 1, 8)


def test_many_clients_at_once_all_succeed(setup):
    with setup.client() as api:
        for n in range(SIMULTANEOUS):
            api.post("/clients", json={"code": f"MANY{n}", "name": f"Many {n}"}).raise_for_status()

    responses = all_at_once(
        setup,
        SIMULTANEOUS,
        lambda api, i: post_quick_log(api, f"MANY{i}", {"text": "x", "employee": "ANA"}),
    )

    assert [r.status_code for r in responses] == [201] * SIMULTANEOUS
    assert {r.json()["project"]["code"] for r in responses} == {f"MANY{n}" for n in range(24)}
