"""The unassigned emails page and the activity that came by email, through Django's client."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hexa.crm.models import Dedication, InboundEmail
from hexa.crm.services.mail import handle_message
from tests import factories
from tests.crm.services.mail.conftest import HEXA_ADDRESS, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(settings):
    """Laura's Bcc to a webmail address no client has, and an unknown sender's email."""
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    factories.employee("LAURA", name="Laura Gómez", email="laura@empresa.es")
    handle_message(sample("gmail_bcc_en.eml"))
    handle_message(sample("unknown_sender.eml"))
    return InboundEmail.objects.get(status="unassigned")


@pytest.fixture
def superuser(db):
    return factories.user("boss", is_superuser=True)


def test_the_page_lists_what_waits_and_managers_also_see_unknown_senders(
    client, waiting, superuser
):
    user = factories.user("pepa")
    client.force_login(user)
    page = client.get(reverse("web:mail-unassigned"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Re: Garden fence" in text and "juan.perez@gmail.com" in text
    assert "Gane un iPhone" not in text  # unknown senders: managers only
    client.force_login(superuser)
    text = client.get(reverse("web:mail-unassigned"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Emails from unknown senders" in text and "Gane un iPhone" in text


def test_choosing_the_client_logs_it_and_the_activity_shows_the_email(client, waiting, superuser):
    acme = factories.client("ACME", name="Acme Vallas")
    client.force_login(superuser)
    answer = client.post(
        reverse("web:mail-assign", args=[waiting.pk]), {f"e{waiting.pk}-client": "acme"}
    )
    assert answer.status_code == 302
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.via, dedication.recorded_by) == (acme, "email", superuser)
    page = client.get(
        reverse("web:dedication-edit", args=[dedication.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "Came by email" in text and "laura@empresa.es" in text and "Re: Garden fence" in text
    # Handled: gone from the list; a second post changes nothing.
    listed = client.get(reverse("web:mail-unassigned")).content.decode()
    assert "Garden fence" not in listed
    client.post(reverse("web:mail-assign", args=[waiting.pk]), {f"e{waiting.pk}-client": "ACME"})
    assert Dedication.objects.count() == 1


def test_a_client_that_names_nobody_is_said_and_nothing_is_logged(client, waiting, superuser):
    client.force_login(superuser)
    answer = client.post(
        reverse("web:mail-assign", args=[waiting.pk]),
        {f"e{waiting.pk}-client": "NOBODY"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Choose the client" in answer.content.decode()
    assert not Dedication.objects.exists()
    assert InboundEmail.objects.get(pk=waiting.pk).status == "unassigned"


def test_discarding(client, waiting):
    client.force_login(factories.user("pepa"))
    unknown = InboundEmail.objects.get(status="unknown")
    assert client.post(reverse("web:mail-discard", args=[unknown.pk])).status_code == 403
    client.post(reverse("web:mail-discard", args=[waiting.pk]))
    assert InboundEmail.objects.get(pk=waiting.pk).status == "discarded"
    assert not Dedication.objects.exists()


def test_the_page_requires_signing_in(client):
    answer = client.get(reverse("web:mail-unassigned"))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_one_tap_on_a_candidate_logs_it_there(client, superuser, settings):
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    factories.employee("LAURA", name="Laura Gómez", email="laura@empresa.es")
    obras = factories.client("OBRAS", email="obras@construccionesnorte.es")
    factories.client("CNADMIN", email="admin@construccionesnorte.es")
    handle_message(sample("apple_forward_en.eml"))
    email = InboundEmail.objects.get()
    client.force_login(superuser)
    page = client.get(reverse("web:mail-unassigned")).content.decode()
    assert 'name="choice" value="OBRAS"' in page and 'name="choice" value="CNADMIN"' in page
    client.post(reverse("web:mail-assign", args=[email.pk]), {"choice": "OBRAS"})
    assert Dedication.objects.get().client == obras


def test_the_page_asks_the_same_queries_whatever_the_number_of_emails(client, superuser, settings):
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    factories.employee("LAURA", name="Laura Gómez", email="laura@empresa.es")
    factories.client("OBRAS", email="obras@construccionesnorte.es")
    factories.client("CNADMIN", email="admin@construccionesnorte.es")
    client.force_login(superuser)
    raw = sample("apple_forward_en.eml")

    def queries_with(count: int) -> int:
        for number in range(InboundEmail.objects.count(), count):
            handle_message(raw.replace(b"Message-Id: <", f"Message-Id: <{number}-".encode()))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("web:mail-unassigned")).status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(12)


def test_the_admin_shows_emails_and_changes_none(admin_client, waiting):
    listing = admin_client.get(reverse("admin:crm_inboundemail_changelist"))
    assert listing.status_code == 200 and "Re: Garden fence" in listing.content.decode()
    page = admin_client.get(reverse("admin:crm_inboundemail_change", args=[waiting.pk]))
    assert page.status_code == 200
    admin_client.post(reverse("admin:crm_inboundemail_delete", args=[waiting.pk]), {"post": "yes"})
    assert InboundEmail.objects.filter(pk=waiting.pk).exists()
