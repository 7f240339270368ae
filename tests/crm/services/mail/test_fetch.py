"""`hexa mail fetch` against a real IMAP server (dovecot): each matching rule, unknown
senders, a message fetched twice, failures, and the server going away mid-fetch."""

from __future__ import annotations

import datetime as dt

import pytest

from hexa.crm.errors import Conflict, Forbidden
from hexa.crm.models import Dedication, InboundEmail, Project
from hexa.crm.services import mail
from hexa.crm.services.mail.inbox import assign_email, discard_email
from tests import factories
from tests.crm.services.mail.conftest import sample

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status


def fetched(name: str) -> InboundEmail:
    return InboundEmail.objects.get(subject__contains=name)


def test_a_forward_is_logged_on_the_client_whose_email_sent_the_original(mailbox, business):
    mailbox.deliver(sample("thunderbird_forward_es.eml"))
    report = mail.fetch_mail()
    assert report.counts == {"logged": 1}
    dedication = Dedication.objects.get()
    assert dedication.via == Dedication.Via.EMAIL
    assert dedication.client == business["prieto"]
    assert dedication.employee == business["laura"]
    assert dedication.minutes == 90
    assert dedication.date == dt.date(2026, 11, 27)
    assert dedication.recorded_by is None
    assert dedication.text.startswith("Presupuesto reforma cocina\n\nLlamé a Ana")
    assert dedication.project.code == "PRIETO" and dedication.task.title
    assert dedication.email.sender == "laura@empresa.es"
    # Put away: the mailbox's inbox is empty, the message is in the processed folder.
    assert mailbox.message_ids() == []
    assert mailbox.message_ids("Hexa") == ["<5f1c2a77-3b0e-4d2e-9c1a-0e2b7d4f9a10@empresa.es>"]


def test_the_client_of_a_bcc_copy_is_its_recipient(mailbox, business):
    mailbox.deliver(sample("thunderbird_bcc_reply_en.eml"))
    mail.fetch_mail()
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.minutes) == (business["prieto"], 30)


def test_a_plus_address_names_the_client_before_any_other_rule(mailbox, business):
    mailbox.deliver(sample("outlook_bcc_plus_es.eml"))
    mail.fetch_mail()
    dedication = Dedication.objects.get()
    assert dedication.client == business["bodegas"]
    assert dedication.minutes == 45
    assert dedication.task.next_follow_up == dt.date(2026, 12, 5)
    assert dedication.email.attachments == [{"name": "Proforma nº 118.xlsx", "size": 111}]


def test_the_email_domain_names_the_client_when_no_email_is_exactly_its(mailbox, business, today):
    mailbox.deliver(sample("outlook_forward_en.eml"))  # pedidos@ ; the client has info@
    mail.fetch_mail()
    dedication = Dedication.objects.get()
    assert dedication.client == business["bodegas"]
    assert dedication.task.next_follow_up == today + dt.timedelta(days=7)


def test_an_exact_webmail_address_names_its_client(mailbox, business):
    mailbox.deliver(sample("gmail_forward_es.eml"))  # sent by JAVIER through his user's email
    mail.fetch_mail()
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.employee) == (business["pepe"], business["javier"])


def test_a_webmail_domain_never_names_a_client(mailbox, business):
    factories.client("GMAILER", email="someone.else@gmail.com")
    mailbox.deliver(sample("gmail_bcc_en.eml"))  # to juan.perez@gmail.com, no client
    report = mail.fetch_mail()
    assert report.counts == {"unassigned": 1}
    email = InboundEmail.objects.get()
    assert email.status == Status.UNASSIGNED and "juan.perez@gmail.com" in email.reason
    assert not Dedication.objects.exists()
    assert mailbox.message_ids() == []  # waiting in Hexa, not in the mailbox


