"""A dedication's history on its page (issue 9, point 4): who changed it, when, and each
field before and after, in the reader's language and Hexa's formats."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hexa.crm.models import DedicationChange
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


@pytest.fixture
def dedication(db):
    client = factories.client("ACME", name="Acme Industrial")
    project = factories.project(client, "ACME")
    factories.task(project, "Renewal")
    task = factories.task(project, "Follow-up")
    return factories.dedication(
        task, factories.employee("LUIS"), text="Call", minutes=30, date=dt.date(2026, 1, 5)
    )


def change(web, dedication, **fields):
    data = {
        "text": dedication.text,
        "employee": dedication.employee_id,
        "date": dedication.date.isoformat(),
        "minutes": "30",
        "task": dedication.task_id,
        **fields,
    }
    response = web.post(f"/dedications/{dedication.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()


def history_of(page: str) -> str:
    section = re.search(r'<article class="form-page dedication-history".*?</article>', page, re.S)
    assert section, page
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))


def test_the_page_shows_each_change_field_by_field_in_english(web, dedication):
    renewal = dedication.project.tasks.get(title="Renewal")
    change(web, dedication, text="Long call", minutes="1h30")
    change(web, dedication, text="Long call", minutes="1h30", date="2026-01-06", task=renewal.pk)

    page = web.get(f"/dedications/{dedication.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en")

    shown = history_of(page.content.decode())
    assert shown.count("changed by Ana García") == 2
    assert "Text Call → Long call" in shown
    assert "Minutes 30m → 1h30" in shown
    assert "Date 05/01/2026 → 06/01/2026" in shown
    assert "Task Follow-up → Renewal" in shown
    assert shown.index("Long call") < shown.index("Renewal")  # oldest first
    assert DedicationChange.objects.count() == 2


def test_the_page_shows_the_history_in_spanish(web, dedication):
    change(web, dedication, minutes="45")

    page = web.get(f"/dedications/{dedication.pk}/edit/", HTTP_ACCEPT_LANGUAGE="es")

    shown = history_of(page.content.decode())
    assert "Historial" in shown
    assert "cambiada por Ana García" in shown
    assert "Minutos 30m → 45m" in shown


def test_an_unchanged_dedication_says_so(web, dedication):
    page = web.get(f"/dedications/{dedication.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en")

    assert "Not changed since it was recorded." in history_of(page.content.decode())


def test_someone_who_may_not_change_it_does_not_see_its_page(client, dedication):
    client.force_login(factories.user("eve"))

    response = client.get(f"/dedications/{dedication.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page
    assert dedication.text not in page
