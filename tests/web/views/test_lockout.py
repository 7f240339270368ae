"""Sign-in protection on the web: repeated failures lock a user name and an address out for a
while (the sign-in page and the password reset), every failure is logged, and a manager lifts
a lock. The API's side is in tests/api/test_auth_lockout.py; several processes in
tests/server/test_signin_servers.py."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client as HttpClient

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"  # tests.factories.user's
LOCKED = "Too many failed sign-in attempts for this user name or from this address."


def browser(address: str = "127.0.0.1") -> HttpClient:
    """Someone at `address`, reading English."""
    return HttpClient(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def sign_in(client: HttpClient, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in(client: HttpClient) -> bool:
    return SESSION_KEY in client.session


def age_failures(by: dt.timedelta) -> None:
    """Move the clock on by `by`, as far as the recorded failures can tell."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_thirty_wrong_passwords_lock_the_user_out_and_then_the_right_one_is_refused(ana):
    client = browser()

    answers = [sign_in(client, "ana", f"guess-{n}") for n in range(30)]
    right = sign_in(client, "ana", PASSWORD)

    # Four ordinary refusals, then the lock, from the fifth failure on.
    assert [answer.status_code for answer in answers[:4]] == [200] * 4
    assert all(b"Please enter a correct username and password" in a.content for a in answers[:4])
    assert {answer.status_code for answer in answers[4:]} == {429}
    assert right.status_code == 429
    page = right.content.decode()
    assert LOCKED in page
    assert "Try again in 15 minutes, or ask a manager to lift the lock." in page
    assert 890 <= int(right["Retry-After"]) <= 900
    assert 'value="ana"' in page  # the form is there again, with the user name
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # still sent to the sign-in page


def test_the_lock_ends_when_the_lockout_time_has_passed(ana):
    client = browser()
    for n in range(5):
        sign_in(client, "ana", f"guess-{n}")

    age_failures(dt.timedelta(minutes=14))
    assert sign_in(client, "ana", PASSWORD).status_code == 429
    assert not signed_in(client)

    age_failures(dt.timedelta(minutes=1, seconds=1))
    answer = sign_in(client, "ana", PASSWORD)

    assert answer.status_code == 302
    assert signed_in(client)


def test_trying_while_locked_out_does_not_make_the_lock_longer(ana):
    # The message says when to come back; an attempt in the meantime must not move that.
    client = browser()
    for n in range(5):
        sign_in(client, "ana", f"guess-{n}")
    age_failures(dt.timedelta(minutes=10))

    assert sign_in(client, "ana", "another-guess").status_code == 429
    assert sign_in(client, "ana", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username="ana").failures_since_start == 5  # not 7
    age_failures(dt.timedelta(minutes=5, seconds=1))

    assert sign_in(client, "ana", PASSWORD).status_code == 302


def test_an_address_with_many_failures_is_locked_out_whatever_the_user_name(ana):
    attacker = browser("203.0.113.7")
    for n in range(5):
        sign_in(attacker, f"user{n}", "guess")

    from_there = sign_in(attacker, "ana", PASSWORD)
    elsewhere = browser("198.51.100.20")
    from_elsewhere = sign_in(elsewhere, "ana", PASSWORD)

    assert from_there.status_code == 429
    assert LOCKED in from_there.content.decode()
    assert from_elsewhere.status_code == 302
    assert signed_in(elsewhere)