def test_a_domain_shared_by_two_clients_waits_with_both_as_candidates(mailbox, business):
    mailbox.deliver(sample("apple_forward_en.eml"))
    mail.fetch_mail()
    email = InboundEmail.objects.get()
    assert email.status == Status.UNASSIGNED
    assert sorted(email.candidates) == sorted([business["obras"].pk, business["admin"].pk])
    assert not Dedication.objects.exists()
    # A person chooses: logged then, as the sender's activity, recorded by that person.
    chooser = factories.user("chooser")
    assign_email(email.pk, business["obras"], by=chooser)
    dedication = Dedication.objects.get()
    assert (dedication.client, dedication.employee) == (business["obras"], business["laura"])
    assert dedication.recorded_by == chooser and dedication.via == Dedication.Via.EMAIL
    email.refresh_from_db()
    assert (email.status, email.dedication) == (Status.LOGGED, dedication)


def test_an_unknown_sender_is_never_logged_and_only_managers_discard_it(mailbox, business):
    mailbox.deliver(sample("unknown_sender.eml"))
    mail.fetch_mail()
    email = InboundEmail.objects.get()
    assert email.status == Status.UNKNOWN_SENDER and email.employee is None
    assert not Dedication.objects.exists()
    with pytest.raises(Conflict):
        assign_email(email.pk, business["prieto"], by=factories.user())
    assert not Dedication.objects.exists()
    with pytest.raises(Forbidden):
        discard_email(email.pk, by=factories.user())
    discard_email(email.pk, by=factories.user(is_superuser=True))
    email.refresh_from_db()
    assert email.status == Status.DISCARDED


def test_an_inactive_employee_is_an_unknown_sender(mailbox, business):
    business["laura"].active = False
    business["laura"].save()
    mailbox.deliver(sample("thunderbird_forward_es.eml"))
    mail.fetch_mail()
    assert InboundEmail.objects.get().status == Status.UNKNOWN_SENDER


def test_the_same_message_fetched_twice_is_one_dedication(mailbox, business):
    mailbox.deliver(sample("thunderbird_forward_es.eml"), sample("thunderbird_forward_es.eml"))
    first = mail.fetch_mail()
    assert first.counts == {"logged": 1, "seen before": 1}
    mailbox.deliver(sample("thunderbird_forward_es.eml"))  # forwarded again later
    second = mail.fetch_mail()
    assert second.counts == {"seen before": 1}
    assert Dedication.objects.count() == 1
    assert mailbox.message_ids() == []


def test_a_failure_is_retried_then_listed_with_its_reason(mailbox, business, settings):
    settings.HEXA_MAIL_MAX_ATTEMPTS = 2
    settings.LANGUAGE_CODE = "en"  # reasons are written in the business's language
    factories.project(business["prieto"], "PRIETO-A")
    factories.project(business["prieto"], "PRIETO-B")  # several projects: the log fails
    mailbox.deliver(sample("thunderbird_forward_es.eml"))
    assert mail.fetch_mail().counts == {"retrying": 1}
    assert len(mailbox.message_ids()) == 1  # left in the mailbox, to be tried again
    assert mail.fetch_mail().counts == {"failed": 1}
    email = InboundEmail.objects.get()
    assert email.status == Status.FAILED and email.attempts == 2
    assert "several active projects" in email.reason
    assert mailbox.message_ids() == []
    assert not Dedication.objects.exists()
    # Once the projects are sorted out, a person logs it from the list.
    Project.objects.filter(code="PRIETO-B").update(status="closed")
    assign_email(email.pk, business["prieto"], by=factories.user())
    assert Dedication.objects.get().project.code == "PRIETO-A"


def test_processed_messages_can_be_flagged_instead_of_moved(mailbox, business, settings):
    settings.HEXA_MAIL_PROCESSED_FOLDER = ""
    mailbox.deliver(sample("thunderbird_forward_es.eml"))
    assert mail.fetch_mail().counts == {"logged": 1}
    assert len(mailbox.message_ids()) == 1  # still there, flagged
    assert mail.fetch_mail().counts == {}
    assert Dedication.objects.count() == 1


