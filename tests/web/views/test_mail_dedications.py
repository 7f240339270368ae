"""A dedication that came by email, in the lists of the client's, project's and task's pages:
a "by email" marker that opens the email's details, for whoever can see the list (the edit
page, which also shows them, is for managers and the dedication's own people only)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hexa.crm.models import Dedication
from hexa.crm.services import quick_log
from hexa.crm.services.mail import handle_message
from tests import factories
from tests.crm.services.mail.conftest import HEXA_ADDRESS, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def business(settings):
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    return {
        "laura": factories.employee("LAURA", name="Laura Gómez", email="laura@empresa.es"),
        "prieto": factories.client("PRIETO", name="Reformas Prieto", email="ana@prieto.es"),
        "bodegas": factories.client("BODEGAS", name="Bodegas", email="info@bodegasrioja.es"),
    }


@pytest.fixture
def by_email(business) -> Dedication:
    """Laura's Outlook forward of Bodegas' price list, logged by `hexa mail fetch`."""
    handle_message(sample("outlook_forward_en.eml"))
    return Dedication.objects.get()


def email_block(page: str, dedication: Dedication) -> str:
    row = re.search(rf'<tr id="dedication-{dedication.pk}">.*?</tr>', page, re.S)
    assert row, f"dedication {dedication.pk} is not listed"
    return row[0]


def test_the_client_page_marks_a_dedication_that_came_by_email_and_shows_the_email(
    client, by_email, business
):
    # Anybody signed in: not a manager, not the employee who sent it.
    client.force_login(factories.user("pepa"))
    page = client.get(reverse("web:client", args=["BODEGAS"]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    row = email_block(page.content.decode(), by_email)
    assert '<details class="came-by-email">' in row
    assert '<span class="badge email">by email</span>' in row
    assert "FW: Order 4471 - Christmas boxes" in row  # the subject
    assert "laura@empresa.es" in row  # from
    assert "pedidos@bodegasrioja.es" in row  # the other party
    assert "hexa@empresa.es" in row  # to
    assert "Tarifa navidad 2026.pdf" in row  # the attachment, by name
    assert "<time datetime=" in row  # the email's date
    # The edit page, which shows the same, is not hers.
    edit = client.get(reverse("web:dedication-edit", args=[by_email.pk]))
    assert edit.status_code == 403


def test_a_dedication_logged_otherwise_has_no_marker(client, by_email, business):
    other = quick_log(
        client=business["bodegas"],
        employee=business["laura"],
        text="Phoned about the boxes",
        date=by_email.date,
        recorded_by=None,
        via=Dedication.Via.WEB,
    ).dedication
    client.force_login(factories.user("pepa"))
    page = client.get(reverse("web:client", args=["BODEGAS"]), HTTP_ACCEPT_LANGUAGE="en")
    assert "came-by-email" not in email_block(page.content.decode(), other)
    assert "came-by-email" in email_block(page.content.decode(), by_email)


def test_the_project_and_task_pages_mark_it_too_in_spanish(client, by_email):
    client.force_login(factories.user("pepa"))
    for url in (
        reverse("web:project", args=[by_email.project.code]),
        reverse("web:task", args=[by_email.task_id]),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        row = email_block(page, by_email)
        assert '<span class="badge email">por correo</span>' in row, url
        assert "Adjuntos" in row and "Tarifa navidad 2026.pdf" in row


def test_the_client_page_asks_the_same_queries_however_many_came_by_email(
    client, business, settings
):
    client.force_login(factories.user("pepa"))
    raw = sample("thunderbird_forward_es.eml")
    url = reverse("web:client", args=["PRIETO"])

    def queries_with(count: int) -> int:
        for number in range(Dedication.objects.count(), count):
            handle_message(raw.replace(b"Message-ID: <", f"Message-ID: <{number}-".encode()))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.content.decode().count('class="came-by-email"') == count
        return len(captured)

    assert queries_with(1) == queries_with(6)
