"""GET /reports/dedications and its CSV: every filter and grouping against totals worked out
by hand, the CSV re-read, tokens, and bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from hexa.crm.models import Employee
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    # Tuesday 10 February 2026, noon in Madrid.
    moment = dt.datetime(2026, 2, 10, 11, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def world(api_user):
    """Minutes by hand:

    2025-12-30  ACME  ACME-WEB (production)  ANA   50
    2026-01-05  ACME  ACME-WEB               ANA   60
    2026-01-07  BETA  BETA (commercial)      LUIS  40
    2026-01-30  ACME  ACME (commercial)      ANA   (none)
    2026-02-02  ACME  ACME                   LUIS  30
    2026-02-09  BETA  BETA                   ANA   20
    """
    ana = Employee.objects.get(code="ANA")
    luis = factories.employee("LUIS", name="Luis")
    acme = factories.client("ACME", name="Acme")
    beta = factories.client("BETA", name="Beta")
    web = factories.task(factories.project(acme, "ACME-WEB", name="Web", kind="production"))
    own = factories.task(factories.project(acme, "ACME", name="Acme"))
    beta_task = factories.task(factories.project(beta, "BETA", name="Beta"))
    for task, who, day, minutes in [
        (web, ana, D(2025, 12, 30), 50),
        (web, ana, D(2026, 1, 5), 60),
        (beta_task, luis, D(2026, 1, 7), 40),
        (own, ana, D(2026, 1, 30), None),
        (own, luis, D(2026, 2, 2), 30),
        (beta_task, ana, D(2026, 2, 9), 20),
    ]:
        factories.dedication(
            task, who, date=day, minutes=minutes, text=f"{task.project.code} {day}"
        )


def rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content
    return [
        (row["code"] or row["period"], row["minutes"], row["count"])
        for row in response.json()["rows"]
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [("ACME", 140, 4), ("BETA", 60, 2)]),
        ({"group_by": "client"}, [("ACME", 140, 4), ("BETA", 60, 2)]),
        ({"group_by": "project"}, [("ACME-WEB", 110, 2), ("BETA", 60, 2), ("ACME", 30, 2)]),
        ({"group_by": "employee"}, [("ANA", 130, 4), ("LUIS", 70, 2)]),
        (
            {"group_by": "week"},
            [
                ("2026-W01", 50, 1),
                ("2026-W02", 100, 2),
                ("2026-W05", 0, 1),
                ("2026-W06", 30, 1),
                ("2026-W07", 20, 1),
            ],
        ),
        ({"group_by": "month"}, [("2025-12", 50, 1), ("2026-01", 100, 3), ("2026-02", 50, 2)]),
        ({"period": "this_month"}, [("ACME", 30, 1), ("BETA", 20, 1)]),
        ({"period": "last_month"}, [("ACME", 60, 2), ("BETA", 40, 1)]),
        ({"period": "this_week"}, [("BETA", 20, 1)]),
        ({"period": "last_week"}, [("ACME", 30, 1)]),
        ({"period": "last_3_months"}, [("ACME", 140, 4), ("BETA", 60, 2)]),
        ({"period": "this_year"}, [("ACME", 90, 3), ("BETA", 60, 2)]),
        ({"period": "last_year"}, [("ACME", 50, 1)]),
        ({"date_from": "2026-01-01", "date_to": "2026-01-31"}, [("ACME", 60, 2), ("BETA", 40, 1)]),
        ({"date_from": "2026-02-01"}, [("ACME", 30, 1), ("BETA", 20, 1)]),
        ({"date_to": "2025-12-31"}, [("ACME", 50, 1)]),
        ({"client": "acme", "group_by": "project"}, [("ACME-WEB", 110, 2), ("ACME", 30, 2)]),
        ({"project": "BETA", "group_by": "employee"}, [("LUIS", 40, 1), ("ANA", 20, 1)]),
        ({"employee": "LUIS", "group_by": "month"}, [("2026-01", 40, 1), ("2026-02", 30, 1)]),
        ({"kind": "production"}, [("ACME", 110, 2)]),
        ({"kind": "commercial", "group_by": "employee"}, [("LUIS", 70, 2), ("ANA", 20, 2)]),
    ],
)
def test_report_filters_and_groupings(api, world, query, expected):
    assert rows(api.get("/reports/dedications", **query)) == expected


def test_report_body_says_its_range_and_totals(api, world):
    response = api.get("/reports/dedications", group_by="week", period="last_month")

    body = response.json()
    assert {key: body[key] for key in ("group_by", "date_from", "date_to", "minutes", "count")} == {
        "group_by": "week",
        "date_from": "2026-01-01",
        "date_to": "2026-01-31",
        "minutes": 100,
        "count": 3,
    }
    assert body["rows"][0] == {
        "code": None,
        "name": None,
        "period": "2026-W02",
        "date_from": "2026-01-05",
        "date_to": "2026-01-11",
        "minutes": 100,
        "count": 2,
    }


def test_code_rows_carry_the_name(api, world):
    body = api.get("/reports/dedications", group_by="project", client="ACME").json()

    assert body["rows"][0] == {
        "code": "ACME-WEB",
        "name": "Web",
        "period": None,
        "date_from": None,
        "date_to": None,
        "minutes": 110,
        "count": 2,
    }
    assert (body["date_from"], body["date_to"]) == (None, None)


def test_an_empty_report(api, world):
    body = api.get("/reports/dedications", date_from="2020-01-01", date_to="2020-12-31").json()

    assert (body["rows"], body["minutes"], body["count"]) == ([], 0, 0)


# --- CSV ------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    data = b"".join(response.streaming_content)
    assert not data.startswith("\ufeff".encode())  # programs get plain UTF-8
    return list(csv.reader(io.StringIO(data.decode())))


def test_csv_of_the_entries(api, world):
    response = api.get("/reports/dedications.csv", client="ACME", period="this_year")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dedications.csv"'
    table = read_csv(response)
    assert table[0] == [
        "id", "date", "client", "client_name", "project", "project_name", "project_kind", "task",
        "task_title", "employee", "employee_name", "minutes", "text",
    ]  # fmt: skip
    assert [(row[1], row[4], row[9], row[11], row[12]) for row in table[1:]] == [
        ("2026-01-05", "ACME-WEB", "ANA", "60", "ACME-WEB 2026-01-05"),
        ("2026-01-30", "ACME", "ANA", "", "ACME 2026-01-30"),
        ("2026-02-02", "ACME", "LUIS", "30", "ACME 2026-02-02"),
    ]


CLIENT_TOTALS = [
    ["code", "name", "minutes", "hours", "count"],
    ["ACME", "Acme", "140", "2.33", "4"],
    ["BETA", "Beta", "60", "1.00", "2"],
]
MONTH_TOTALS = [
    ["period", "date_from", "date_to", "minutes", "hours", "count"],
    ["2025-12", "2025-12-01", "2025-12-31", "50", "0.83", "1"],
    ["2026-01", "2026-01-01", "2026-01-31", "100", "1.67", "3"],
    ["2026-02", "2026-02-01", "2026-02-28", "50", "0.83", "2"],
]


@pytest.mark.parametrize(
    ("group_by", "expected"), [("client", CLIENT_TOTALS), ("month", MONTH_TOTALS)]
)
def test_csv_of_the_totals(api, world, group_by, expected):
    response = api.get("/reports/dedications.csv", group_by=group_by)

    assert read_csv(response) == expected
    assert response["Content-Disposition"] == f'attachment; filename="totals-{group_by}.csv"'


def test_csv_totals_match_the_json_report(api, world):
    query = {"group_by": "employee", "kind": "commercial"}
    report = api.get("/reports/dedications", **query).json()
    table = read_csv(api.get("/reports/dedications.csv", **query))

    assert [(r["code"], r["minutes"], r["count"]) for r in report["rows"]] == [
        (row[0], int(row[2]), int(row[4])) for row in table[1:]
    ]


# --- Access and bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/reports/dedications", "/reports/dedications.csv"])
def test_reports_need_a_token(anonymous, world, path):
    response = anonymous.get(path)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("path", ["/reports/dedications", "/reports/dedications.csv"])
@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"group_by": "year"}, {"group_by"}),
        ({"period": "someday"}, {"period"}),
        ({"kind": "secret"}, {"kind"}),
        ({"date_from": "2026-13-01"}, {"date_from"}),
        ({"date_from": "1739000000"}, {"date_from"}),  # a number is not a date
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, {"date_to"}),
        ({"period": "this_month", "date_from": "2026-01-01"}, {"period"}),
        ({"client": "NOPE"}, {"client"}),
        ({"project": "NOPE", "employee": "NOBODY"}, {"project", "employee"}),
        ({"client": "AC\x00ME"}, {"client"}),
    ],
)
def test_bad_input_is_422_on_the_field(api, world, path, query, fields):
    response = api.get(path, **query)

    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == fields


def test_the_csv_is_for_programs_whatever_the_language_asked_for(api, world):
    """The web pages' downloads follow the user's language (`;`, decimal commas, words); the
    API's CSV stays as documented: `,`, a decimal point, column keys and codes."""
    spanish = {"Accept-Language": "es", "Cookie": "django_language=es"}
    totals = api.request("get", "/reports/dedications.csv", headers=spanish, group_by="client")
    entries = api.request("get", "/reports/dedications.csv", headers=spanish, client="ACME")

    assert read_csv(totals) == CLIENT_TOTALS
    assert totals["Content-Disposition"] == 'attachment; filename="totals-client.csv"'
    table = read_csv(entries)
    assert table[0][6] == "project_kind"
    assert {row[6] for row in table[1:]} == {"production", "commercial"}
    assert entries["Content-Disposition"] == 'attachment; filename="dedications.csv"'


