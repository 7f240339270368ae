"""`hexa mail` as cron runs it: real processes on a real database, against dovecot."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.conftest import HEXA, live_query, run_hexa
from tests.crm.services.mail.conftest import HEXA_ADDRESS, sample

SEED = """
from hexa.crm.models import Client, Employee
Employee.objects.get_or_create(code="LAURA", defaults=dict(name="Laura", email="laura@empresa.es"))
Client.objects.get_or_create(code="PRIETO", defaults=dict(name="Prieto", email="ana@prieto.es"))
Client.objects.get_or_create(
    code="BODEGAS", defaults=dict(name="Bodegas", email="info@bodegasrioja.es")
)
"""

SAMPLES = [
    "thunderbird_forward_es.eml",
    "thunderbird_bcc_reply_en.eml",
    "outlook_forward_en.eml",
    "outlook_bcc_plus_es.eml",
    "gmail_bcc_en.eml",
    "unknown_sender.eml",
]


@pytest.fixture
def mail_env(live_env, imap_server):
    box = imap_server.mailbox()
    env = {**live_env, "HEXA_MAIL_IMAP_URL": box.url, "HEXA_MAIL_ADDRESS": HEXA_ADDRESS}
    run_hexa(env, "shell", "-c", SEED)
    return env, box


def fresh(name: str, tag: str) -> bytes:
    """The sample with its Message-ID made this test's own: the live database is shared by
    the session's tests, and a Message-ID is handled once in it."""
    raw = sample(name)
    for header in (b"Message-ID: <", b"Message-Id: <"):
        raw = raw.replace(header, header + tag.encode() + b"-", 1)
    return raw


def _email_dedications(env: dict[str, str], message_id: str) -> int:
    rows = live_query(
        env,
        "SELECT COUNT(*) FROM crm_dedication d JOIN crm_inboundemail e ON e.dedication_id = d.id"
        " WHERE e.message_id = %s AND d.via = 'email'",
        message_id,
    )
    return rows[0][0]


def test_two_fetchers_at_once_log_each_message_once(mail_env):
    env, box = mail_env
    box.deliver(*(fresh(name, "two") for name in SAMPLES))
    fetchers = [
        subprocess.Popen(
            [str(HEXA), "mail", "fetch"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [fetcher.communicate(timeout=120) for fetcher in fetchers]
    assert [fetcher.returncode for fetcher in fetchers] == [0, 0], outputs
    logged = {
        "<two-5f1c2a77-3b0e-4d2e-9c1a-0e2b7d4f9a10@empresa.es>",
        "<two-a81d2f40-77c3-4a55-b1e2-3c9d6e0f1b22@empresa.es>",
    }
    for message_id in logged:
        assert _email_dedications(env, message_id) == 1
    rows = live_query(
        env,
        "SELECT status, COUNT(*) FROM crm_inboundemail WHERE message_id LIKE %s GROUP BY status",
        "<two-%",
    )
    assert dict(rows) == {"logged": 4, "unassigned": 1, "unknown": 1}
    assert box.message_ids() == []
    # Every message put away (a server's MOVE may copy one twice when both fetchers move it
    # at the same moment: a copy too many in the folder, never a dedication too many).
    assert len(set(box.message_ids("Hexa"))) == len(SAMPLES)
    # Fetched again (the same messages delivered once more): nothing new.
    before = live_query(env, "SELECT COUNT(*) FROM crm_dedication WHERE via = 'email'")
    box.deliver(fresh("thunderbird_forward_es.eml", "two"))
    again = run_hexa(env, "mail", "fetch")
    assert "1 seen before" in again.stdout
    assert live_query(env, "SELECT COUNT(*) FROM crm_dedication WHERE via = 'email'") == before
    listed = run_hexa(env, "mail", "list").stdout
    assert "Re: Garden fence" in listed
    assert "promo@ofertas-imbatibles.example" in listed


def test_check_and_a_mailbox_that_cannot_be_reached(mail_env):
    env, box = mail_env
    checked = run_hexa(env, "mail", "check")
    assert "signed in" in checked.stdout and ":secret@" not in checked.stdout
    wrong = {**env, "HEXA_MAIL_IMAP_URL": box.url.replace(":secret@", ":nope@")}
    failed = run_hexa(wrong, "mail", "fetch", check=False)
    assert failed.returncode == 5 and "Authentication failed" in failed.stderr
    unset = {**env, "HEXA_MAIL_IMAP_URL": ""}
    failed = run_hexa(unset, "mail", "check", check=False)
    assert failed.returncode == 5 and "HEXA_MAIL_IMAP_URL is not set" in failed.stderr


def test_watch_keeps_fetching_what_arrives(mail_env):
    env, box = mail_env
    watcher = subprocess.Popen(
        [str(HEXA), "mail", "fetch", "--watch", "--every", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for name in ("thunderbird_forward_es.eml", "thunderbird_bcc_reply_en.eml"):
            box.deliver(fresh(name, "watch"))
            deadline = time.monotonic() + 60
            while box.message_ids() and time.monotonic() < deadline:
                time.sleep(0.5)
            assert box.message_ids() == [], f"{name} not fetched"
        assert watcher.poll() is None  # still watching
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)
    assert live_query(
        env,
        "SELECT COUNT(*) FROM crm_inboundemail WHERE message_id LIKE %s AND status = 'logged'",
        "<watch-%",
    ) == [(2,)]
