"""Each user's API tokens page: list, create (named, optional expiry; the token shown once, only
its digest stored), revoke their own and nobody else's; and what ends a token: a password
change (or reset), the user's deactivation (for good)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client as HttpClient
from django.utils import timezone

from hexa.api.models import ApiToken
from hexa.crm.models import CalendarFeed
from hexa.crm.services import agenda as agenda_service
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"


def api_status(token: str) -> int:
    return (
        HttpClient()
        .get("/api/v1/clients/ACME", headers={"Authorization": f"Bearer {token}"})
        .status_code
    )


def new_token(web: HttpClient, name: str = "laptop", expires_on: str = "") -> str:
    page = web.post("/accounts/tokens/", {"name": name, "expires_on": expires_on})
    assert page.status_code == 200, page.content
    return re.search(r'value="(hexa_[^"]+)"', page.content.decode())[1]


@pytest.fixture(autouse=True)
def acme(db):
    return factories.client("ACME")


def test_the_navigation_leads_to_the_tokens_page(web):
    page = web.get("/").content.decode()

    assert 'href="/accounts/tokens/"' in page


def test_a_user_creates_a_named_token_shown_once_and_stored_as_a_digest(web, ana):
    page = web.post("/accounts/tokens/", {"name": "accounting export", "expires_on": ""})

    text = page.content.decode()
    token = re.search(r'value="(hexa_[^"]+)"', text)[1]
    row = ApiToken.objects.get()
    assert "Copy it now: it is shown only this once" in text
    assert (row.user, row.name, row.expires_on, row.revoked_at) == (
        ana,
        "accounting export",
        None,
        None,
    )
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert "no-store" in page["Cache-Control"]
    assert api_status(token) == 200
    again = web.get("/accounts/tokens/").content.decode()
    assert token not in again
    assert f"{row.hint}…" in again
    assert "accounting export" in again


def test_a_token_with_an_expiry_date_works_until_then(web):
    until = timezone.localdate() + dt.timedelta(days=30)

    token = new_token(web, expires_on=until.isoformat())

    row = ApiToken.objects.get()
    assert row.expires_on == until
    assert api_status(token) == 200
    ApiToken.objects.update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert api_status(token) == 401
    assert "expired" in web.get("/accounts/tokens/").content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "expires_on": ""}, "name", "This field is required."),
        ({"name": "x" * 101, "expires_on": ""}, "name", "at most 100 characters"),
        ({"name": "old", "expires_on": "2020-01-01"}, "expires_on", "cannot be in the past"),
        ({"name": "bad", "expires_on": "31/31/2031"}, "expires_on", "Enter a valid date."),
    ],
)
def test_a_token_with_bad_input_is_not_created_and_the_field_says_why(web, data, field, message):
    page = web.post("/accounts/tokens/", data)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert page.context["form"].errors[field]
    assert ApiToken.objects.count() == 0


def test_a_user_revokes_their_own_token(web):
    token = new_token(web)
    row = ApiToken.objects.get()

    answer = web.post(f"/accounts/tokens/{row.pk}/revoke/", follow=True)

    row.refresh_from_db()
    assert row.revoked_at is not None
    assert f"Token {row.hint}… (laptop) revoked" in answer.content.decode()
    assert api_status(token) == 401


def test_someone_without_access_cannot_revoke_another_users_token(web):
    luis = factories.user("luis")
    row, token = ApiToken.objects.issue(user=luis, name="luis's")

    answer = web.post(f"/accounts/tokens/{row.pk}/revoke/")

    assert answer.status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    assert api_status(token) == 200
    assert "luis's" not in web.get("/accounts/tokens/").content.decode()


def test_revoking_needs_a_post_and_a_signed_in_user(ana):
    row, _token = ApiToken.objects.issue(user=ana)

    anonymous = HttpClient().post(f"/accounts/tokens/{row.pk}/revoke/")
    client = HttpClient()
    client.force_login(ana)
    by_get = client.get(f"/accounts/tokens/{row.pk}/revoke/")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert by_get.status_code == 405
    row.refresh_from_db()
    assert row.revoked_at is None


def test_the_tokens_page_needs_a_signed_in_user(db):
    answer = HttpClient().get("/accounts/tokens/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


# --- What ends a token ------------------------------------------------------------------------


def test_changing_the_password_revokes_the_tokens_and_other_sessions(ana):
    _row, token = ApiToken.objects.issue(user=ana, name="script")
    elsewhere = HttpClient()
    elsewhere.force_login(ana)
    here = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    here.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    form = here.get("/accounts/password_change/").content.decode()

    changed = here.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-Passw0rd!",
            "new_password2": "A-new-Passw0rd!",
        },
        follow=True,
    )

    assert "revokes all your API tokens and signs you out everywhere else" in form
    assert "Your API tokens were revoked and your other sessions signed out." in (
        changed.content.decode()
    )
    assert ApiToken.objects.get().revoked_at is not None
    assert api_status(token) == 401
    assert SESSION_KEY in here.session  # this browser stays signed in
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302  # the other session is over


class QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 1000


def test_a_stored_hash_upgraded_at_sign_in_revokes_nothing(ana, settings):
    # Django re-hashes a password at sign-in when its hasher changes: not a password change.
    _row, token = ApiToken.objects.issue(user=ana)
    settings.PASSWORD_HASHERS = [
        "tests.web.views.test_accounts.QuickPBKDF2",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    HttpClient().post("/accounts/login/", {"username": "ana", "password": PASSWORD})

    ana.refresh_from_db()
    assert ana.password.startswith("pbkdf2_sha256$")
    assert api_status(token) == 200


def test_deactivating_a_user_revokes_their_tokens_and_calendar_for_good(ana):
    _row, token = ApiToken.objects.issue(user=ana)
    agenda_service.new_calendar_feed(ana)

    ana.is_active = False
    ana.save()
    ana.is_active = True
    ana.save()

    assert api_status(token) == 401
    assert ApiToken.objects.get().revoked_at is not None
    assert not CalendarFeed.objects.filter(user=ana).exists()


def test_deactivating_a_user_leaves_other_users_tokens_alone(ana):
    luis = factories.user("luis")
    _row, token = ApiToken.objects.issue(user=luis)

    ana.is_active = False
    ana.save()

    assert api_status(token) == 200
