"""Messages as Outlook and Apple Mail write them, untouched: HTML signatures left out, a
forward whose subject was edited, a forward as an attachment; and the smaller reading rules
(image placeholders, time tags read as the quick log reads them, Authentication-Results)."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser

import pytest

from hexa.crm.services.mail.inbox import dedication_text
from hexa.crm.services.mail.reading import html_to_text, read_email, sender_authenticated
from hexa.crm.services.mail.tags import read_tags
from hexa.crm.services.validation import minutes_from
from tests.crm.services.mail.conftest import sample

TODAY = dt.date(2026, 11, 30)


def text_of(name: str) -> tuple[str, int | None, dt.date | None]:
    return dedication_text(read_email(sample(name)), today=TODAY)


def test_outlook_html_signature_is_left_out_of_a_bcc_reply_in_english():
    email = read_email(sample("outlook_signature_en.eml"))
    assert email.forwarded == "" and email.forwarded_from == ""  # a reply, not a forward
    assert email.to == ["ana@prieto.es"]
    text, minutes, _follow_up = text_of("outlook_signature_en.eml")
    assert text == (
        "Kitchen tiles\n\nHi Ana,\n\nThe grey tiles are in stock; we can start on Monday 7th"
        " as planned.\n\nKind regards,"
    )
    assert minutes == 20
    # The plain part carries the signature too, unmarked: it is the HTML part that was read.
    plain = BytesParser(policy=policy.default).parsebytes(sample("outlook_signature_en.eml"))
    assert "Project Manager" in plain.get_body(preferencelist=("plain",)).get_content()


def test_outlook_forward_whose_subject_was_edited_is_still_a_forward_in_spanish():
    email = read_email(sample("outlook_forward_edited_es.eml"))
    assert email.subject == "Bodegas confirma las cajas de Navidad [1h]"  # no RV:, no FW:
    assert email.forwarded_from == "pedidos@bodegasrioja.es"
    assert email.forwarded_to == ["laura@empresa.es"]
    text, minutes, _follow_up = text_of("outlook_forward_edited_es.eml")
    assert text == (
        "Bodegas confirma las cajas de Navidad\n\n"
        "Confirmado por teléfono: 40 cajas, entrega el 14.\n\n"
        "Buenas tardes, Laura:\n\nOs confirmamos el pedido de 40 cajas para el día 14.\n\n"
        "Un saludo,\nMarta Ibáñez\nBodegas Rioja Alta"
    )
    assert "Responsable de proyectos" not in text and "600 123 456" not in text
    assert minutes == 60


def test_a_quoted_header_block_of_whom_the_email_is_written_to_is_a_reply():
    raw = (
        b"From: laura@empresa.es\r\nTo: Ana <ana@prieto.es>\r\nSubject: Tiles\r\n"
        b"Message-ID: <q1@x>\r\n\r\nYes, Monday.\r\n\r\n"
        b"From: Ana Prieto <ana@prieto.es>\r\nSent: 26 November 2026 18:20\r\n"
        b"To: laura@empresa.es\r\nSubject: Tiles\r\n\r\nMonday?\r\n"
    )
    email = read_email(raw)
    assert (email.forwarded, email.note) == ("", "Yes, Monday.")
    forward = raw.replace(b"To: Ana <ana@prieto.es>", b"To: hexa@empresa.es")
    email = read_email(forward)
    assert (email.forwarded_from, email.forwarded) == ("ana@prieto.es", "Monday?")
    # A follow-up that quotes the sender's own earlier email is not a forward either.
    own = raw.replace(b"From: Ana Prieto <ana@prieto.es>", b"From: Laura <laura@empresa.es>")
    own = own.replace(b"To: laura@empresa.es", b"To: ana@prieto.es")
    email = read_email(own)
    assert (email.forwarded, email.note) == ("", "Yes, Monday.")


def test_apple_mail_forward_from_an_iphone_in_spanish():
    email = read_email(sample("apple_forward_es.eml"))
    assert email.sender_name == "Laura Gómez"
    assert email.forwarded_from == "ana@prieto.es"
    text, minutes, _follow_up = text_of("apple_forward_es.eml")
    assert text == (
        "Medición del almacén\n\nQuedamos el jueves a las 9 para medir.\n\n"
        "Hola Laura:\n\n¿Podéis venir a medir el almacén esta semana?\n\nGracias,\nAna"
    )
    assert minutes == 30
    assert "\ufeff" not in text  # the zero-width mark iOS puts before the forwarded text


def test_apple_mail_signature_container_is_left_out_in_english():
    email = read_email(sample("apple_bcc_signature_en.eml"))
    assert email.delivered_to == ["hexa@empresa.es", "hexa+obras@empresa.es"]
    text, _minutes, _follow_up = text_of("apple_bcc_signature_en.eml")
    assert text == (
        "Scaffolding delivery\n\nHello Pedro,\n\nThe scaffolding arrives on 1 December at 8:00."
    )


def test_outlook_forward_as_attachment():
    email = read_email(sample("outlook_forward_attachment_en.eml"))
    assert email.forwarded_from == "info@bodegasrioja.es"
    assert email.forwarded_to == ["laura@empresa.es"]
    assert [a.name for a in email.attachments] == ["Invoice 2026-311.eml"]
    text, _minutes, _follow_up = text_of("outlook_forward_attachment_en.eml")
    assert text.startswith("Invoice 2026-311\n\nThey paid half; the rest in January.\n\n")
    assert "We have paid half of invoice 2026-311 today" in text


def test_gmail_image_placeholders_are_not_kept():
    text, _minutes, _follow_up = text_of("gmail_forward_es.eml")
    assert "[image:" not in text
    assert "presupuesto del parquet.\n\nSaludos,\nPepe" in text
    raw = (
        b"From: laura@empresa.es\r\nSubject: Logo\r\nMessage-ID: <i1@x>\r\n\r\n"
        b"New logo [cid:image001.png@01DB3F2A.5C1E8B70] attached.\r\n[imagen: plano.png]\r\n"
    )
    assert read_email(raw).note == "New logo attached."


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        (  # Gmail: the signature and its "-- " prefix
            '<div dir="ltr">Call booked.<br clear="all"><div><br></div><span '
            'class="gmail_signature_prefix">-- </span><br><div dir="ltr" '
            'class="gmail_signature" data-smartmail="gmail_signature"><div dir="ltr">'
            "<div>Laura Gómez</div><div>600 123 456</div></div></div></div>",
            "Call booked.",
        ),
        (  # Outlook: a signature with nested blocks, then the text goes on
            '<div>Before.</div><div id="Signature"><div><div>Laura</div></div><p>Tel</p>'
            "</div><div>After.</div>",
            "Before.\nAfter.",
        ),
        (  # Thunderbird
            '<p>Done.</p><div class="moz-signature">-- <br>Laura</div>',
            "Done.",
        ),
        (  # Apple Mail (iOS): what follows the signature's line break
            '<div dir="ltr">Ok.</div><div dir="ltr"><br id="lineBreakAtBeginningOfSignature">'
            '<div dir="ltr">Sent from my iPhone</div></div>',
            "Ok.",
        ),
    ],
)
def test_html_signatures_are_left_out(html, kept):
    from hexa.crm.services.mail.reading import trim_reply

    assert trim_reply(html_to_text(html)) == kept


@pytest.mark.parametrize("typed", ["1,5", "1.5", "1h30", "90m", "2 horas"])
def test_time_tags_are_read_as_the_quick_log_reads_them(typed):
    tags, (text,) = read_tags(f"Call [{typed}]", today=TODAY)
    assert tags.minutes == minutes_from(typed)  # the quick log's own reading
    assert text == "Call"


@pytest.mark.parametrize(
    ("results", "trusted"),
    [
        (["mx.empresa.es; dkim=pass header.d=empresa.es header.s=s1"], True),
        (["mx.empresa.es; dkim=pass header.i=@mail.empresa.es"], False),  # another domain
        (["mx.empresa.es; spf=pass smtp.mailfrom=laura@empresa.es"], True),
        (["mx.empresa.es; spf=pass (sender ok) smtp.mailfrom=empresa.es; dkim=none"], True),
        (["mx.empresa.es; dkim=fail header.d=empresa.es; spf=softfail"], False),
        (["mx.empresa.es; dkim=pass header.d=otra.es; spf=pass smtp.mailfrom=otra.es"], False),
        (["mx.empresa.es; none"], False),
        ([], False),
        # Only the receiving server's (the topmost) counts: a sender can write any below it.
        (
            [
                "mx.empresa.es; dkim=fail header.d=empresa.es",
                "forged.example; dkim=pass header.d=empresa.es",
            ],
            False,
        ),
    ],
)
def test_authentication_results(results, trusted):
    headers = "".join(f"Authentication-Results: {value}\r\n" for value in results)
    raw = f"{headers}From: Laura <laura@empresa.es>\r\nSubject: x\r\n\r\nHi\r\n".encode()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert sender_authenticated(message, "laura@empresa.es") is trusted
    assert read_email(raw).authenticated is trusted


def test_a_parent_domain_signature_vouches_for_a_subdomain_sender():
    raw = b"Authentication-Results: mx; dkim=pass header.d=empresa.es\r\n\r\n"
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert sender_authenticated(message, "laura@ventas.empresa.es")
