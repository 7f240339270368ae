"""Simultaneous updates over real HTTP, against gunicorn with eight worker processes, on a
file SQLite database (BEGIN IMMEDIATE) or PostgreSQL (row locks): every update path locks,
then checks, then writes, and a lost race answers 409, never 500 (issue 9, point 4)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import live_query, run_hexa
from tests.server.test_concurrency import all_at_once, post_quick_log

pytestmark = pytest.mark.server

SIMULTANEOUS = 10


@pytest.fixture(scope="module")
def setup(gunicorn_server):
    with gunicorn_server.client() as api:
        assert api.post("/employees", json={"code": "ANA", "name": "Ana"}).status_code == 201
    return gunicorn_server


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def logged_dedication(server, client_code: str) -> int:
    """A new client with one quick-logged dedication; its number."""
    with server.client() as api:
        api.post("/clients", json={"code": client_code, "name": "Gone"}).raise_for_status()
        logged = post_quick_log(api, client_code, {"text": "Oops", "employee": "ANA"})
        return logged.json()["dedication"]["id"]


def trail_of(server, number: int) -> list[tuple[str]]:
    sql = "SELECT action FROM crm_dedicationchange WHERE dedication_number = %s"
    return live_query(server.env, sql, number)


def test_simultaneous_changes_of_a_dedication_leave_an_unbroken_chain(setup):
    with setup.client() as api:
        api.post("/clients", json={"code": "CHAIN", "name": "Chain"}).raise_for_status()
        logged = post_quick_log(api, "CHAIN", {"text": "Start", "employee": "ANA", "minutes": 1})
        path = f"/dedications/{logged.json()['dedication']['id']}"

    responses = all_at_once(
        setup,
        SIMULTANEOUS,
        lambda api, i: api.patch(path, json={"text": f"Version {i}", "minutes": 10 + i}),
    )

    assert statuses(responses) == [200] * SIMULTANEOUS, [r.text for r in responses]
    with setup.client() as api:
        history = api.get(f"{path}/history").json()
        now = api.get(path).json()
    assert len(history) == SIMULTANEOUS
    texts = [{f["field"]: f for f in change["fields"]}["text"] for change in history]
    minutes = [{f["field"]: f for f in change["fields"]}["minutes"] for change in history]
    for chain, first, last in ((texts, "Start", now["text"]), (minutes, 1, now["minutes"])):
        assert chain[0]["before"] == first
        assert [c["before"] for c in chain[1:]] == [c["after"] for c in chain[:-1]]
        assert chain[-1]["after"] == last


def test_simultaneous_deletes_of_a_dedication_delete_it_once(setup):
    number = logged_dedication(setup, "GONE")

    responses = all_at_once(
        setup, SIMULTANEOUS, lambda api, i: api.delete(f"/dedications/{number}")
    )

    assert statuses(responses) == [204] + [404] * (SIMULTANEOUS - 1)
    assert trail_of(setup, number) == [("deleted",)]


# A unique value taken by two requests at once: the window between the check and the write
# is a millisecond or so, so each race is run several times.
RACERS = 16


def one_wins(setup, records: str, value: dict, round_: int, field: str) -> None:
    """RACERS new rows of `records` (clients, employees), each PATCHed with `value` at once:
    one gets it, the others are told it is taken."""
    with setup.client() as api:
        for n in range(RACERS):
            body = {"code": f"R{round_}-{n}", "name": f"Racer {n}"}
            api.post(f"/{records}", json=body).raise_for_status()

    responses = all_at_once(
        setup, RACERS, lambda api, i: api.patch(f"/{records}/R{round_}-{i}", json=value)
    )

    assert statuses(responses) == [200] + [409] * (RACERS - 1), [r.text for r in responses]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {(body["code"], *body["fields"]) for body in refused} == {("already_exists", field)}


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_changes_to_one_tax_id_give_it_to_one_client(setup, round_):
    tax_id = f"B{round_}777"

    one_wins(setup, "clients", {"tax_id": tax_id}, round_, "tax_id")

    taken = live_query(setup.env, "SELECT COUNT(*) FROM crm_client WHERE tax_id = %s", tax_id)
    assert taken == [(1,)]


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_links_of_one_login_link_one_employee(setup, round_):
    username = f"shared{round_}"
    run_hexa(setup.env, "shell", "-c", "from django.contrib.auth.models import User; "
             f"User.objects.create_user('{username}', password='pw-Shared-123')")  # fmt: skip

    one_wins(setup, "employees", {"user": username}, round_, "user")

    linked = live_query(
        setup.env,
        "SELECT COUNT(*) FROM crm_employee e JOIN auth_user u ON u.id = e.user_id "
        "WHERE u.username = %s",
        username,
    )
    assert linked == [(1,)]


@pytest.mark.parametrize("round_", range(4))
def test_closing_a_project_while_quick_logs_add_a_task_never_closes_over_it(setup, round_):
    code = f"CLOSE{round_}"
    with setup.client() as api:
        api.post("/clients", json={"code": code, "name": "Closing"}).raise_for_status()
        api.post("/projects", json={"code": code, "name": "P", "client": code}).raise_for_status()
    closer = SIMULTANEOUS // 2

    def one(api, i):
        if i == closer:
            return api.patch(f"/projects/{code}", json={"status": "closed"})
        return post_quick_log(api, code, {"text": f"Log {i}", "employee": "ANA"})

    responses = all_at_once(setup, SIMULTANEOUS, one)

    close = responses[closer]
    logs = responses[:closer] + responses[closer + 1 :]
    assert [r.status_code for r in logs] == [201] * (SIMULTANEOUS - 1), [r.text for r in logs]
    assert close.status_code in (200, 409), close.text
    if close.status_code == 409:
        assert close.json()["code"] == "pending_tasks"
    # Closed without confirming: then it had no pending task when it closed, and none since.
    pending_on_closed = live_query(
        setup.env,
        "SELECT COUNT(*) FROM crm_task t JOIN crm_project p ON p.id = t.project_id "
        "WHERE p.code = %s AND p.status = 'closed' AND t.status = 'pending'",
        code,
    )
    assert pending_on_closed == [(0,)]


# --- The same races through the web pages: a lost one is a message, never a 500 ------------


def web_all_at_once(server, count: int, post) -> list[httpx.Response]:
    """post(browser, i) from `count` browsers signed in as the admin, released together."""
    cookies = sign_in(server.url, "admin", "pw-Secret-123")
    start = threading.Barrier(count)

    def one(i: int) -> httpx.Response:
        with httpx.Client(
            base_url=server.url, cookies=cookies, headers={"Accept-Language": "en"}, timeout=60
        ) as browser:
            token = browser.cookies["csrftoken"]
            browser.get("/").raise_for_status()
            start.wait()
            return post(browser, {"csrfmiddlewaretoken": token}, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def sign_in(url: str, username: str, password: str) -> httpx.Cookies:
    with httpx.Client(base_url=url, timeout=30) as browser:
        page = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        signed_in = browser.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        assert signed_in.status_code == 302, signed_in.text
        return browser.cookies


def test_simultaneous_web_deletes_of_a_dedication_delete_it_once(setup):
    number = logged_dedication(setup, "WEBGONE")

    responses = web_all_at_once(
        setup,
        SIMULTANEOUS,
        lambda browser, form, i: browser.post(f"/dedications/{number}/delete/", data=form),
    )

    # The loser either finds it gone when it locks (a message) or before (not found).
    assert {r.status_code for r in responses} <= {302, 404}, [r.status_code for r in responses]
    assert trail_of(setup, number) == [("deleted",)]


def test_simultaneous_web_changes_to_one_tax_id_give_it_to_one_client(setup):
    with setup.client() as api:
        for n in range(RACERS):
            api.post("/clients", json={"code": f"WEB-{n}", "name": f"Web {n}"}).raise_for_status()

    responses = web_all_at_once(
        setup,
        RACERS,
        lambda browser, form, i: browser.post(
            f"/clients/WEB-{i}/edit/", data={**form, "name": f"Web {i}", "tax_id": "W1"}
        ),
    )

    assert statuses(responses) == [200] * (RACERS - 1) + [302], [r.status_code for r in responses]
    refused = [r.text for r in responses if r.status_code == 200]
    assert all("Another client has the tax id W1." in page for page in refused)
    assert live_query(setup.env, "SELECT COUNT(*) FROM crm_client WHERE tax_id = 'W1'") == [(1,)]
