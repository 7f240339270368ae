"""A message the server will not put away (MOVE refused, quota full) does not stop the
others, is not logged twice, and is listed on every fetch until it can be put away."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from hexa.crm.models import Dedication
from hexa.crm.services import mail
from hexa.crm.services.mail.imap import Mailbox
from tests.crm.services.mail.conftest import sample

pytestmark = pytest.mark.django_db

STUCK = "<5f1c2a77-3b0e-4d2e-9c1a-0e2b7d4f9a10@empresa.es>"  # thunderbird_forward_es.eml
NAMES = ["thunderbird_forward_es.eml", "outlook_forward_en.eml", "gmail_forward_es.eml"]


@pytest.fixture
def over_quota(monkeypatch):
    """The server refuses to move (or copy, or flag) the first message delivered, as a
    server whose processed folder is over quota answers; everything else goes through."""
    real = Mailbox._call
    refused: list[str] = []

    def call(self, command: str, *args: str):
        if command == "UID" and args[0] in ("MOVE", "COPY", "STORE") and args[1] == "1":
            refused.append(args[0])
            return "NO", [b"[OVERQUOTA] Quota exceeded (mailbox for user is full)"]
        return real(self, command, *args)

    monkeypatch.setattr(Mailbox, "_call", call)
    return refused


@pytest.mark.parametrize("folder", ["Hexa", ""])  # moved, or flagged
def test_a_message_that_cannot_be_put_away_does_not_stop_the_others(
    mailbox, business, over_quota, settings, folder
):
    settings.HEXA_MAIL_PROCESSED_FOLDER = folder
    mailbox.deliver(*(sample(name) for name in NAMES))
    report = mail.fetch_mail()
    assert report.counts == {"logged": 3}
    assert over_quota  # the server was asked, and refused
    assert [stuck.email.message_id for stuck in report.stuck] == [STUCK]
    assert "OVERQUOTA" in report.stuck[0].reason
    assert "1 left in the mailbox" in report.summary()
    if folder:
        assert mailbox.message_ids() == [STUCK]  # the others are put away
        assert len(mailbox.message_ids("Hexa")) == 2
    assert Dedication.objects.count() == 3
    # The next fetch: the stuck message was handled already; it is listed again, not logged.
    again = mail.fetch_mail()
    assert again.counts == {"seen before": 1}
    assert [stuck.email.message_id for stuck in again.stuck] == [STUCK]
    assert Dedication.objects.count() == 3


def test_the_command_lists_it_and_the_next_fetch_puts_it_away(
    mailbox, business, monkeypatch, over_quota
):
    mailbox.deliver(*(sample(name) for name in NAMES))
    out, err = StringIO(), StringIO()
    call_command("mail", "fetch", stdout=out, stderr=err)
    assert "3 email(s): 3 logged. 1 left in the mailbox" in out.getvalue()
    assert f"warning: not put away (handled, tried again next fetch): {STUCK}" in err.getvalue()
    assert "Quota exceeded" in err.getvalue()
    monkeypatch.undo()  # room in the folder again
    out = StringIO()
    call_command("mail", "fetch", stdout=out, stderr=StringIO())
    assert "1 email(s): 1 seen before." in out.getvalue()
    assert mailbox.message_ids() == []
    assert len(mailbox.message_ids("Hexa")) == 3
    assert Dedication.objects.count() == 3


def test_a_connection_that_breaks_while_putting_away_still_stops_the_fetch(
    mailbox, business, monkeypatch
):
    real = Mailbox._call

    def call(self, command: str, *args: str):
        if command == "UID" and args[0] in ("MOVE", "COPY"):
            self.connection = None  # as _call does when the socket fails
            raise mail.MailboxError("connection reset")
        return real(self, command, *args)

    monkeypatch.setattr(Mailbox, "_call", call)
    mailbox.deliver(*(sample(name) for name in NAMES))
    with pytest.raises(mail.MailboxError, match="connection reset"):
        mail.fetch_mail()
    assert Dedication.objects.count() == 1  # the next fetch goes on from there
