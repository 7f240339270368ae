"""Secrets that travel in addresses, cut out of log lines.

Two of Hexa's addresses carry a credential in their path: a user's calendar feed
(`/calendar/<secret>.ics`, for calendar apps that cannot sign in) and a password reset link
(`/accounts/reset/<user>/<token>/`). Whoever reads a log must not be able to use them, so
every log line (Django's, and gunicorn's access log through hexa.lib.access_log) goes
through `redact()`.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_SECRETS = [
    # The feed's secret: whatever stands between /calendar/ and the last .ics of the path.
    (re.compile(r"(/calendar/)[^/?#\s\"']+(\.ics)"), rf"\g<1>{REDACTED}\g<2>"),
    # A reset link's token; Django then moves it into the session and redirects to
    # .../set-password/, which is no secret.
    (
        re.compile(r"(/reset/[^/?#\s\"']+/)(?!set-password/)[^/?#\s\"']+"),
        rf"\g<1>{REDACTED}",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A logging filter that redacts the record's message (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the handler's to report
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
