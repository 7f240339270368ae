"""The "by email" marker in a client's list of activities, in headless Chromium: it opens the
email's details in place, on a phone and a desktop, in both colour schemes, in Spanish."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from hexa.crm.models import Client
from hexa.crm.services.mail import assign_email
from tests import factories
from tests.web.browser.conftest import sign_in
from tests.web.browser.test_mail import long_email  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("HEXA_SCREENSHOTS_DIR", "")  # set it to look at the pages


def test_the_by_email_marker_opens_the_email_on_the_client_page(
    browser,
    live_server,
    long_email,  # noqa: F811
):
    from tests.web.browser.test_looks import CONTRAST, DESKTOP, PHONE, sticking_out

    manager = factories.user("marta", is_superuser=True)
    email = assign_email(long_email.pk, Client.objects.get(code="OBRAS"), by=manager)
    reader = factories.user("pepa")  # not a manager, not the sender: sees the list
    for scheme in ("light", "dark"):
        for viewport in (PHONE, DESKTOP):
            context = browser.new_context(locale="es-ES", viewport=viewport, color_scheme=scheme)
            context.set_default_timeout(10_000)
            sign_in(context, live_server, reader)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(f"{live_server.url}/clients/OBRAS/")
            row = page.locator(f"#dedication-{email.dedication_id}")
            marker = row.get_by_text("por correo", exact=True)
            expect(marker).to_be_visible()
            details = row.locator("details.came-by-email .email-details")
            expect(details).to_be_hidden()
            marker.click()
            expect(details).to_be_visible()
            expect(details).to_contain_text("laura@empresa.es")
            expect(details).to_contain_text("Adjuntos")
            expect(details).to_contain_text("documento_documento_")
            if SCREENSHOTS:
                page.screenshot(
                    path=f"{SCREENSHOTS}/client-by-email-{viewport['width']}-{scheme}.png",
                    full_page=True,
                )
            assert sticking_out(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            low = [item for item in page.evaluate(CONTRAST) if item["ratio"] < item["needed"]]
            assert low == []
            marker.click()  # and closes it
            expect(details).to_be_hidden()
            context.close()
            assert errors == []
