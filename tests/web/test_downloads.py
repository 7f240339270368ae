"""Every download (CSV, XLSX, PDF, the calendar feed, the API's CSV) holds the business's data:
each says `Cache-Control: private, no-store`, so that no proxy or browser cache keeps it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from hexa.api.models import ApiToken
from hexa.crm.services import agenda as agenda_service
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def worked(ana):
    """Ana's dedication to ACME, so that every download has a row."""
    employee = ana.employee
    acme = factories.client("ACME", name="Acme S.L.")
    task = factories.task(factories.project(acme, "ACME"), "Follow-up")
    factories.dedication(task, employee)


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


DOWNLOADS = [
    ("/reports/export/?period=all&format=csv", "text/csv"),
    ("/reports/export/?period=all&format=xlsx", "application/vnd.openxmlformats"),
    ("/reports/export/?period=all&group_by=client&format=csv", "text/csv"),
    ("/reports/export/?period=all&group_by=month&format=xlsx", "application/vnd.openxmlformats"),
    ("/reports/statement/?client=ACME&period=all&format=pdf", "application/pdf"),
    ("/reports/statement/?client=ACME&period=all&format=xlsx", "application/vnd.openxmlformats"),
]


@pytest.mark.parametrize(("path", "kind"), DOWNLOADS)
def test_every_web_download_is_private_and_never_stored(ana, path, kind):
    web = HttpClient()
    web.force_login(ana)

    response = web.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(kind)
    assert "attachment" in response["Content-Disposition"]
    assert {"private", "no-store"} <= cache_directives(response)


def test_the_api_csv_export_is_private_and_never_stored(ana):
    _row, token = ApiToken.objects.issue(user=ana)

    response = HttpClient().get(
        "/api/v1/reports/dedications.csv", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert b"ACME" in b"".join(response.streaming_content)
    assert {"private", "no-store"} <= cache_directives(response)


def test_the_calendar_feed_is_private_and_never_stored(ana):
    secret = agenda_service.new_calendar_feed(ana)

    response = HttpClient().get(f"/calendar/{secret}.ics")

    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert {"private", "no-store"} <= cache_directives(response)
