"""Secrets in addresses are cut out of log lines (hexa.lib.redaction)."""

from __future__ import annotations

import logging

import pytest

from hexa.lib.redaction import RedactSecrets, redact

SECRET = "yYedLAOtV37EaJrlDQeTHD6rhH5mwXZqGRpeyOM382E"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f'127.0.0.1 - - [x] "GET /calendar/{SECRET}.ics HTTP/1.1" 200 512 "-" "Cal/1"',
            '127.0.0.1 - - [x] "GET /calendar/[redacted].ics HTTP/1.1" 200 512 "-" "Cal/1"',
        ),
        (f"/calendar/{SECRET}.ics?x=1", "/calendar/[redacted].ics?x=1"),
        (f"/calendar/a.b.{SECRET}.ics", "/calendar/[redacted].ics"),
        ("/accounts/reset/MQ/cnq2xz-0123abcd/", "/accounts/reset/MQ/[redacted]/"),
        ("/accounts/reset/MQ/set-password/", "/accounts/reset/MQ/set-password/"),
        ("/calendar/ and /agenda/calendar/", "/calendar/ and /agenda/calendar/"),
        ("GET /clients/ACME/ HTTP/1.1", "GET /clients/ACME/ HTTP/1.1"),
    ],
)
def test_redact_cuts_secrets_out_of_addresses(line, expected):
    assert redact(line) == expected


def test_the_log_filter_redacts_the_formatted_message():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s: %s",
        ("Not Found", f"/calendar/{SECRET}.ics"),
        None,
    )

    kept = RedactSecrets().filter(record)

    assert kept is True
    assert record.getMessage() == "Not Found: /calendar/[redacted].ics"
