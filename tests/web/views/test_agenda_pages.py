"""The agenda at any size: each group shows its first follow-ups and how many it has, and a
link to the others, a page at a time in the agenda's order."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from hexa.crm.services import agenda as agenda_service
from hexa.web.views import agenda as agenda_view
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(db) -> list[str]:
    """13 overdue follow-ups, one a client, in the agenda's order (by day, then client)."""
    today = timezone.localdate()
    codes = []
    for n in range(13):
        client = factories.client(f"LATE{n:02d}")
        project = factories.project(client, f"LATE{n:02d}")
        factories.task(project, f"Call {n}", next_follow_up=today - dt.timedelta(days=13 - n))
        codes.append(client.code)
    return codes


def shown(response) -> list[str]:
    return re.findall(r'class="code">(LATE\d\d)</a>', response.content.decode())


def test_a_group_shows_its_first_follow_ups_its_count_and_a_link_to_the_rest(web, overdue):
    response = web.get("/agenda/?who=all")

    assert shown(response) == overdue[: agenda_service.AGENDA_ROWS]
    page = response.content.decode()
    assert '<small class="count">13</small>' in page
    assert "10 of 13 shown: see all" in page
    assert 'href="?who=all&amp;group=overdue"' in page


def test_the_rest_of_a_group_comes_a_page_at_a_time_in_order(web, overdue, monkeypatch):
    monkeypatch.setattr(agenda_view, "GROUP_PAGE", 5)
    seen, address = [], "/agenda/?who=all&group=overdue"
    while address:
        page = web.get(address).content.decode()
        seen += shown(web.get(address))
        found = re.search(r'href="(\?who=all&amp;group=overdue&amp;after=\d+)" rel="next"', page)
        address = "/agenda/" + found.group(1).replace("&amp;", "&") if found else None

    assert seen == overdue


def test_a_count_past_the_cap_says_there_are_more(web, overdue, monkeypatch):
    monkeypatch.setattr(agenda_service, "AGENDA_COUNT_CAP", 12)

    page = web.get("/agenda/?who=all").content.decode()

    assert '<small class="count">12+</small>' in page
    assert "10 of more than 12 shown: see all" in page


def test_after_a_follow_up_no_longer_in_the_group_starts_over(web, overdue):
    page = web.get("/agenda/?who=all&group=overdue&after=999999")

    assert shown(page)[0] == overdue[0]