# --- Pages of rows ------------------------------------------------------------------------------


def _many_clients(count: int, start: int = 0, minutes: int | None = None) -> None:
    """`count` more clients with one dedication each (client n: `minutes`, or n + 1)."""
    ana = Employee.objects.get(code="ANA")
    for n in range(start, start + count):
        task = factories.task(factories.project(factories.client(f"MANY{n:03d}"), f"MANY{n:03d}"))
        factories.dedication(task, ana, date=D(2026, 2, 3), minutes=minutes or n + 1)


def test_rows_come_in_pages_with_the_figures_of_all_and_the_next_page(api, world):
    _many_clients(5)
    query = {"group_by": "client", "period": "this_month", "limit": 3}

    first = api.get("/reports/dedications", **query).json()
    assert [row["code"] for row in first["rows"]] == ["ACME", "BETA", "MANY004"]
    assert (first["groups"], first["minutes"], first["count"]) == (7, 65, 7)
    assert (first["offset"], first["limit"]) == (0, 3)
    following = urlsplit(first["next"])
    assert following.path == "/api/v1/reports/dedications"
    assert parse_qs(following.query) == {
        "group_by": ["client"],
        "period": ["this_month"],
        "limit": ["3"],
        "offset": ["3"],
    }

    second = api.get(following.path.removeprefix("/api/v1"), **{**query, "offset": 3}).json()
    assert [row["code"] for row in second["rows"]] == ["MANY003", "MANY002", "MANY001"]
    assert (second["groups"], second["minutes"], second["count"]) == (7, 65, 7)
    last = api.get("/reports/dedications", **{**query, "offset": 6}).json()
    assert ([row["code"] for row in last["rows"]], last["next"]) == (["MANY000"], None)
    past = api.get("/reports/dedications", **{**query, "offset": 50}).json()
    assert (past["rows"], past["groups"], past["minutes"], past["next"]) == ([], 7, 65, None)


def test_a_page_is_a_hundred_rows_unless_asked_and_at_most_a_thousand(api, world):
    _many_clients(120)

    body = api.get("/reports/dedications", group_by="client", period="this_month").json()

    assert (len(body["rows"]), body["groups"], body["limit"]) == (100, 122, 100)
    assert api.get("/reports/dedications", limit=1001).status_code == 422
    assert api.get("/reports/dedications", limit=0).status_code == 422
    assert api.get("/reports/dedications", offset=-1).status_code == 422


def test_a_page_costs_the_same_queries_and_size_whatever_the_rows(api, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measured() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(
                "/reports/dedications", group_by="client", period="this_month", limit=20
            )
        return len(queries), len(response.content)

    _many_clients(30, minutes=7)
    before = measured()
    _many_clients(200, start=30, minutes=7)  # after the first page's, by their codes

    queries, size = measured()
    assert queries == before[0]
    # The same rows: only the figures of all of them grew, by a digit each.
    assert 0 < size - before[1] <= 3
