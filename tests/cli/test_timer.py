"""`hexa timer`, run as a user runs it: the real command, on a real database with the demo."""

from __future__ import annotations

import json

from hexa.crm.demo import DEMO_USERNAME
from tests.conftest import live_query, run_hexa


def hexa_timer(env, *args: str):
    return run_hexa(env, "timer", *args, check=False)


def timers(env) -> list[tuple]:
    return live_query(
        env,
        "SELECT c.code FROM crm_runningtimer t JOIN crm_client c ON c.id = t.client_id "
        "JOIN auth_user u ON u.id = t.user_id WHERE u.username = %s",
        DEMO_USERNAME,
    )


def dedications(env, client: str) -> list[tuple]:
    sql = (
        "SELECT d.minutes, d.text FROM crm_dedication d JOIN crm_client c ON c.id = d.client_id "
        "WHERE c.code = %s AND d.text = %s"
    )
    return live_query(env, sql, client, "Timed visit")


def test_start_status_stop_into_a_log(env):
    started = hexa_timer(env, "start", "hotelmar", "--user", DEMO_USERNAME)
    assert started.returncode == 0, started.stderr
    assert "Timer running on HOTELMAR" in started.stdout
    assert timers(env) == [("HOTELMAR",)]

    status = hexa_timer(env, "status", "--user", DEMO_USERNAME, "--json")
    assert json.loads(status.stdout)["client"] == "HOTELMAR"

    second = hexa_timer(env, "start", "PANRIVERA", "--user", DEMO_USERNAME)
    assert second.returncode == 4
    assert "HOTELMAR" in second.stderr
    assert timers(env) == [("HOTELMAR",)]

    stopped = hexa_timer(
        env, "stop", "--user", DEMO_USERNAME, "--text", "Timed visit", "--duration", "1h15"
    )
    assert stopped.returncode == 0, stopped.stderr
    assert "Activity logged for HOTELMAR" in stopped.stdout
    assert dedications(env, "HOTELMAR") == [(75, "Timed visit")]
    assert timers(env) == []


def test_stop_without_text_prints_the_minutes_and_discard_drops(env):
    hexa_timer(env, "start", "PANRIVERA", "--user", DEMO_USERNAME)

    stopped = hexa_timer(env, "stop", "--user", DEMO_USERNAME, "--json")
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout)["minutes"] == 1
    assert json.loads(stopped.stdout)["logged"] is None

    hexa_timer(env, "start", "PANRIVERA", "--user", DEMO_USERNAME)
    assert hexa_timer(env, "discard", "--user", DEMO_USERNAME).returncode == 0
    assert timers(env) == []


def test_nothing_running_and_unknown_user_are_clear_errors(env):
    missing = hexa_timer(env, "status", "--user", DEMO_USERNAME)
    assert missing.returncode == 3
    assert "No timer is running." in missing.stderr

    nobody = hexa_timer(env, "start", "HOTELMAR", "--user", "nobody")
    assert nobody.returncode == 2
    assert "There is no user nobody." in nobody.stderr


def test_past_the_limit_stop_asks_to_confirm(env):
    strict = {**env, "HEXA_TIMER_LIMIT_HOURS": "0"}
    run_hexa(strict, "timer", "start", "PANRIVERA", "--user", DEMO_USERNAME)

    refused = run_hexa(strict, "timer", "stop", "--user", DEMO_USERNAME, check=False)
    assert refused.returncode == 4
    assert "confirm or correct" in refused.stderr
    assert timers(env) == [("PANRIVERA",)]

    confirmed = run_hexa(strict, "timer", "stop", "--user", DEMO_USERNAME, "--confirm")
    assert "stopped: " in confirmed.stdout
    assert timers(env) == []
