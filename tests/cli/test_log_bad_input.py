# ruff: noqa: RUF001  (digits of other scripts are the bad input under test)
"""`hexa log` with bad input, run as a user runs it: exit 2 naming the option, no traceback,
nothing written."""

from __future__ import annotations

import os

import pytest

from tests.cli.conftest import sql_modes
from tests.conftest import live_query, run_hexa

pytestmark = sql_modes


def written(env) -> list:
    """What a quick log writes: dedications, and tasks with their follow-ups."""
    return [
        live_query(env, "SELECT COUNT(*) FROM crm_dedication"),
        live_query(env, "SELECT id, next_follow_up FROM crm_task ORDER BY id"),
        live_query(env, "SELECT COUNT(*) FROM crm_project"),
    ]


NOT_UTF8 = os.fsdecode(b"Llamada \xff\xfe")  # as Python holds bytes that are not UTF-8

BAD = [
    (["--next", "+3000000"], "--next"),
    (["--next", "+99999999999"], "--next"),
    (["--next", "9999-12-31"], "--next"),
    (["--next", "+4000"], "--next"),  # past the ten years follow-ups may be set to
    (["--next", "٢٠٢٦-٠١-٠١"], "--next"),
    (["--next", "+٣"], "--next"),
    (["--date", "+99999999999"], "--date"),
    (["--date", "-3000000"], "--date"),
    (["--date", "0001-01-01"], "--date"),
    (["--date", "1999-12-31"], "--date"),
    (["--minutes", "٣٠"], "--minutes"),
    (["--minutes", "３０"], "--minutes"),
    (["--minutes", "99999999999999999999999"], "--minutes"),
    (["--duration", "٣٠"], "--minutes/--duration"),
    (["--duration", "1h٣٠"], "--minutes/--duration"),
]


@pytest.mark.parametrize(("extra", "option"), BAD, ids=[" ".join(args) for args, _ in BAD])
def test_bad_options_exit_2_naming_the_option(env, extra, option):
    before = written(env)

    done = run_hexa(
        env, "log", "PANRIVERA", "--text", "Llamada", "--employee", "laura", *extra, check=False
    )

    assert done.returncode == 2, done.stderr
    assert option in done.stderr
    assert "Traceback" not in done.stderr
    assert written(env) == before


@pytest.mark.parametrize("option", ["--text", "--employee", "--project", "--duration"])
def test_text_that_is_not_utf8_exits_2_naming_the_option(env, option):
    args = {"--text": "Llamada", "--employee": "laura", option: NOT_UTF8}
    before = written(env)

    done = run_hexa(
        env, "log", "PANRIVERA", *[part for pair in args.items() for part in pair], check=False
    )

    assert done.returncode == 2, done.stderr
    assert f"argument {option}" in done.stderr
    assert "Traceback" not in done.stderr
    assert written(env) == before


def test_a_client_code_that_is_not_utf8_exits_2(env):
    before = written(env)

    done = run_hexa(env, "log", NOT_UTF8, "--text", "x", "--employee", "laura", check=False)

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert written(env) == before


@pytest.mark.parametrize(("duration", "minutes"), [("0,5", 30), ("2 horas", 120), ("30 min", 30)])
def test_time_as_people_write_it(env, duration, minutes):
    done = run_hexa(
        env,
        "log",
        "PANRIVERA",
        "--text",
        f"Llamada {duration}",
        "--employee",
        "laura",
        "--duration",
        duration,
        "--json",
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert f'"minutes": {minutes}' in done.stdout
