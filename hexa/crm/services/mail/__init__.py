"""Log by email: messages forwarded or Bcc'd to Hexa's mailbox become dedications
(DESIGN.md, "Where dedications come from"). `fetch_mail()` reads the mailbox; the pages
assign or discard what waits for a person."""

from hexa.crm.services.mail.fetching import FetchReport, fetch_mail
from hexa.crm.services.mail.imap import (
    Mailbox,
    MailboxError,
    MailboxSettings,
    check_mailbox,
    mailbox_settings,
)
from hexa.crm.services.mail.inbox import (
    assign_email,
    discard_email,
    email_of,
    handle_message,
    unknown_sender_emails,
    waiting_emails,
)
from hexa.crm.services.mail.matching import hexa_address

__all__ = [
    "FetchReport",
    "Mailbox",
    "MailboxError",
    "MailboxSettings",
    "assign_email",
    "check_mailbox",
    "discard_email",
    "email_of",
    "fetch_mail",
    "handle_message",
    "hexa_address",
    "mailbox_settings",
    "unknown_sender_emails",
    "waiting_emails",
]
