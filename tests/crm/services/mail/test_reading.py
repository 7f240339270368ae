"""How each mail program's message is read: the text kept, the other party, the tags."""

from __future__ import annotations

import datetime as dt

import pytest

from hexa.crm.services.mail.inbox import dedication_text
from hexa.crm.services.mail.reading import html_to_text, read_email, trim_reply
from hexa.crm.services.mail.tags import read_tags
from tests.crm.services.mail.conftest import sample

TODAY = dt.date(2026, 11, 30)


def text_of(name: str) -> tuple[str, int | None, dt.date | None]:
    return dedication_text(read_email(sample(name)), today=TODAY)


def test_thunderbird_forward_in_spanish_keeps_the_note_and_the_forwarded_message():
    email = read_email(sample("thunderbird_forward_es.eml"))
    assert email.sender == "laura@empresa.es"
    assert email.sender_name == "Laura Gómez"
    assert email.forwarded_from == "ana@prieto.es"
    text, minutes, follow_up = text_of("thunderbird_forward_es.eml")
    assert text.startswith("Presupuesto reforma cocina\n\nLlamé a Ana después de leer esto")
    assert "¿Podéis pasar a verla" in text
    assert "Empresa Servicios" not in text  # Laura's signature
    assert "C/ Mayor" not in text  # Ana's
    assert "Mensaje reenviado" not in text and "Asunto:" not in text
    assert (minutes, follow_up) == (90, None)


def test_thunderbird_bcc_reply_drops_the_quoted_message_and_the_signature():
    text, minutes, _follow_up = text_of("thunderbird_bcc_reply_en.eml")
    assert text == (
        "Kitchen quote\n\nHi Ana,\n\nTuesday at 10 works for us. I'll bring the tile samples."
        "\n\nBest,\nLaura"
    )
    assert minutes == 30


def test_outlook_forward_in_windows_1252_with_an_attachment_and_a_follow_up_tag():
    email = read_email(sample("outlook_forward_en.eml"))
    assert email.forwarded_from == "pedidos@bodegasrioja.es"
    assert [(a.name, a.size) for a in email.attachments] == [("Tarifa navidad 2026.pdf", 210)]
    text, minutes, follow_up = text_of("outlook_forward_en.eml")
    assert "Reserva 2019 \u2013 delivered" in text and "The € prices" in text  # cp1252 0x96, 0x80
    assert "Marta Ibáñez" in text
    assert "Sent from Outlook" not in text and "Sent: 26 November" not in text
    assert text.startswith("Order 4471 - Christmas boxes\n\nThey confirm 40 boxes")
    assert (minutes, follow_up) == (None, TODAY + dt.timedelta(days=7))


def test_gmail_forward_html_with_an_inline_image_and_encoded_headers():
    email = read_email(sample("gmail_forward_es.eml"))
    assert email.subject == "Fwd: Fotos del salón — café y mañana"
    assert email.sender_name == "Javier Ruiz"
    assert email.forwarded_from == "pepe.martin@gmail.com"
    assert email.attachments == []  # the image is in the text, not attached
    text, _minutes, _follow_up = text_of("gmail_forward_es.eml")
    assert text.startswith("Fotos del salón — café y mañana\n\nPepe manda las fotos que le pedí.")
    assert "Os mando las fotos del salón" in text


def test_apple_mail_html_only_forward_quoted_in_a_blockquote():
    email = read_email(sample("apple_forward_en.eml"))
    assert email.forwarded_from == "pedro.alonso@construccionesnorte.es"
    text, _minutes, _follow_up = text_of("apple_forward_en.eml")
    assert text == (
        "Scaffolding for the north building\n\nSite visit booked for Thursday.\n\n"
        "Hello Laura,\n\nWe need the scaffolding from 1 December for three weeks. Can you send"
        " the rental terms?\n\nThanks,\nPedro"
    )


def test_outlook_bcc_in_spanish_with_a_plus_address_and_two_tags():
    email = read_email(sample("outlook_bcc_plus_es.eml"))
    assert email.delivered_to == ["hexa+bodegas@empresa.es"]
    assert email.to == ["marta.ibanez.rioja@hotmail.com"]
    assert [a.name for a in email.attachments] == ["Proforma nº 118.xlsx"]
    text, minutes, follow_up = text_of("outlook_bcc_plus_es.eml")
    assert text.startswith("Pedido navidad\n\nHola Marta:")
    assert "teléfono" in text and "Enviado:" not in text and "¿nos confirmas" not in text
    assert (minutes, follow_up) == (45, dt.date(2026, 12, 5))


def test_gmail_reply_whose_attribution_line_is_wrapped():
    text, _minutes, _follow_up = text_of("gmail_bcc_en.eml")
    assert text.endswith("quote tomorrow.\n\nLaura")
    assert "wrote" not in text and "when could you" not in text


@pytest.mark.parametrize(
    ("subject", "minutes", "follow_up", "left"),
    [
        ("Call [30m]", 30, None, "Call"),
        ("[1h30] Visit", 90, None, "Visit"),
        ("Visit [next +7]", None, TODAY + dt.timedelta(days=7), "Visit"),
        ("Visit [next 2026-12-05] [2h]", 120, dt.date(2026, 12, 5), "Visit"),
        ("Visita [seguimiento +7]", None, TODAY + dt.timedelta(days=7), "Visita"),
        ("Visita [seguimiento 05/12/2026]", None, dt.date(2026, 12, 5), "Visita"),
        ("[EXTERNAL] Offer [2]", None, None, "[EXTERNAL] Offer [2]"),
        ("Offer [next someday]", None, None, "Offer [next someday]"),
    ],
)
def test_tags(subject, minutes, follow_up, left):
    tags, (text,) = read_tags(subject, today=TODAY)
    assert (tags.minutes, tags.next_follow_up, text) == (minutes, follow_up, left)


def test_a_tag_on_the_first_line_of_the_body_counts_and_is_removed():
    raw = (
        b"From: laura@empresa.es\r\nTo: hexa@empresa.es\r\nSubject: Call\r\n"
        b"Message-ID: <t1@x>\r\n\r\n[45m] [next +2]\r\nShe wants a visit.\r\n"
    )
    text, minutes, follow_up = dedication_text(read_email(raw), today=TODAY)
    assert (text, minutes, follow_up) == ("Call\n\nShe wants a visit.", 45, dt.date(2026, 12, 2))


def test_the_text_is_cut_to_the_dedication_limit():
    raw = b"From: a@b.es\r\nSubject: Long\r\nMessage-ID: <l@x>\r\n\r\n" + b"word " * 5000
    text, _minutes, _follow_up = dedication_text(read_email(raw), today=TODAY)
    assert len(text) == 10_000 and text.endswith("…")


def test_a_message_without_message_id_gets_one_from_its_bytes():
    raw = b"From: a@b.es\r\nSubject: Hi\r\n\r\nHello\r\n"
    assert read_email(raw).message_id == read_email(raw).message_id
    assert read_email(raw).message_id.endswith("@hexa.invalid>")


def test_html_to_text_keeps_quoting_and_lines():
    html = "<p>Hi&nbsp;there</p><blockquote><div>old</div></blockquote><ul><li>a</li></ul>"
    assert html_to_text(html).split("\n")[:3] == ["Hi there", "", "> old"]
    assert trim_reply(html_to_text(html)) == "Hi there\n\n- a"
