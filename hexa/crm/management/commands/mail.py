"""hexa mail fetch [--watch [--every S]] | check | list: log by email (README)."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import Error as DatabaseError
from django.db import close_old_connections, connection

from hexa.crm.services import mail

EXIT_MAILBOX = 5  # the mailbox cannot be reached, or HEXA_MAIL_IMAP_URL is wrong


class Command(BaseCommand):
    help = (
        "Log emails forwarded or Bcc'd to Hexa's mailbox (HEXA_MAIL_IMAP_URL) as activities. "
        "Run `fetch` from cron, or `fetch --watch` to keep polling."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        fetch = actions.add_parser("fetch", help="handle the messages waiting in the mailbox")
        fetch.add_argument("--watch", action="store_true", help="keep fetching, every --every s")
        fetch.add_argument("--every", type=int, default=60, help="seconds between fetches")
        actions.add_parser("check", help="connect to the mailbox and say what waits there")
        actions.add_parser("list", help="the emails waiting for a person, and unknown senders")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _check(self, **_: Any) -> None:
        try:
            config = mail.mailbox_settings()
            self.stdout.write(mail.check_mailbox(config))
        except (ValueError, mail.MailboxError) as error:
            self.stderr.write(f"error: {error}")
            sys.exit(EXIT_MAILBOX)
        if not mail.hexa_address():
            self.stderr.write(
                f"warning: Hexa's own address is unknown (HEXA_MAIL_ADDRESS is empty and the "
                f"mailbox's user {config.user!r} is not an address): a plus address "
                f"(hexa+CODE@) names a client only in Delivered-To or X-Original-To, never "
                f"in To or Cc. Set HEXA_MAIL_ADDRESS."
            )

    def _fetch(self, *, watch: bool, every: int, **_: Any) -> None:
        while True:
            # As around a request: a connection the database dropped (a restart, a killed
            # backend) is found by Django's health check before this round uses it, and
            # one older than HEXA_DB_CONN_MAX_AGE is renewed; without this, each round
            # after a restart failed once on the dead connection before getting another.
            # Not inside a caller's transaction (a test's), which closing would break.
            if not connection.in_atomic_block:
                close_old_connections()
            try:
                report = mail.fetch_mail(mail.mailbox_settings())
                self.stdout.write(report.summary())
                for line in report.problems():
                    self.stderr.write(f"warning: {line}")
            except (ValueError, mail.MailboxError, DatabaseError) as error:
                self.stderr.write(f"error: {error}")
                if isinstance(error, DatabaseError) and not connection.in_atomic_block:
                    with contextlib.suppress(DatabaseError):
                        connection.close()  # dropped outside a transaction: reconnect next
                if not watch:
                    sys.exit(EXIT_MAILBOX)
            if not watch:
                return
            time.sleep(max(1, every))

    def _list(self, **_: Any) -> None:
        for email in [*mail.waiting_emails()[:200], *mail.unknown_sender_emails()[:200]]:
            self.stdout.write(
                f"{email.pk}\t{email.status}\t{email.sender}\t{email.subject}\t{email.reason}"
            )
