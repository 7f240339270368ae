"""The unassigned emails page in headless Chromium: in Spanish, on a 360 px phone, the client
picked from the suggestions as one types, then logged."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hexa.crm.models import Client, Dedication, InboundEmail
from hexa.crm.services.mail import assign_email, handle_message
from tests import factories
from tests.crm.services.mail.conftest import HEXA_ADDRESS, sample
from tests.web.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_waiting_email_is_logged_from_a_phone_in_spanish(
    browser, live_server, transactional_db, settings
):
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    user = factories.user("marta", is_superuser=True)
    laura = factories.employee("LAURA", name="Laura Gómez", email="laura@empresa.es")
    factories.client("VALLAS", name="Vallas y Cercados Pérez", email="info@vallasperez.es")
    factories.client("VALDES", name="Valdés Jardines")
    handle_message(sample("gmail_bcc_en.eml"))
    handle_message(sample("apple_forward_en.eml"))  # no client has its domain here
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-ES")
    context.set_default_timeout(10_000)
    sign_in(context, live_server, user)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/emails/")
    expect(page.get_by_role("heading", name="Correos sin asignar")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    fence = InboundEmail.objects.get(subject="Re: Garden fence")
    article = page.locator(f"#email-{fence.pk}")
    expect(article).to_contain_text("juan.perez@gmail.com")
    field = article.get_by_role("combobox")
    field.fill("vall")
    option = article.get_by_role("option", name="VALLAS")
    expect(option).to_be_visible()
    option.click()
    expect(field).to_have_value("VALLAS")
    article.get_by_role("button", name="Registrar para este cliente").click()
    expect(page.get_by_text("registrado para VALLAS")).to_be_visible()
    expect(page.locator(f"#email-{fence.pk}")).to_have_count(0)
    dedication = Dedication.objects.get()
    assert (dedication.client.code, dedication.employee, dedication.via) == (
        "VALLAS",
        laura,
        "email",
    )
    # The other one is discarded.
    scaffolding = InboundEmail.objects.get(subject__contains="Scaffolding")
    page.locator(f"#email-{scaffolding.pk}").get_by_role("button", name="Descartar").click()
    expect(page.get_by_text("No hay ningún correo esperando")).to_be_visible()
    assert InboundEmail.objects.get(pk=scaffolding.pk).status == "discarded"
    # The activity's page says where it came from.
    page.goto(f"{live_server.url}/dedications/{dedication.pk}/edit/")
    expect(page.get_by_role("heading", name="Llegó por correo")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
    assert errors == []


LONG = "Presupuesto-" + "x" * 140


def _long_email() -> bytes:
    """An email whose every field is long: a subject without spaces, a long address, a URL,
    an attachment with a long name, several candidate clients."""
    return (
        "From: Laura Gómez <laura@empresa.es>\r\n"
        f"To: Responsable de compras <{'compras' * 12}@construccionesnorte.es>\r\n"
        f"Subject: {LONG}\r\n"
        "Date: Fri, 27 Nov 2026 10:00:00 +0100\r\n"
        "Message-ID: <long@empresa.es>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Ver https://example.com/{'ruta/' * 40} y {LONG}\r\n"
        "--b\r\nContent-Type: application/pdf\r\n"
        f'Content-Disposition: attachment; filename="{"documento_" * 15}.pdf"\r\n\r\n'
        "%PDF\r\n--b--\r\n"
    ).encode()


@pytest.fixture
def long_email(transactional_db, settings):
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    factories.employee("LAURA", name="Laura Gómez", email="laura@empresa.es")
    for code in ("OBRAS", "CNADMIN"):
        factories.client(
            code,
            name=f"Construcciones Norte {'y Asociados ' * 6}",
            email=f"{code}@construccionesnorte.es",
        )
    handle_message(_long_email())
    return InboundEmail.objects.get()


def test_long_emails_fit_a_phone_and_meet_contrast(browser, live_server, long_email):
    from tests.web.browser.test_looks import CONTRAST, DESKTOP, PHONE, TABLET, sticking_out

    assert len(long_email.candidates) == 2
    user = factories.user("marta", is_superuser=True)
    factories.client("ACME", name="Acme")
    for scheme in ("light", "dark"):
        context = browser.new_context(locale="es-ES", viewport=PHONE, color_scheme=scheme)
        context.set_default_timeout(10_000)
        sign_in(context, live_server, user)
        page = context.new_page()
        page.goto(f"{live_server.url}/emails/")
        page.locator("details").first.evaluate("element => element.open = true")
        wide = {}
        for viewport in (PHONE, TABLET, DESKTOP):
            page.set_viewport_size(viewport)
            scroll = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            if problems := sticking_out(page) + ([f"page +{scroll} px"] if scroll > 0 else []):
                wide[viewport["width"]] = problems
        assert wide == {}
        low = [item for item in page.evaluate(CONTRAST) if item["ratio"] < item["needed"]]
        assert low == []
        context.close()
    # Logged: the activity's page shows the long email without scrolling sideways either.
    email = assign_email(long_email.pk, Client.objects.get(code="OBRAS"), by=user)
    context = browser.new_context(locale="es-ES", viewport=PHONE)
    sign_in(context, live_server, user)
    page = context.new_page()
    page.goto(f"{live_server.url}/dedications/{email.dedication_id}/edit/")
    expect(page.get_by_text("documento_documento_", exact=False)).to_be_visible()
    assert sticking_out(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
