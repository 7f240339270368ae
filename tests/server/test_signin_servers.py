"""Sign-in protection and secrets with real `hexa serve` processes: a lockout made through one
app process holds in another on the same database, `hexa lockout lift` ends it, the access
log never shows the calendar feed's secret, and the SQLite files are the owner's only."""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import live_database, run_hexa
from tests.server.conftest import serving

pytestmark = pytest.mark.server

PASSWORD = "pw-Secret-123"


def sign_in(url: str, username: str, password: str) -> httpx.Response:
    """The sign-in form, as a browser fills it in (with its CSRF cookie and field)."""
    with httpx.Client(base_url=url, headers={"Accept-Language": "en"}, timeout=30) as browser:
        page = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        return browser.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        )


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory) -> Iterator[tuple[str, str, dict[str, str], str]]:
    """Two `hexa serve` processes on one fresh database, a user `ana` and her API token."""
    with live_database(tmp_path_factory.mktemp("signin")) as env:
        env["HEXA_LANGUAGE"] = "en"
        run_hexa(
            {**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
            "createsuperuser", "--noinput", "--username", "ana", "--email", "ana@example.com",
        )  # fmt: skip
        token = run_hexa(env, "token", "create", "ana").stdout.strip()
        with serving(env, workers=1) as first, serving(env, workers=1) as second:
            yield first, second, env, token


def test_a_lockout_made_on_one_server_holds_on_the_other_until_lifted(two_servers):
    first, second, env, token = two_servers

    failures = [sign_in(first, "ana", f"guess-{n}") for n in range(5)]
    on_the_other = sign_in(second, "ana", PASSWORD)
    api_on_the_other = httpx.get(
        f"{second}/api/v1/employees", headers={"Authorization": f"Bearer {token}"}
    )
    listed = run_hexa(env, "lockout", "list").stdout
    lifted = run_hexa(env, "lockout", "lift", "--user", "ana", "--address", "127.0.0.1")
    after = sign_in(second, "ana", PASSWORD)

    assert [f.status_code for f in failures] == [200, 200, 200, 200, 429]
    assert on_the_other.status_code == 429
    assert "Too many failed sign-in attempts" in on_the_other.text
    assert int(on_the_other.headers["Retry-After"]) > 800
    assert api_on_the_other.status_code == 429
    assert api_on_the_other.json()["code"] == "too_many_attempts"
    assert re.search(r"user name\s+ana\s+5 failures, last .* locked until", listed), listed
    assert re.search(r"address\s+127\.0\.0\.1\s+5 failures", listed), listed
    assert "Lifted: user name ana and address 127.0.0.1 can sign in again" in lifted.stdout
    assert after.status_code == 302
    assert after.headers["Location"] == "/"


def test_wrong_api_tokens_on_one_server_lock_the_other_out(two_servers):
    first, second, env, token = two_servers
    wrong = {"Authorization": "Bearer hexa_" + "x" * 43}

    refused = [httpx.get(f"{first}/api/v1/employees", headers=wrong) for _ in range(5)]
    right = httpx.get(f"{second}/api/v1/employees", headers={"Authorization": f"Bearer {token}"})
    run_hexa(env, "lockout", "lift", "--address", "127.0.0.1")
    after = httpx.get(f"{second}/api/v1/employees", headers={"Authorization": f"Bearer {token}"})

    assert [r.status_code for r in refused] == [401, 401, 401, 401, 429]
    assert right.status_code == 429
    assert right.json()["code"] == "too_many_attempts"
    assert after.status_code == 200


def test_hexa_lockout_lift_says_what_is_wrong(two_servers):
    _first, _second, env, _token = two_servers

    nothing = run_hexa(env, "lockout", "lift", check=False)
    unknown = run_hexa(env, "lockout", "lift", "--user", "nobody", check=False)
    bad = run_hexa(env, "lockout", "lift", "--address", "not-an-ip", check=False)

    assert nothing.returncode == 2
    assert "--user: Say which user name or address to unlock." in nothing.stderr
    assert unknown.returncode == 3
    assert "No failed sign-ins are recorded for nobody." in unknown.stderr
    assert bad.returncode == 2
    assert "--address: not-an-ip is not an IP address." in bad.stderr


# --- Secrets in logs and at rest ------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def embedded_env(data: Path) -> dict[str, str]:
    """Nothing configured but a data folder: the embedded default, SQLite in it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEXA_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["HEXA_DATA_DIR"] = str(data)
    return env


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory) -> Iterator[dict]:
    """`hexa serve` on the embedded SQLite database, with its access log in a file, after a
    few requests: one for a user's calendar feed, one for a wrong feed address, one for a
    password reset link, one that reads the database. The files' modes are taken while it
    runs (SQLite removes the -wal and -shm files when the last connection closes)."""
    folder = tmp_path_factory.mktemp("feed")
    data = folder / "data"
    env = embedded_env(data)
    run_hexa(env, "migrate", "--noinput", "-v0")
    script = (
        "from django.contrib.auth.models import User; "
        "from hexa.crm.services.agenda import new_calendar_feed; "
        "print(new_calendar_feed(User.objects.create_user('ana')))"
    )
    secret = run_hexa(env, "shell", "--no-imports", "-c", script).stdout.strip()
    log = folder / "serve.log"
    with serving(env, workers=1, log=log, access_log=True) as url:
        answers = {
            "feed": httpx.get(f"{url}/calendar/{secret}.ics"),
            "wrong": httpx.get(f"{url}/calendar/{secret[:-3]}abc.ics"),
            "reset": httpx.get(f"{url}/accounts/reset/MQ/cnq2xz-0123456789abcdef0123456789abcdef/"),
        }
        database = data / "hexa.sqlite3"
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), data / "secret_key"]
        modes = {path.name: mode(path) for path in files if path.exists()}
        modes[data.name] = mode(data)
        time.sleep(0.5)  # gunicorn writes the access line after the answer
    yield {"secret": secret, "answers": answers, "log": log.read_text(), "modes": modes}


def test_the_access_log_never_shows_the_calendar_secret(feed_server):
    secret, answers, written = feed_server["secret"], feed_server["answers"], feed_server["log"]

    assert answers["feed"].status_code == 200
    assert answers["feed"].text.startswith("BEGIN:VCALENDAR")
    assert answers["wrong"].status_code == 404
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 200' in written
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 404' in written
    assert "/accounts/reset/MQ/[redacted]/" in written
    assert "Not Found: /calendar/[redacted].ics" in written  # Django's own log line
    assert secret not in written
    assert secret[:10] not in written
    assert "0123456789abcdef" not in written


def test_the_feed_is_never_cached(feed_server):
    feed = feed_server["answers"]["feed"]

    directives = {part.strip() for part in feed.headers["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_sqlite_files_and_the_data_folder_are_the_owners_only(feed_server):
    assert feed_server["modes"] == {
        "hexa.sqlite3": 0o600,
        "hexa.sqlite3-wal": 0o600,
        "hexa.sqlite3-shm": 0o600,
        "secret_key": 0o600,
        "data": 0o700,
    }


def test_files_made_readable_by_an_older_version_are_corrected(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    database = data / "hexa.sqlite3"
    wal = Path(f"{database}-wal")
    for path in (database, wal):
        path.write_bytes(b"")
    for path, old in ((data, 0o755), (database, 0o644), (wal, 0o644)):
        path.chmod(old)

    # Any `hexa` command corrects them when it starts; this one opens no connection (which
    # would make SQLite remove the -wal file when it closes).
    run_hexa(embedded_env(data), "shell", "--no-imports", "-c", "pass")

    assert mode(data) == 0o700
    assert mode(database) == 0o600
    assert mode(wal) == 0o600
