"""`hexa mail fetch --watch` as a long-running process: it survives losing its database
connection (a PostgreSQL restart, a killed backend) and goes on fetching."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import HEXA, database_vendor, live_query, run_hexa
from tests.crm.services.mail.dovecot import TestMailbox as Box

SAMPLES = Path(__file__).parents[1] / "crm" / "services" / "mail" / "samples"
APPLICATION = "hexa-mail-watch-test"

SEED = """
from hexa.crm.models import Client, Employee
Employee.objects.get_or_create(code="LAURA", defaults=dict(name="Laura", email="laura@empresa.es"))
Client.objects.get_or_create(code="PRIETO", defaults=dict(name="Prieto", email="ana@prieto.es"))
"""


def _message(name: str, tag: str) -> bytes:
    """A sample with its Message-ID made this test's own (the live database is shared)."""
    raw = (SAMPLES / name).read_bytes()
    for header in (b"Message-ID: <", b"Message-Id: <"):
        raw = raw.replace(header, header + tag.encode() + b"-", 1)
    return raw


def _wait_until_fetched(box: Box, what: str, watcher: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while box.message_ids() and time.monotonic() < deadline:
        assert watcher.poll() is None, "the watcher stopped"
        time.sleep(0.5)
    assert box.message_ids() == [], f"{what} was not fetched"


def _logged(env: dict[str, str], tag: str) -> int:
    rows = live_query(
        env,
        "SELECT COUNT(*) FROM crm_inboundemail e JOIN crm_dedication d"
        " ON e.dedication_id = d.id WHERE e.message_id LIKE %s AND e.status = 'logged'",
        f"<{tag}-%",
    )
    return rows[0][0]


@pytest.mark.skipif(
    database_vendor() != "postgresql",
    reason="needs a database server whose connection can be cut (SQLite is a file)",
)
def test_watch_reconnects_after_the_database_drops_its_connection(live_env, imap_server):
    import psycopg

    box = imap_server.mailbox()
    run_hexa(live_env, "shell", "-c", SEED)
    url = live_env["HEXA_DATABASE_URL"]
    separator = "&" if "?" in url else "?"
    env = {
        **live_env,
        "HEXA_MAIL_IMAP_URL": box.url,
        "HEXA_MAIL_ADDRESS": "hexa@empresa.es",
        # The watcher's own connection, to cut it and no other.
        "HEXA_DATABASE_URL": f"{url}{separator}application_name={APPLICATION}",
    }
    watcher = subprocess.Popen(
        [str(HEXA), "mail", "fetch", "--watch", "--every", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        box.deliver(_message("thunderbird_forward_es.eml", "reconnect"))
        _wait_until_fetched(box, "the first email", watcher)
        with psycopg.connect(url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND pid <> pg_backend_pid()",
                (APPLICATION,),
            ).fetchall()
        assert killed and all(ok for (ok,) in killed), killed
        # The next round finds the connection dead before using it, and connects again.
        box.deliver(_message("thunderbird_bcc_reply_en.eml", "reconnect"))
        _wait_until_fetched(box, "the email sent after the connection was cut", watcher)
        assert watcher.poll() is None  # still watching
    finally:
        watcher.terminate()
        _out, errors = watcher.communicate(timeout=20)
    assert _logged(live_env, "reconnect") == 2, errors
    assert "error" not in errors, errors  # no round failed on the dead connection