def test_the_server_going_away_mid_fetch_loses_nothing_and_doubles_nothing(
    mailbox, business, imap_server
):
    names = ["thunderbird_forward_es.eml", "outlook_forward_en.eml", "gmail_forward_es.eml"]
    mailbox.deliver(*(sample(name) for name in names))

    def server_dies(uid: str, handled) -> None:
        if handled.email.subject.startswith("FW: Order"):  # logged, not yet put away
            imap_server.stop()

    try:
        with pytest.raises(mail.MailboxError):
            mail.fetch_mail(after_each=server_dies)
        assert Dedication.objects.count() == 2
    finally:
        imap_server.start()
    report = mail.fetch_mail()
    assert report.counts == {"seen before": 1, "logged": 1}
    assert Dedication.objects.count() == 3
    assert sorted(Dedication.objects.values_list("client__code", flat=True)) == [
        "BODEGAS",
        "PEPE",
        "PRIETO",
    ]
    assert mailbox.message_ids() == []
    assert len(mailbox.message_ids("Hexa")) == 3


def test_check_says_what_waits_and_a_wrong_password_is_a_clear_error(mailbox):
    mailbox.deliver(sample("unknown_sender.eml"))
    assert "1 to fetch" in mail.check_mailbox(mail.mailbox_settings())
    wrong = mail.mailbox_settings(mailbox.url.replace(":secret@", ":wrong@"))
    with pytest.raises(mail.MailboxError, match=r"AUTHENTICATIONFAILED|Authentication failed"):
        mail.check_mailbox(wrong)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "imaps://ana%40empresa.es:p%40ss@imap.gmail.com/INBOX",
            ("imap.gmail.com", 993, "ana@empresa.es", "p@ss", "tls", "INBOX"),
        ),
        (
            "imap+starttls://hexa:pw@mail.example.com/Hexa/Inbox",
            ("mail.example.com", 143, "hexa", "pw", "starttls", "Hexa/Inbox"),
        ),
        ("imap://u:p@127.0.0.1:1143", ("127.0.0.1", 1143, "u", "p", "none", "INBOX")),
    ],
)
def test_mailbox_url(url, expected):
    config = mail.mailbox_settings(url)
    assert (
        config.host,
        config.port,
        config.user,
        config.password,
        config.security,
        config.folder,
    ) == expected
    assert config.password not in str(config) or config.password == "p"


@pytest.mark.parametrize("url", ["", "http://a:b@c/", "imaps://host/INBOX", "imap://u@h:x/"])
def test_a_wrong_mailbox_url_says_what_is_wrong(url):
    with pytest.raises(ValueError, match="HEXA_MAIL_IMAP_URL"):
        mail.mailbox_settings(url)


def test_a_message_hexa_cannot_read_is_retried_then_listed_and_does_not_stop_the_others(
    mailbox, business, settings, monkeypatch
):
    from hexa.crm.services.mail import inbox

    settings.HEXA_MAIL_MAX_ATTEMPTS = 2
    real = inbox.read_email

    def broken_on_bcc(raw: bytes):
        if b"Kitchen quote" in raw:
            raise UnicodeError("a part Hexa cannot decode")
        return real(raw)

    monkeypatch.setattr(inbox, "read_email", broken_on_bcc)
    mailbox.deliver(sample("thunderbird_bcc_reply_en.eml"), sample("thunderbird_forward_es.eml"))
    assert mail.fetch_mail().counts == {"logged": 1, "retrying": 1}
    assert len(mailbox.message_ids()) == 1  # left to be tried again
    assert mail.fetch_mail().counts == {"failed": 1}
    broken = InboundEmail.objects.get(
        message_id="<a81d2f40-77c3-4a55-b1e2-3c9d6e0f1b22@empresa.es>"
    )
    assert broken.status == Status.FAILED and broken.attempts == 2
    assert "cannot decode" in broken.reason
    assert Dedication.objects.count() == 1
    # Listed for a person, with its reason; the message is kept in the processed folder.
    assert broken in mail.waiting_emails()
    assert mailbox.message_ids() == []
    assert broken.message_id in mailbox.message_ids("Hexa")
