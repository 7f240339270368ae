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
from tests.web.conftest import signed_in_client

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


@pytest.fixture
def forgotten(db) -> list[str]:
    """13 clients nobody follows up or worked for, in the agenda's order (by code)."""
    return [factories.client(f"IDLE{n:02d}").code for n in range(13)]


def idle(response) -> list[str]:
    return re.findall(r'class="code">(IDLE\d\d)</a>', response.content.decode())


def test_forgotten_clients_show_the_first_ones_their_count_and_a_link_to_the_rest(web, forgotten):
    response = web.get("/agenda/?who=all")

    assert idle(response) == forgotten[: agenda_view.FORGOTTEN_SHOWN]
    page = response.content.decode()
    assert 'in 30 days <small class="count">13</small>' in page
    assert "10 of 13 shown: see all" in page
    assert 'href="?who=all&amp;group=forgotten"' in page


def test_the_rest_of_the_forgotten_clients_come_a_page_at_a_time(web, forgotten, monkeypatch):
    monkeypatch.setattr(agenda_view, "GROUP_PAGE", 5)
    seen, address = [], "/agenda/?who=all&group=forgotten"
    while address:
        response = web.get(address)
        seen += idle(response)
        next_page = r'href="(\?who=all&amp;group=forgotten&amp;after=[^"]+)" rel="next"'
        found = re.search(next_page, response.content.decode())
        address = "/agenda/" + found.group(1).replace("&amp;", "&") if found else None

    assert seen == forgotten


def test_a_count_of_forgotten_clients_past_the_cap_says_there_are_more(web, forgotten, monkeypatch):
    monkeypatch.setattr(agenda_service, "AGENDA_COUNT_CAP", 12)

    page = web.get("/agenda/?who=all").content.decode()

    assert "10 of more than 12 shown: see all" in page


@pytest.mark.parametrize("after", ["NOBODY", "idle03", "", "\x00", "\u00e9\u00e9"])
def test_forgotten_clients_after_any_code_answer_a_page(web, forgotten, after):
    response = web.get("/agenda/", {"who": "all", "group": "forgotten", "after": after})

    assert response.status_code == 200
    expected = forgotten[4:] if after == "idle03" else forgotten
    assert idle(response) == expected[: agenda_view.GROUP_PAGE]


def test_a_login_without_an_employee_has_an_empty_agenda_of_its_own(client, overdue, forgotten):
    visitor = signed_in_client(client, factories.user("visitor"))

    mine = visitor.get("/agenda/").content.decode()
    everyones = visitor.get("/agenda/", {"who": "all"})

    assert "Your login is not linked to an employee" in mine
    assert shown_in(mine) == [] and '<small class="count">0</small>' in mine
    assert shown(everyones) == overdue[: agenda_service.AGENDA_ROWS]


def shown_in(page: str) -> list[str]:
    return re.findall(r'class="code">(LATE\d\d)</a>', page)