def test_a_forged_forwarded_address_does_not_escape_the_lock(ana):
    # Without HEXA_PROXIES, X-Forwarded-For is the client's own writing and is not believed.
    for n in range(5):
        HttpClient(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(
            "/accounts/login/", {"username": f"user{n}", "password": "guess"}
        )

    forged = HttpClient(HTTP_X_FORWARDED_FOR="192.0.2.99")
    answer = sign_in(forged, "ana", PASSWORD)

    assert answer.status_code == 429
    assert not signed_in(forged)


def test_a_user_name_with_many_failures_is_locked_out_from_every_address(ana):
    bea = factories.user("bea")
    for n in range(5):
        sign_in(browser(f"203.0.113.{n + 1}"), "ana", "guess")

    ana_elsewhere = sign_in(browser("198.51.100.20"), "ana", PASSWORD)
    bea_client = browser("203.0.113.1")
    bea_there = sign_in(bea_client, bea.username, PASSWORD)

    assert ana_elsewhere.status_code == 429
    assert bea_there.status_code == 302  # one failure from that address is no lock
    assert signed_in(bea_client)


def test_a_success_does_not_wipe_the_failures(ana):
    # Otherwise an attacker with an account could sign in between guesses and never be locked.
    mallory = factories.user("mallory")
    attacker = browser("203.0.113.7")
    for round in range(3):
        for n in range(2):
            sign_in(attacker, "ana", f"guess-{round}-{n}")
        sign_in(browser("203.0.113.7"), mallory.username, PASSWORD)

    response = sign_in(attacker, "ana", PASSWORD)
    assert response.status_code == 429
    assert "Try again in" in response.content.decode()
    assert not signed_in(attacker)


def test_every_failure_is_logged_with_user_name_and_address_never_the_password(ana, caplog):
    caplog.set_level(logging.WARNING, logger="hexa.signin")

    for n in range(6):
        sign_in(browser("203.0.113.9"), "ana", f"Secret-guess-{n}")

    failures = [r.getMessage() for r in caplog.records if "Sign-in failed" in r.getMessage()]
    locks = [r.getMessage() for r in caplog.records if "Locked out" in r.getMessage()]
    assert len(failures) == 6
    assert all("'ana'" in line and "203.0.113.9" in line for line in failures)
    assert failures[0] == "Sign-in failed for user name 'ana' from 203.0.113.9 on /accounts/login/"
    assert locks and "'ana'" in locks[0] and "203.0.113.9" in locks[0]
    assert "15 minutes" in locks[0]
    assert not [r for r in caplog.records if "Secret-guess" in r.getMessage()]


def test_a_success_is_not_logged_as_a_failure(ana, caplog):
    caplog.set_level(logging.WARNING, logger="hexa.signin")

    sign_in(browser(), "ana", PASSWORD)

    assert not [r for r in caplog.records if r.name == "hexa.signin"]


def test_the_lock_message_is_in_spanish_for_spanish_readers(ana):
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="es")
    for n in range(5):
        answer = sign_in(client, "ana", f"guess-{n}")

    assert answer.status_code == 429
    assert "Demasiados intentos fallidos" in answer.content.decode()


def test_the_sign_in_page_links_to_the_password_reset(db):
    page = browser().get("/accounts/login/").content.decode()

    assert 'href="/accounts/password_reset/"' in page


# --- The password reset ---------------------------------------------------------------------


def ask_reset(client: HttpClient, email: str):
    return client.post("/accounts/password_reset/", {"email": email})


def test_password_reset_requests_are_throttled(ana):
    client = browser()

    answers = [ask_reset(client, "ana@example.com") for _ in range(6)]

    assert [answer.status_code for answer in answers] == [302, 302, 302, 302, 429, 429]
    assert answers[0]["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 4  # none once locked out
    refused = answers[4].content.decode()
    assert "Too many attempts for this email or from this address." in refused
    assert int(answers[4]["Retry-After"]) > 0


def test_password_reset_throttles_an_address_trying_many_emails(ana):
    client = browser("203.0.113.7")
    for n in range(5):
        ask_reset(client, f"someone{n}@example.com")

    answer = ask_reset(client, "ana@example.com")

    assert answer.status_code == 429
    assert mail.outbox == []


def test_a_password_reset_by_email_lifts_the_lock_someone_else_put_on_the_user(ana):
    # Someone guessing Ana's password from elsewhere locks her user name out; the reset link,
    # which only she receives, lets her back in at once.
    attacker = browser("203.0.113.7")
    for n in range(5):
        sign_in(attacker, "ana", f"guess-{n}")
    client = browser("198.51.100.20")
    assert sign_in(client, "ana", PASSWORD).status_code == 429

    ask_reset(client, "ana@example.com")
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "A-new-Passw0rd!", "new_password2": "A-new-Passw0rd!"},
    )
    answer = sign_in(client, "ana", "A-new-Passw0rd!")

    assert done.status_code == 302
    assert answer.status_code == 302
    assert signed_in(client)


