"""Configuration: the embedded defaults work, and production settings pass Django's checks."""

from __future__ import annotations

import os
import secrets
import stat

import pytest

from tests.conftest import database_vendor, run_hexa


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        **os.environ,
        "HEXA_DATA_DIR": str(tmp_path),
        "HEXA_SECRET_KEY": secrets.token_urlsafe(60),
        "HEXA_HTTPS": "true",
        "HEXA_ALLOWED_HOSTS": "hexa.example.com",
        "HEXA_SMTP_HOST": "smtp.example.com",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests of this run

    done = run_hexa(env, "check", "--deploy", "--fail-level", "WARNING", check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_with_nothing_configured_a_secret_key_is_made_once_and_kept_private(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEXA_")}
    env["HEXA_DATA_DIR"] = str(tmp_path / "data")
    script = "from django.conf import settings; print(settings.SECRET_KEY)"

    first = run_hexa(env, "shell", "--no-imports", "-c", script).stdout.strip()
    second = run_hexa(env, "shell", "--no-imports", "-c", script).stdout.strip()

    key_file = tmp_path / "data" / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_with_nothing_configured_the_database_is_sqlite_in_the_data_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEXA_")}
    env["HEXA_DATA_DIR"] = str(tmp_path)

    run_hexa(env, "migrate", "-v0")

    assert (tmp_path / "hexa.sqlite3").exists()
    mode = run_hexa(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0])",
    )
    assert mode.stdout.strip() == "wal"


def test_bad_configuration_is_reported_clearly(tmp_path):
    env = {**os.environ, "HEXA_DATA_DIR": str(tmp_path), "HEXA_DEBUG": "perhaps"}

    done = run_hexa(env, "check", check=False)

    assert done.returncode != 0
    assert "HEXA_DEBUG must be true or false" in done.stderr


@pytest.mark.skipif(database_vendor() != "postgresql", reason="PostgreSQL's setting")
@pytest.mark.parametrize(
    ("options", "jit", "work_mem"),
    [
        ("", "off", None),
        ("?options=-c%20work_mem%3D8MB", "off", "8MB"),
        ("?options=-c%20jit%3Don", "on", None),
    ],
    ids=["default", "other options kept", "turned back on"],
)
def test_postgresql_connections_run_without_jit_unless_the_url_says(options, jit, work_mem):
    base = os.environ["HEXA_DATABASE_URL"].split("?")[0].rsplit("/", 1)[0]
    env = {**os.environ, "HEXA_DATABASE_URL": f"{base}/postgres{options}"}
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    for name in ('jit', 'work_mem'):\n"
        "        cursor.execute(f'SHOW {name}')\n"
        "        print(cursor.fetchone()[0])\n"
    )

    shown = run_hexa(env, "shell", "--no-imports", "-c", script).stdout.split()

    assert shown[0] == jit
    if work_mem:
        assert shown[1] == work_mem
