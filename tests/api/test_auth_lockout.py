"""API tokens and sign-in protection: refused tokens count as failed sign-ins of the caller's
address, which is then locked out (429 too_many_attempts with Retry-After), valid tokens
included; expired and revoked tokens say so."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.utils import timezone

from hexa.api.models import ApiToken

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("acme")]  # the client read

WRONG = "hexa_" + "x" * 43


def call(token: str, address: str = "127.0.0.1", path: str = "/api/v1/clients/ACME"):
    client = HttpClient(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_thirty_wrong_tokens_lock_the_address_out_and_then_the_right_one_is_refused(ana):
    _row, token = ApiToken.objects.issue(user=ana)

    answers = [call(WRONG) for _ in range(30)]
    right = call(token)

    assert [answer.status_code for answer in answers[:4]] == [401] * 4
    assert {answer.json()["code"] for answer in answers[:4]} == {"unauthorized"}
    assert {answer.status_code for answer in answers[4:]} == {429}
    assert right.status_code == 429
    assert right["Content-Type"].startswith("application/json")
    assert right.json() == {
        "code": "too_many_attempts",
        "message": "Too many failed attempts from this address. Try again in 15 minutes.",
    }
    assert 890 <= int(right["Retry-After"]) <= 900
    # Attempts made while locked out are not counted: the lock ends when it said.
    assert AccessAttempt.objects.get().failures_since_start == 5


def test_other_addresses_keep_working_while_one_is_locked_out(ana):
    _row, token = ApiToken.objects.issue(user=ana)
    for _ in range(5):
        call(WRONG, address="203.0.113.7")

    answer = call(token, address="198.51.100.20")

    assert answer.status_code == 200
    assert answer.json()["code"] == "ACME"


def test_a_good_token_asks_axes_only_where_something_failed(ana, django_assert_max_num_queries):
    """The lockout check of every call: one statement for an address nothing ever failed
    from; axes' own count once something did (under the limit: let through; IPv6 too)."""
    _row, token = ApiToken.objects.issue(user=ana)
    call(token)  # compiled once
    with django_assert_max_num_queries(4):  # token, user, address, client
        assert call(token).status_code == 200
    # Addresses as a connection or a proxy may give them, stored by axes as it writes them.
    for address in ("127.0.0.1", "2001:DB8::7", "fe80::1%eth0"):
        for _ in range(4):
            call(WRONG, address=address)
        assert call(token, address=address).status_code == 200
        call(WRONG, address=address)
        assert call(token, address=address).status_code == 429


def test_the_api_lock_ends_after_the_lockout_time(ana):
    _row, token = ApiToken.objects.issue(user=ana)
    for _ in range(5):
        call(WRONG)
    assert call(token).json()["code"] == "too_many_attempts"

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=15, seconds=1))

    answer = call(token)
    assert answer.status_code == 200
    assert answer.json()["code"] == "ACME"


def test_the_schema_and_docs_are_locked_out_too(ana):
    _row, token = ApiToken.objects.issue(user=ana)
    for _ in range(5):
        call(WRONG, path="/api/v1/openapi.json")

    answer = call(token, path="/api/v1/docs")

    assert answer.status_code == 429
    assert answer.json()["code"] == "too_many_attempts"


def test_failures_on_the_sign_in_page_lock_the_api_out_of_that_address(ana):
    _row, token = ApiToken.objects.issue(user=ana)
    browser = HttpClient()
    for n in range(5):
        browser.post("/accounts/login/", {"username": f"user{n}", "password": "guess"})

    answer = call(token)
    assert answer.status_code == 429
    assert answer.json()["code"] == "too_many_attempts"
    assert int(answer["Retry-After"]) > 0


def test_refused_tokens_are_logged_with_the_address_never_the_token(ana, caplog):
    caplog.set_level(logging.WARNING, logger="hexa.signin")
    row, token = ApiToken.objects.issue(user=ana)
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())

    call(WRONG, address="203.0.113.9")
    call(token, address="203.0.113.9")

    lines = [r.getMessage() for r in caplog.records if r.name == "hexa.signin"]
    assert lines == [
        "API token refused (unknown: hexa_xxxx…) from 203.0.113.9 on /api/v1/clients/ACME",
        f"API token refused (revoked: {token[:9]}…) from 203.0.113.9 on /api/v1/clients/ACME",
    ]
    assert not [r for r in caplog.records if token in r.getMessage() or WRONG in r.getMessage()]


# --- Expired and revoked tokens ---------------------------------------------------------------


def test_an_expired_token_is_refused_saying_it_expired(ana):
    today = timezone.localdate()
    _row, token = ApiToken.objects.issue(user=ana, expires_on=today - dt.timedelta(days=1))

    answer = call(token)

    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert answer.json() == {
        "code": "unauthorized",
        "message": f"This API token expired on {yesterday}; make a new one.",
    }


def test_a_token_works_through_its_expiry_date(ana):
    _row, token = ApiToken.objects.issue(user=ana, expires_on=timezone.localdate())

    answer = call(token)

    assert answer.status_code == 200
    assert answer.json()["code"] == "ACME"


def test_a_revoked_token_is_refused_saying_so(ana):
    row, token = ApiToken.objects.issue(user=ana)
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())

    answer = call(token)

    assert answer.status_code == 401
    today = timezone.localdate().isoformat()
    assert answer.json()["message"] == f"This API token was revoked on {today}."


def test_the_429_is_in_the_openapi_schema():
    from hexa.api.api import api

    schema = api.get_openapi_schema()

    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations
    assert all("429" in op["responses"] or 429 in op["responses"] for op in operations)
