"""`hexa log`, run as a user runs it: the real command, on a real database with the demo."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.cli.conftest import sql_modes
from tests.conftest import live_query, run_hexa

pytestmark = sql_modes


def hexa_log(env, *args: str):
    return run_hexa(env, "log", *args, check=False)


def dedications(env, client: str) -> int:
    sql = (
        "SELECT COUNT(*) FROM crm_dedication d JOIN crm_client c ON c.id = d.client_id "
        "WHERE c.code = %s"
    )
    return live_query(env, sql, client)[0][0]


def test_first_log_creates_project_and_task_and_says_so(env):
    done = hexa_log(env, "PANRIVERA", "--text", "Llamada", "--employee", "laura", "--next", "+7")

    assert done.returncode == 0, done.stderr
    assert "new project PANRIVERA" in done.stdout
    assert "new task “Follow-up”" in done.stdout
    assert done.stdout.count("\n") == 1
    follow_up = live_query(
        env,
        "SELECT t.next_follow_up FROM crm_task t JOIN crm_project p ON p.id = t.project_id "
        "WHERE p.code = %s",
        "PANRIVERA",
    )
    assert str(follow_up[0][0]) == (timezone.localdate() + dt.timedelta(days=7)).isoformat()


def test_json_output_is_the_api_shape(env):
    done = hexa_log(
        env, "HOTELMAR", "--text", "Visita", "--employee", "JAVIER", "--duration", "1h30", "--json"
    )

    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert set(body) == {"dedication", "project", "task"}
    assert body["project"] == {"code": "HOTELMAR", "created": False}
    assert body["task"]["title"] == "Renovación del contrato de temporada"
    assert body["task"]["created"] is False
    assert body["dedication"]["minutes"] == 90
    assert body["dedication"]["employee"] == "JAVIER"


def test_code_taken_by_a_closed_project_gets_a_suffix(env):
    done = hexa_log(env, "TALLERGIL", "--text", "Visita", "--employee", "CARMEN", "--json")

    assert json.loads(done.stdout)["project"] == {"code": "TALLERGIL-2", "created": True}


def test_ambiguous_client_exits_4_naming_the_candidates_then_accepts_a_choice(env):
    before = dedications(env, "BODEGAS")

    refused = hexa_log(env, "BODEGAS", "--text", "Cata", "--employee", "LAURA")

    assert refused.returncode == 4
    assert "BOD-EXPORT, BOD-TIENDA" in refused.stderr
    assert "--project" in refused.stderr
    assert dedications(env, "BODEGAS") == before

    chosen = hexa_log(
        env, "BODEGAS", "--text", "Cata", "--employee", "LAURA", "--project", "bod-tienda"
    )
    assert chosen.returncode == 0, chosen.stderr
    assert dedications(env, "BODEGAS") == before + 1


def test_ambiguous_client_with_json_prints_the_error_body(env):
    refused = hexa_log(env, "BODEGAS", "--text", "Cata", "--employee", "LAURA", "--json")

    assert refused.returncode == 4
    assert json.loads(refused.stdout) == {
        "code": "ambiguous_project",
        "message": json.loads(refused.stdout)["message"],
        "candidates": ["BOD-EXPORT", "BOD-TIENDA"],
    }


def test_archived_client_is_refused(env):
    before = dedications(env, "INFORMAT")

    refused = hexa_log(env, "INFORMAT", "--text", "x", "--employee", "LAURA")

    assert refused.returncode == 4
    assert "archived" in refused.stderr
    assert dedications(env, "INFORMAT") == before


def test_unknown_client_exits_3(env):
    refused = hexa_log(env, "NOBODY", "--text", "x", "--employee", "LAURA")

    assert refused.returncode == 3
    assert "NOBODY" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--text", "   ", "--employee", "LAURA"], "--text"),
        (["--text", "x", "--employee", "PABLO"], "--employee"),
        (["--text", "x", "--employee", "NADIE"], "--employee"),
        (["--text", "x", "--employee", "LAURA", "--date", "tomorrow"], "--date"),
        (["--text", "x", "--employee", "LAURA", "--date", "-1", "--next", "-2"], "--next"),
        (["--text", "x", "--employee", "LAURA", "--minutes", "1441"], "--minutes"),
        (["--text", "x", "--employee", "LAURA", "--duration", "a while"], "--duration"),
        (["--text", "x", "--employee", "LAURA", "--project", "NOPE"], "--project"),
    ],
)
def test_bad_input_exits_2_naming_the_option_and_writes_nothing(env, args, option):
    before = dedications(env, "PRIETO")

    refused = hexa_log(env, "PRIETO", *args)

    assert refused.returncode == 2
    assert option in refused.stderr
    assert "Traceback" not in refused.stderr
    assert dedications(env, "PRIETO") == before


@pytest.mark.parametrize(
    "args",
    [
        ["--employee", "LAURA"],  # no --text
        ["--text", "x"],  # no --employee
        ["--text", "x", "--employee", "LAURA", "--next", "+1", "--no-next"],
        ["--text", "x", "--employee", "LAURA", "--minutes", "5", "--duration", "5"],
        ["--text", "x", "--employee", "LAURA", "--date", "31/12/2024"],
        ["--text", "x", "--employee", "LAURA", "--minutes", "ten"],
    ],
)
def test_bad_usage_is_refused_by_the_parser(env, args):
    before = dedications(env, "PRIETO")

    refused = hexa_log(env, "PRIETO", *args)

    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    assert dedications(env, "PRIETO") == before


def test_most_recent_pending_task_gets_the_dedication_and_no_next_clears_it(env):
    done = hexa_log(env, "PRIETO", "--text", "Obra", "--employee", "LAURA", "--no-next", "--json")

    body = json.loads(done.stdout)
    assert body["task"]["title"] == "Visita a obra"
    assert body["task"]["next_follow_up"] is None


def test_incidents_are_not_used(env):
    body = json.loads(
        hexa_log(env, "FLORES", "--text", "x", "--employee", "LAURA", "--json").stdout
    )

    assert body["task"]["created"] is True
    assert body["task"]["title"] == "Follow-up"


def test_date_words_are_understood(env):
    body = json.loads(
        hexa_log(
            env, "CLINICASOL", "--text", "x", "--employee", "LAURA", "--date", "yesterday", "--json"
        ).stdout
    )

    assert body["dedication"]["date"] == (timezone.localdate() - dt.timedelta(days=1)).isoformat()