def test_a_locked_out_address_cannot_ask_for_resets_either(ana):
    client = browser()
    for n in range(5):
        sign_in(client, "ana", f"guess-{n}")

    answer = ask_reset(client, "ana@example.com")

    assert answer.status_code == 429
    assert mail.outbox == []


def test_the_reset_pages_are_hexas_and_answer_without_signing_in(db):
    client = browser()

    form = client.get("/accounts/password_reset/")
    done = client.get("/accounts/password_reset/done/")
    bad_link = client.get("/accounts/reset/MQ/not-a-token/", follow=True)

    assert form.status_code == 200
    assert "Forgot your password?" in form.content.decode()
    assert "Check your email" in done.content.decode()
    assert "This link no longer works" in bad_link.content.decode()


# --- Lifting a lock -------------------------------------------------------------------------


def lock_out_ana() -> None:
    client = browser("203.0.113.7")
    for n in range(5):
        sign_in(client, "ana", f"guess-{n}")


def test_a_manager_sees_the_locks_and_lifts_one(ana, manager):
    lock_out_ana()
    web = browser()
    web.force_login(manager)

    page = web.get("/accounts/lockouts/").content.decode()
    lifted = web.post("/accounts/lockouts/lift/", {"username": "ana"}, follow=True)
    ana_client = browser("203.0.113.7")
    answer = sign_in(ana_client, "ana", PASSWORD)

    assert "ana" in page and "203.0.113.7" in page
    assert page.count("locked until") == 2  # the user name and the address
    assert "ana can sign in again." in lifted.content.decode()
    assert answer.status_code == 302
    assert signed_in(ana_client)
    assert not AccessAttempt.objects.filter(username="ana").exists()


def test_a_manager_lifts_the_lock_of_an_address(ana, manager):
    for n in range(5):
        sign_in(browser("203.0.113.7"), f"user{n}", "guess")
    web = browser()
    web.force_login(manager)

    web.post("/accounts/lockouts/lift/", {"address": "203.0.113.7"})
    ana_client = browser("203.0.113.7")

    assert sign_in(ana_client, "ana", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_lifting_an_unknown_or_bad_lock_says_why(manager):
    web = browser()
    web.force_login(manager)

    unknown = web.post("/accounts/lockouts/lift/", {"username": "nobody"}, follow=True)
    bad = web.post("/accounts/lockouts/lift/", {"address": "999.1.1.1"}, follow=True)
    empty = web.post("/accounts/lockouts/lift/", {}, follow=True)

    assert "No failed sign-ins are recorded for nobody." in unknown.content.decode()
    assert "999.1.1.1 is not an IP address." in bad.content.decode()
    assert "Say which user name or address to unlock." in empty.content.decode()


def test_someone_who_is_not_a_manager_cannot_see_or_lift_locks(ana):
    lock_out_ana()
    bea = factories.user("bea")
    web = browser()
    web.force_login(bea)
    before = list(AccessAttempt.objects.values_list("username", "failures_since_start"))

    page = web.get("/accounts/lockouts/")
    lift = web.post("/accounts/lockouts/lift/", {"username": "ana"})

    assert page.status_code == 403
    assert lift.status_code == 403
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == before
    assert sign_in(browser("203.0.113.7"), "ana", PASSWORD).status_code == 429


def test_the_lockouts_page_needs_a_signed_in_user(db):
    answer = browser().get("/accounts/lockouts/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_managers_find_the_lockouts_from_the_employees_page(manager, ana):
    web = browser()
    web.force_login(manager)
    bea = browser()
    bea.force_login(ana)

    assert 'href="/accounts/lockouts/"' in web.get("/employees/").content.decode()
    assert 'href="/accounts/lockouts/"' not in bea.get("/employees/").content.decode()
