"""What becomes of an email sent to Hexa: a dedication through quick_log() (via = email), or
a row that waits for a person (no client, several clients), for a manager (unknown sender),
or says why it failed. One row per Message-ID, written in the same transaction as the
dedication: a message is logged once, whatever happens around it."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hexa.crm.errors import Conflict, DomainError, Forbidden, InvalidInput
from hexa.crm.models import TEXT_MAX, Client, Dedication, InboundEmail
from hexa.crm.services.locks import lock_client
from hexa.crm.services.mail.matching import match_client, sender_employee
from hexa.crm.services.mail.reading import Email, clean_subject, read_email
from hexa.crm.services.mail.tags import read_tags
from hexa.crm.services.permissions import is_manager
from hexa.crm.services.quick_log import quick_log
from hexa.crm.services.validation import KEPT_IF_TO_COME, NextFollowUp

logger = logging.getLogger(__name__)

Status = InboundEmail.Status
# Put away from the mailbox: nothing more will be done with the message there.
FINAL = {
    Status.LOGGED,
    Status.UNASSIGNED,
    Status.UNKNOWN_SENDER,
    Status.FAILED,
    Status.DISCARDED,
}
WAITING = [Status.UNASSIGNED, Status.FAILED, Status.RETRYING]


@dataclass(frozen=True)
class Handled:
    email: InboundEmail
    new: bool  # False: this Message-ID had been handled before (nothing done this time)


def dedication_text(email: Email, *, today: dt.date) -> tuple[str, int | None, dt.date | None]:
    """The dedication's text (subject, then what was written and the forwarded message, within
    the text limit), and the time and next follow-up its tags say."""
    lines = email.note.split("\n", 1) if email.note else [""]
    first, rest = lines[0], lines[1] if len(lines) > 1 else ""
    tags, (subject, first) = read_tags(clean_subject(email.subject), first, today=today)
    note = "\n".join(part for part in (first, rest) if part).strip()
    parts = [subject, note, email.forwarded]
    text = "\n\n".join(part for part in parts if part) or _("(empty email)")
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1].rstrip() + "…"
    return text, tags.minutes, tags.next_follow_up


def handle_message(raw: bytes) -> Handled:
    """Read one message from the mailbox and do what it says, once per Message-ID."""
    email = read_email(raw)
    today = timezone.localdate()
    with transaction.atomic():
        existing = (
            InboundEmail.objects.select_for_update().filter(message_id=email.message_id).first()
        )
        if existing is not None and existing.status != Status.RETRYING:
            return Handled(existing, new=False)
        record = existing or _new_record(email, today=today)
        if record is None:  # another fetcher has just taken it
            return Handled(
                InboundEmail.objects.get(message_id=email.message_id),
                new=False,
            )
        with translation.override(settings.LANGUAGE_CODE):  # reasons in the business's language
            _decide(record, email)
        return Handled(record, new=True)


def _new_record(email: Email, *, today: dt.date) -> InboundEmail | None:
    text, minutes, next_follow_up = dedication_text(email, today=today)
    day = timezone.localdate(email.sent_at) if email.sent_at else today
    record = InboundEmail(
        message_id=email.message_id,
        status=Status.RETRYING,
        sender=email.sender[:320],
        sender_name=email.sender_name[:200],
        recipients=email.recipients,
        subject=email.subject[:500],
        sent_at=email.sent_at,
        text=text,
        date=min(day, today),  # a sender's clock ahead of ours is not a future dedication
        minutes=minutes,
        next_follow_up=next_follow_up,
        attachments=[{"name": a.name, "size": a.size} for a in email.attachments],
    )
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        return None
    return record


def _decide(record: InboundEmail, email: Email) -> None:
    if settings.HEXA_MAIL_REQUIRE_AUTHENTICATION and not email.authenticated:
        _set(
            record,
            Status.UNKNOWN_SENDER,
            _(
                "The receiving server did not vouch for %(sender)s (no dkim=pass or spf=pass "
                "for its domain in Authentication-Results): it may not have sent this email."
            )
            % {"sender": email.sender},
        )
        return
    employee = sender_employee(email)
    if employee is None:
        _set(
            record,
            Status.UNKNOWN_SENDER,
            _("%(sender)s is not the email of an active employee.") % {"sender": email.sender},
        )
        return
    record.employee = employee
    match = match_client(email)
    record.other_party = ", ".join(match.parties)[:320]
    if match.client is None:
        record.candidates = [client.pk for client in match.candidates]
        _set(record, Status.UNASSIGNED, match.reason)
        return
    record.client = match.client
    try:
        _log(record, match.client, by=None)
    except DomainError as error:
        record.attempts += 1
        final = record.attempts >= settings.HEXA_MAIL_MAX_ATTEMPTS
        _set(record, Status.FAILED if final else Status.RETRYING, error.message)
        return


def _set(record: InboundEmail, status: str, reason: str = "") -> None:
    record.status = status
    record.reason = reason
    record.save()


def _log(record: InboundEmail, client: Client, *, by: User | None) -> None:
    """The quick log of the email on `client`; its Message-ID is the idempotency key."""
    next_follow_up: NextFollowUp = record.next_follow_up or KEPT_IF_TO_COME
    key = "email:" + hashlib.sha256(record.message_id.encode()).hexdigest()
    result = quick_log(
        client=client,
        employee=record.employee,
        text=record.text,
        date=record.date,
        next_follow_up=next_follow_up,
        minutes=record.minutes,
        recorded_by=by,
        via=Dedication.Via.EMAIL,
        idempotency_key=key,
    )
    record.client = client
    record.dedication = result.dedication
    record.reason = ""
    _set(record, Status.LOGGED)


def record_failure(raw_message_id: str, reason: str) -> Handled:
    """A message that could not even be read or handled (a bug, a broken message): counted,
    and listed as failed after the last attempt (then put away, with nothing logged)."""
    with transaction.atomic():
        record = InboundEmail.objects.select_for_update().filter(message_id=raw_message_id).first()
        if record is not None and record.status != Status.RETRYING:
            return Handled(record, new=False)
        if record is None:
            record = InboundEmail(
                message_id=raw_message_id,
                status=Status.RETRYING,
                text=_("(unreadable email)"),
                date=timezone.localdate(),
            )
        record.attempts += 1
        final = record.attempts >= settings.HEXA_MAIL_MAX_ATTEMPTS
        record.status = Status.FAILED if final else Status.RETRYING
        record.reason = reason[:2000]
        record.save()
    return Handled(record, new=True)


def assign_email(email_id: int, client: Client, *, by: User) -> InboundEmail:
    """A person chose the client of a waiting email: log it there."""
    with transaction.atomic():
        record = _waiting(email_id, unknown=True)
        if record.employee is None or record.status == Status.UNKNOWN_SENDER:
            raise Conflict(_("An email from an unknown sender is never logged."))
        lock_client(client)
        record.handled_by = by
        record.handled_at = timezone.now()
        _log(record, client, by=by)
    return record


def discard_email(email_id: int, *, by: User) -> InboundEmail:
    """Nothing will be logged from this email. Unknown senders' are managers' to discard."""
    with transaction.atomic():
        record = _waiting(email_id, unknown=True)
        if record.status == Status.UNKNOWN_SENDER and not is_manager(by):
            raise Forbidden(_("Only managers handle emails from unknown senders."))
        record.handled_by = by
        record.handled_at = timezone.now()
        _set(record, Status.DISCARDED)
    return record


def _waiting(email_id: int, *, unknown: bool = False) -> InboundEmail:
    record = InboundEmail.objects.select_for_update().filter(pk=email_id).first()
    statuses = [*WAITING, Status.UNKNOWN_SENDER] if unknown else WAITING
    if record is None or record.status not in statuses:
        raise InvalidInput.on(
            "email", _("This email has been handled already, or there is no such email.")
        )
    return record


def waiting_emails() -> QuerySet[InboundEmail]:
    """Emails that wait for a person: no client, several, or failed."""
    return InboundEmail.objects.filter(status__in=WAITING).select_related("employee")


def unknown_sender_emails() -> QuerySet[InboundEmail]:
    return InboundEmail.objects.filter(status=Status.UNKNOWN_SENDER)


def email_of(dedication: Dedication) -> InboundEmail | None:
    """The email a dedication came from, if it came by email."""
    if dedication.via != Dedication.Via.EMAIL:
        return None
    return InboundEmail.objects.filter(dedication=dedication).first()
