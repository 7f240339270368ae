"""Which client and who, rule by rule, through handle_message() (what `hexa mail fetch` does
with each message): plus addresses wherever they are, an unknown code, Hexa's own address
unknown, an email shared by two clients, the webmail list, the date in HEXA_TIME_ZONE, and
the optional check of Authentication-Results."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from hexa.crm.models import Dedication, InboundEmail
from hexa.crm.services.mail import handle_message
from tests import factories
from tests.crm.services.mail.conftest import sample

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status


def message(
    *,
    to: str = "hexa@empresa.es",
    cc: str = "",
    headers: str = "",
    sender: str = "Laura Gomez <laura@empresa.es>",
    date: str = "Wed, 25 Nov 2026 10:00:00 +0100",
    body: str = "Called about the order.",
    message_id: str = "<m1@empresa.es>",
) -> bytes:
    lines = [
        headers.strip(),
        f"From: {sender}",
        f"To: {to}",
        f"Cc: {cc}" if cc else "",
        "Subject: Order",
        f"Date: {date}",
        f"Message-ID: {message_id}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    head = "\r\n".join(line for line in lines if line)
    return f"{head}\r\n\r\n{body}\r\n".encode()


def logged_client(raw: bytes) -> str | None:
    email = handle_message(raw).email
    return email.client.code if email.status == Status.LOGGED and email.client else None


@pytest.mark.parametrize(
    ("to", "cc", "headers"),
    [
        ("hexa+bodegas@empresa.es", "", ""),  # forwarded to the plus address
        ("Ana <ana@prieto.es>", "hexa+BODEGAS@empresa.es", ""),  # a copy in Cc
        ("Ana <ana@prieto.es>", "", "X-Original-To: hexa+bodegas@empresa.es"),  # a Bcc
        ("Ana <ana@prieto.es>", "", "Delivered-To: hexa+bodegas@empresa.es"),  # a Bcc
    ],
)
def test_a_plus_address_in_to_cc_or_the_delivery_headers_names_the_client(
    business, to, cc, headers
):
    # Without the plus address, the recipient's email would name PRIETO.
    assert logged_client(message(to=to, cc=cc, headers=headers)) == "BODEGAS"
    assert Dedication.objects.get().client == business["bodegas"]


def test_an_unknown_plus_code_waits_for_a_person_instead_of_the_other_rules(business, settings):
    settings.LANGUAGE_CODE = "en"
    raw = message(to="Ana <ana@prieto.es>", headers="Delivered-To: hexa+PRIET0@empresa.es")
    email = handle_message(raw).email
    assert email.status == Status.UNASSIGNED and email.client is None
    assert "PRIET0" in email.reason and "No active client has the code" in email.reason
    assert not Dedication.objects.exists()


def test_an_inactive_clients_plus_code_waits_too(business):
    business["bodegas"].active = False
    business["bodegas"].save()
    email = handle_message(message(to="hexa+bodegas@empresa.es")).email
    assert email.status == Status.UNASSIGNED and "BODEGAS" in email.reason


def test_a_known_plus_code_wins_over_an_unknown_one(business):
    raw = message(to="hexa+PRIET0@empresa.es", cc="hexa+bodegas@empresa.es")
    assert logged_client(raw) == "BODEGAS"


def test_without_hexas_own_address_only_the_delivery_headers_name_a_client(business, settings):
    """HEXA_MAIL_ADDRESS empty and a mailbox user that is not an address: a client's own plus
    address in To (jose+other@cliente.es) is not Hexa's, and names nobody."""
    settings.HEXA_MAIL_ADDRESS = ""
    settings.HEXA_MAIL_IMAP_URL = "imaps://hexa-mailbox:pw@imap.example.com/INBOX"
    factories.client("OTHER", name="Other")
    factories.client("CLIENTE", name="Cliente SA", email="info@cliente.es")
    bcc = message(to="Jose <jose+other@cliente.es>", cc="otro+other@gmail.com")
    assert logged_client(bcc) == "CLIENTE"  # its domain, not the plus address's code
    delivered = message(
        to="Jose <jose+other@cliente.es>",
        headers="Delivered-To: buzon+other@empresa.es",
        message_id="<m2@empresa.es>",
    )
    assert logged_client(delivered) == "OTHER"  # where the server delivered it


