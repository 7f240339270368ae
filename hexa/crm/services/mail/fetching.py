"""`hexa mail fetch`: each message waiting in the mailbox handled once (inbox.py), then put
away. A message is put away only after its row is committed, and a message whose row exists
is never logged again: a fetch cut short anywhere (the server or Hexa going away) loses
nothing and doubles nothing; the next fetch finishes the work."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from django.db import Error as DatabaseError

from hexa.crm.models import InboundEmail
from hexa.crm.services.mail.imap import Mailbox, MailboxError, MailboxSettings
from hexa.crm.services.mail.inbox import FINAL, Handled, handle_message, record_failure
from hexa.crm.services.mail.reading import message_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stuck:
    """A handled message the server would not put away (a refused MOVE, a full quota)."""

    email: InboundEmail
    reason: str


@dataclass
class FetchReport:
    """How many messages ended how: statuses of the new ones, and those seen before; and
    the messages that stay in the mailbox because the server would not put them away."""

    counts: Counter[str] = field(default_factory=Counter)
    handled: list[InboundEmail] = field(default_factory=list)
    stuck: list[Stuck] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        stuck = f" {len(self.stuck)} left in the mailbox: not put away." if self.stuck else ""
        if not self.total:
            return "No new email." + stuck
        parts = [f"{count} {status}" for status, count in sorted(self.counts.items())]
        return f"{self.total} email(s): " + ", ".join(parts) + "." + stuck

    def problems(self) -> list[str]:
        """One line per message left in the mailbox that should have been put away."""
        return [
            f"not put away (handled, tried again next fetch): {stuck.email.message_id} "
            f"{stuck.email.subject!r}: {stuck.reason}"
            for stuck in self.stuck
        ]


def fetch_mail(
    config: MailboxSettings | None = None,
    *,
    processed_folder: str | None = None,
    after_each: Callable[[str, Handled], None] | None = None,
) -> FetchReport:
    """Handle every message waiting in the mailbox. MailboxError when the server cannot be
    reached or goes away: what was done until then stays done."""
    report = FetchReport()
    with Mailbox(config, processed_folder=processed_folder) as box:
        for uid in box.waiting():
            raw = box.fetch(uid)
            if raw is None:  # put away by another fetcher meanwhile
                continue
            handled = _handle(raw)
            report.counts[handled.email.status if handled.new else "seen before"] += 1
            report.handled.append(handled.email)
            if after_each is not None:
                after_each(uid, handled)
            if handled.email.status in FINAL:
                _put_away(box, uid, handled.email, report)
    return report


def _put_away(box: Mailbox, uid: str, email: InboundEmail, report: FetchReport) -> None:
    """Put the message away; a server that refuses it for this message (MOVE refused, quota
    full) does not stop the others: the message stays, and is listed. Its row is written, so
    the next fetch sees it before and only tries to put it away again. A connection that is
    gone stops the fetch (MailboxError)."""
    try:
        box.put_away(uid)
    except MailboxError as error:
        if not box.connected:
            raise
        logger.warning("Email %s could not be put away: %s", email.message_id, error)
        report.stuck.append(Stuck(email, str(error)))


def _handle(raw: bytes) -> Handled:
    try:
        return handle_message(raw)
    except DatabaseError:
        raise  # the database is away: stop, the message stays in the mailbox
    except Exception as error:  # a message Hexa cannot read must not stop the others
        logger.exception("Email could not be handled")
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        return record_failure(message_id(headers, raw), f"{type(error).__name__}: {error}")
