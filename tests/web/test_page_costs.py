"""Every page and list endpoint costs the same number of queries, and answers a bounded
page, however many clients, follow-ups, tasks and dedications there are (issue 11): a page
shows a page of rows and counts the others; nothing lists a whole table."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.api.models import ApiToken
from hexa.crm.models import Employee
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = [
    "/agenda/",
    "/agenda/?who=all",
    "/agenda/?who=all&group=later",
    "/agenda/?who=all&group=overdue&after={task}",
    "/",
    "/?due=on",
    "/?unscheduled=on",
    "/?order=-last",
    "/?order=next&page=2",
    "/?q=s.l.",
    "/tasks/",
    "/tasks/?page=2",
    "/projects/",
]
ENDPOINTS = [
    "/api/v1/clients",
    "/api/v1/clients?q=s.l.",
    "/api/v1/agenda",
    "/api/v1/agenda?after={task}",
    "/api/v1/agenda?employee=ANA",
    "/api/v1/tasks",
    "/api/v1/projects",
    "/api/v1/dedications",
]
_numbers = itertools.count()


pytestmark = pytest.mark.usefixtures("ana_is_manager")  # the pages managers see too


def grow(clients: int, employee: Employee) -> int:
    """`clients` more clients, each with a project, a follow-up (overdue, today, this week or
    later, in turn) and a dedication by Ana. Returns a task of the agenda's first group."""
    today = timezone.localdate()
    first = None
    for _ in range(clients):
        n = next(_numbers)
        client = factories.client(f"GROW{n:05d}")
        project = factories.project(client, f"GROW{n:05d}")
        day = today + dt.timedelta(days=[-3, 0, 3, 30][n % 4])
        task = factories.task(project, f"Call {n}", next_follow_up=day)
        factories.dedication(task, employee, date=today - dt.timedelta(days=n % 60))
        first = first or task.pk
    return first


def cost(client: HttpClient, address: str) -> tuple[int, int]:
    """(queries, bytes) of a GET, after a first one that warms what is cached."""
    client.get(address)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, (address, response.content[:500])
    return len(queries), len(response.content)


def costs(client: HttpClient, addresses: list[str], task: int) -> dict[str, tuple[int, int]]:
    return {a: cost(client, a.format(task=task)) for a in addresses}


def assert_bounded(small: dict, big: dict, bigger: dict) -> None:
    for address in small:
        queries = (small[address][0], big[address][0], bigger[address][0])
        # Full pages: the same queries. A list whose page is not full is not counted (its
        # page says how many there are): one query fewer, never more.
        assert queries[1] == queries[2] and queries[0] <= queries[1], (address, queries)
        # Full pages at both sizes: the same rows shown, give or take a count's digits.
        assert bigger[address][1] <= big[address][1] * 1.05, (address, big, bigger)


@pytest.fixture
def api(ana) -> HttpClient:
    _row, token = ApiToken.objects.issue(user=ana)
    return HttpClient(headers={"Authorization": f"Bearer {token}"})


def test_pages_cost_the_same_whatever_the_data(web, employee):
    task = grow(5, employee)
    small = costs(web, PAGES, task)
    grow(235, employee)  # every page full: 60 follow-ups in each group of the agenda
    big = costs(web, PAGES, task)
    grow(60, employee)
    bigger = costs(web, PAGES, task)

    assert_bounded(small, big, bigger)


def test_list_endpoints_cost_the_same_whatever_the_data(api, employee):
    task = grow(5, employee)
    small = costs(api, ENDPOINTS, task)
    grow(115, employee)  # every page full
    big = costs(api, ENDPOINTS, task)
    grow(60, employee)
    bigger = costs(api, ENDPOINTS, task)

    assert_bounded(small, big, bigger)