def test_check_warns_when_hexas_own_address_is_unknown(mailbox, settings):
    settings.HEXA_MAIL_ADDRESS = ""  # and the test mailbox's user is not an address
    out, err = StringIO(), StringIO()
    call_command("mail", "check", stdout=out, stderr=err)
    assert "signed in" in out.getvalue()
    assert "Hexa's own address is unknown" in err.getvalue()
    assert "HEXA_MAIL_ADDRESS" in err.getvalue()
    settings.HEXA_MAIL_ADDRESS = "hexa@empresa.es"
    err = StringIO()
    call_command("mail", "check", stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""


def test_two_clients_with_the_same_exact_email_wait_with_both_as_candidates(business):
    twin = factories.client("PRIETO2", name="Prieto Reformas (2)", email="ANA@prieto.es")
    email = handle_message(message(to="Ana <ana@prieto.es>")).email
    assert email.status == Status.UNASSIGNED
    assert sorted(email.candidates) == sorted([business["prieto"].pk, twin.pk])
    assert "ana@prieto.es" in email.reason
    assert not Dedication.objects.exists()


def test_the_webmail_list_is_a_setting(business, settings):
    factories.client("FONTANERO", name="Fontanero", email="fontanero@telefonica.net")
    bcc = message(to="juan@telefonica.net")
    assert handle_message(bcc).email.status == Status.UNASSIGNED  # in the default list
    settings.HEXA_MAIL_WEBMAIL_DOMAINS = ["gmail.com"]  # replaced: telefonica.net names one
    assert logged_client(message(to="juan@telefonica.net", message_id="<m2@x>")) == "FONTANERO"
    factories.client("ACME", name="Acme", email="info@acme-mail.es")
    assert logged_client(message(to="sales@acme-mail.es", message_id="<m3@x>")) == "ACME"
    settings.HEXA_MAIL_WEBMAIL_DOMAINS = ["gmail.com", "acme-mail.es"]
    email = handle_message(message(to="sales@acme-mail.es", message_id="<m4@x>")).email
    assert email.status == Status.UNASSIGNED


@pytest.mark.parametrize(
    ("zone", "sent", "day"),
    [
        # 23:30 in London is 00:30 the next day in Madrid.
        ("Europe/Madrid", "Mon, 23 Nov 2026 23:30:00 +0000", dt.date(2026, 11, 24)),
        # 00:30 in Madrid is still the day before in New York.
        ("America/New_York", "Tue, 24 Nov 2026 00:30:00 +0100", dt.date(2026, 11, 23)),
        # The Apple Mail sample: 23:50 in New York, the 26th in Madrid.
        ("Europe/Madrid", "Wed, 25 Nov 2026 23:50:05 -0500", dt.date(2026, 11, 26)),
    ],
)
def test_the_date_is_the_emails_day_in_hexas_time_zone(business, settings, zone, sent, day):
    settings.TIME_ZONE = zone
    assert logged_client(message(to="Ana <ana@prieto.es>", date=sent)) == "PRIETO"
    assert Dedication.objects.get().date == day


def test_apple_mail_bcc_with_x_original_to_is_logged_on_the_plus_addresses_client(business):
    handle_message(sample("apple_bcc_signature_en.eml"))
    dedication = Dedication.objects.get()
    assert dedication.client == business["obras"]
    assert dedication.date == dt.date(2026, 11, 26)  # 23:50 in New York, in Madrid
    assert dedication.text.endswith("arrives on 1 December at 8:00.")


def test_an_outlook_forward_with_an_edited_subject_is_logged_on_the_original_senders_client(
    business,
):
    handle_message(sample("outlook_forward_edited_es.eml"))
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.minutes) == (business["bodegas"], 60)
    assert dedication.email.other_party == "pedidos@bodegasrioja.es"


def test_an_outlook_forward_as_attachment_is_logged_on_the_attached_messages_client(business):
    handle_message(sample("outlook_forward_attachment_en.eml"))
    dedication = Dedication.objects.get()
    assert dedication.client == business["bodegas"]
    assert dedication.email.attachments == [{"name": "Invoice 2026-311.eml", "size": 742}]


def test_a_spanish_apple_mail_forward_is_logged(business):
    handle_message(sample("apple_forward_es.eml"))
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.employee) == (business["prieto"], business["laura"])
    assert (dedication.minutes, dedication.date) == (30, dt.date(2026, 11, 24))


class TestRequiredAuthentication:
    PASS = "Authentication-Results: mx.empresa.es; dkim=pass header.d=empresa.es"
    FAIL = "Authentication-Results: mx.empresa.es; dkim=fail header.d=empresa.es; spf=fail"

    def test_off_by_default_from_is_trusted_as_before(self, business, settings):
        assert settings.HEXA_MAIL_REQUIRE_AUTHENTICATION is False
        assert logged_client(message(to="Ana <ana@prieto.es>", headers=self.FAIL)) == "PRIETO"

    def test_on_an_authenticated_sender_is_logged(self, business, settings):
        settings.HEXA_MAIL_REQUIRE_AUTHENTICATION = True
        assert logged_client(message(to="Ana <ana@prieto.es>", headers=self.PASS)) == "PRIETO"
        # Outlook's sample says spf=pass and dkim=pass for empresa.es.
        assert logged_client(sample("outlook_signature_en.eml")) == "PRIETO"

    @pytest.mark.parametrize("headers", [FAIL, ""])
    def test_on_anything_else_waits_for_managers_as_an_unknown_sender(
        self, business, settings, headers
    ):
        settings.HEXA_MAIL_REQUIRE_AUTHENTICATION = True
        settings.LANGUAGE_CODE = "en"
        email = handle_message(message(to="Ana <ana@prieto.es>", headers=headers)).email
        assert email.status == Status.UNKNOWN_SENDER and email.employee is None
        assert "laura@empresa.es" in email.reason and "Authentication-Results" in email.reason
        assert not Dedication.objects.exists()
