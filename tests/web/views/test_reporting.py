"""The reports' pages through Django's test client: access, filters and groupings, the
drill-down, the downloads re-read with csv and openpyxl, the statement as a page, a PDF and
a workbook, bad input, and a number of queries that does not grow with the data."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
import zlib
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from hexa.crm.models import Dedication
from hexa.crm.services import totals
from tests import factories
from tests.web.conftest import links

pytestmark = pytest.mark.django_db

D = dt.date
DASH = "\N{EN DASH}"
TODAY = D(2026, 2, 10)  # a Tuesday; the world's dedications are around it


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """Noon in Madrid on TODAY, so that the periods are the ones worked out below."""
    moment = dt.datetime(2026, 2, 10, 11, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def world(ana):
    """January 2026: ACME 225 minutes in 4, BETA 100 in 2; February: ACME 30 in 1.

    ANA did ACME's; LUIS did BETA's. ACME-WEB is a production project, the others commercial.
    """
    ana_employee = ana.employee
    luis = factories.employee("LUIS", name="Luis Peña")
    acme = factories.client("ACME", name="Acme Industrial", tax_id="B12345678")
    beta = factories.client("BETA", name="Beta S.A.")
    web_task = factories.task(factories.project(acme, "ACME-WEB", name="Web", kind="production"))
    acme_task = factories.task(factories.project(acme, "ACME", name="Acme"))
    beta_task = factories.task(factories.project(beta, "BETA", name="Beta"))
    for task, who, day, minutes, text in [
        (web_task, ana_employee, D(2026, 1, 5), 60, "Diseño de la portada"),
        (web_task, ana_employee, D(2026, 1, 12), 90, "Reunión “de arranque” — 25 €"),
        (acme_task, ana_employee, D(2026, 1, 20), 75, '=HYPERLINK("http://x")'),
        (acme_task, ana_employee, D(2026, 1, 30), None, "Llamada sin tiempo"),
        (beta_task, luis, D(2026, 1, 7), 40, "Presupuesto"),
        (beta_task, luis, D(2026, 1, 28), 60, "Visita, con\nvarias líneas"),
        (acme_task, ana_employee, D(2026, 2, 2), 30, "Seguimiento"),
    ]:
        factories.dedication(task, who, date=day, minutes=minutes, text=text)


def chart_data(response) -> dict:
    match = re.search(
        r'<script id="chart-data" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, "no chart data in the page"
    return json.loads(match.group(1))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def read_xlsx(response) -> list[tuple]:
    """The first sheet's rows."""
    return read_workbook(response)[0][1]


def read_workbook(response) -> list[tuple[str, list[tuple]]]:
    """Each sheet's name and rows."""
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in workbook]


def pdf_pages(data: bytes) -> int:
    """Pages in a PDF as reportlab writes it (one uncompressed /Type /Page object each)."""
    return len(re.findall(rb"/Type /Page(?![s\w])", data))


def pdf_text(data: bytes) -> str:
    """The text a PDF draws, as reportlab writes it: each page's content stream is ASCII85 and
    Flate encoded and draws its strings, in Windows-1252, with `(...) Tj`."""
    streams = re.findall(
        rb"/Filter \[ /ASCII85Decode /FlateDecode \] /Length \d+\s*>>\s*stream\r?\n(.*?)endstream",
        data,
        re.S,
    )
    drawn = []
    for stream in streams:
        content = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content):
            unescaped = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1],
                raw,
            )
            drawn.append(unescaped.decode("cp1252"))
    return "\n".join(drawn)


# --- Access -------------------------------------------------------------------------------------

PAGES = [
    "/reports/",
    "/reports/?period=last_month&group_by=week",
    "/reports/entries/",
    "/reports/export/?format=csv",
    "/reports/export/?format=xlsx&group_by=client",
    "/reports/statement/",
    "/reports/statement/?client=ACME&format=pdf",
    "/reports/statement/?client=ACME&format=xlsx",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_report_page_needs_a_signed_in_user(client, world, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PAGES)
def test_every_report_page_answers_a_signed_in_user(web, world, path):
    response = web.get(path)

    assert response.status_code == 200
    body = b"".join(response) if response.streaming else response.content
    assert body  # a page or a document, not an empty answer
    if response["Content-Type"].startswith("text/html"):
        assert "Ana García" in body.decode()  # the page, signed in, not an error


@pytest.mark.parametrize("path", ["/reports/", "/reports/export/?format=csv"])
def test_report_pages_are_read_only(web, world, path):
    response = web.post(path)

    assert response.status_code == 405
    assert response["Allow"] == "GET"


# --- The report page ----------------------------------------------------------------------------


def test_the_default_report_is_this_month_by_client(web, world):
    response = web.get("/reports/")

    form = response.context["form"]
    assert (form["period"].value(), form["date_from"].value(), form["date_to"].value()) == (
        "this_month",
        "2026-02-01",
        "2026-02-28",
    )
    totals = response.context["totals"]
    assert [(r.code, r.minutes, r.count) for r in totals.rows] == [("ACME", 30, 1)]
    assert "1 activity, 30m in all" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("period=last_month", [("ACME", 225, 4), ("BETA", 100, 2)]),
        (
            "period=last_month&group_by=project",
            [("ACME-WEB", 150, 2), ("BETA", 100, 2), ("ACME", 75, 2)],
        ),
        ("period=last_month&group_by=employee", [("ANA", 225, 4), ("LUIS", 100, 2)]),
        (
            "period=last_month&group_by=week",
            [("2026-W02", 100, 2), ("2026-W03", 90, 1), ("2026-W04", 75, 1), ("2026-W05", 60, 2)],
        ),
        ("period=all&group_by=month", [("2026-01", 325, 6), ("2026-02", 30, 1)]),
        ("period=all&client=acme", [("ACME", 255, 5)]),
        ("period=all&project=BETA", [("BETA", 100, 2)]),
        ("period=all&employee=LUIS", [("BETA", 100, 2)]),
        ("period=all&kind=production", [("ACME", 150, 2)]),
        (
            "period=custom&date_from=2026-01-12&date_to=2026-01-28",
            [("ACME", 165, 2), ("BETA", 60, 1)],
        ),
        ("date_from=2026-01-12&date_to=2026-01-28", [("ACME", 165, 2), ("BETA", 60, 1)]),
        ("period=this_week", []),
    ],
)
def test_report_filters_and_groupings(web, world, query, expected):
    response = web.get(f"/reports/?{query}")

    assert response.status_code == 200
    assert response.context["form"].errors == {}
    rows = response.context["totals"].rows
    assert [(r.code, r.minutes, r.count) for r in rows] == expected


def test_beyond_the_first_groups_the_rest_is_one_line(web, world, monkeypatch):
    monkeypatch.setattr("hexa.web.views.reporting.TOTALS_SHOWN", 1)

    response = web.get("/reports/?period=last_month")

    assert [row.code for row, _url in response.context["rows"]] == ["ACME"]
    assert response.context["rest"] == {"groups": 1, "minutes": 100, "count": 2}
    assert "1 more, with less time: the downloads have them all" in response.content.decode()
    # The page reads only the groups it shows, and the figures of all of them.
    totals = response.context["totals"]
    assert (len(totals.rows), totals.groups, totals.minutes, totals.count) == (1, 2, 325, 6)


def test_a_named_period_wins_over_the_dates_left_in_the_form(web, world):
    response = web.get("/reports/?period=last_month&date_from=2020-01-01&date_to=2020-01-02")

    assert response.context["filters"].date_from == D(2026, 1, 1)
    assert response.context["form"]["date_from"].value() == "2026-01-01"


def test_the_chart_data_and_its_table(web, world):
    response = web.get("/reports/?period=last_month&chart=week&stack=employee")

    data = chart_data(response)
    assert data["step"] == "week"
    assert len(data["labels"]) == 5  # the weeks of 29 Dec (cut to 1 Jan) to 26 Jan
    assert [(s["code"], s["minutes"]) for s in data["series"]] == [
        ("ANA", [0, 60, 90, 75, 0]),
        ("LUIS", [0, 40, 0, 0, 60]),
    ]
    page = response.content.decode()
    assert "<canvas" in page and "data-chart" in page
    assert "The chart&#x27;s figures as a table" in page or "The chart's figures as a table" in page
    assert "1h30" in page  # the week of 12 January, in the table


def test_an_empty_period_says_so_and_draws_no_chart(web, world):
    response = web.get("/reports/?period=last_year")

    page = response.content.decode()
    assert "No activity matches." in page
    assert 'id="chart-data"' not in page


@pytest.mark.parametrize("chart", ["week", "month"])
def test_the_last_week_of_the_calendar_is_an_empty_report(web, world, chart):
    response = web.get(
        f"/reports/?period=custom&date_from=9999-12-27&date_to=9999-12-31&chart={chart}"
    )

    assert response.status_code == 200
    assert response.context["totals"].count == 0


def test_htmx_gets_only_the_report_part(web, world):
    response = web.get(
        "/reports/?period=last_month", headers={"HX-Request": "true", "HX-Target": "report"}
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="report">')
    assert "<html" not in page


@pytest.mark.parametrize(
    "query",
    ["period=last_month&group_by=week", "period=all&group_by=client", "period=all&group_by=month"],
)
def test_each_total_links_to_its_entries(web, world, query):
    response = web.get(f"/reports/?{query}")
    assert response.context["rows"]

    for total, url in response.context["rows"]:
        entries = web.get(url)
        assert entries.status_code == 200
        assert entries.context["count"] == total.count
        assert entries.context["minutes"] == total.minutes
        assert len(entries.context["page"].object_list) == total.count


def test_the_entries_page_lists_the_filtered_dedications(web, world):
    response = web.get("/reports/entries/?period=all&client=BETA")

    page = response.content.decode()
    assert [d.text for d in response.context["page"]] == [
        "Presupuesto",
        "Visita, con\nvarias líneas",
    ]
    assert "Luis Peña" in page
    assert "Visita, con<br>varias líneas" in page
    assert "2 activities, 1h40 in all" in page


def test_downloads_and_statement_links_keep_the_filters(web, world):
    response = web.get("/reports/?period=last_month&client=ACME&group_by=project")

    links = dict(response.context["downloads"])
    totals_csv = parse_qs(urlsplit(links["Totals, CSV"]).query)
    assert totals_csv == {
        "period": ["custom"],
        "date_from": ["2026-01-01"],
        "date_to": ["2026-01-31"],
        "client": ["ACME"],
        "group_by": ["project"],
        "format": ["csv"],
    }
    assert "group_by" not in parse_qs(urlsplit(links["Entries, XLSX"]).query)
    statement = parse_qs(urlsplit(response.context["statement_url"]).query)
    assert statement == {
        "client": ["ACME"],
        "period": ["custom"],
        "date_from": ["2026-01-01"],
        "date_to": ["2026-01-31"],
    }


def test_links_from_an_all_time_report_stay_all_time(web, world):
    response = web.get("/reports/?period=all&client=ACME")

    entries = web.get(response.context["entries_url"])
    statement = web.get(response.context["statement_url"])
    download = read_csv(web.get(dict(response.context["downloads"])["Entries, CSV"]))

    assert entries.context["count"] == 5
    assert statement.context["statement"].count == 5
    assert len(download) == 6


def test_the_year_is_the_one_in_madrid(client, ana, world, monkeypatch):
    # 23:30 UTC on New Year's Eve is already 2027 in Madrid.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    web = client
    web.force_login(ana)  # a session started now, not one that expired in February

    response = web.get("/reports/?period=this_year")

    assert response.context["filters"].date_from == D(2027, 1, 1)


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("date_from=2026-13-45", {"date_from"}),
        ("period=custom&date_from=2026-02-01&date_to=2026-01-01", {"date_to"}),
        ("client=NOPE", {"client"}),
        ("project=NOPE&employee=NOBODY", {"project", "employee"}),
        ("period=someday", {"period"}),
        ("kind=secret", {"kind"}),
        ("group_by=colour", {"group_by"}),
        ("client=" + "X" * 31, {"client"}),
        ("client=AC%00ME", {"client"}),
    ],
)
def test_bad_filters_are_shown_on_their_fields_and_the_report_stays(web, world, query, fields):
    response = web.get(f"/reports/?{query}")

    assert response.status_code == 200
    assert set(response.context["form"].errors) == fields
    assert 'class="field-error"' in response.content.decode()
    # The report covers the other filters, and says it leaves the wrong ones out.
    assert response.context["totals"].rows
    assert "These figures leave out the filters with a message above." in (
        response.content.decode()
    )


def test_unknown_codes_say_which_code(web, world):
    response = web.get("/reports/?client=NOPE")

    assert (
        "No client matches “NOPE”: type its code, part of its name or its tax id."
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("format=csv&client=NOPE", {"client"}),
        ("format=xlsx&date_from=2026-02-01&date_to=2026-01-01", {"date_to"}),
        ("format=pdf", {"format"}),
        ("format=csv&group_by=colour", {"group_by"}),
        ("", {"format"}),
    ],
)
def test_bad_downloads_answer_400_with_the_errors(web, world, query, fields):
    response = web.get(f"/reports/export/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert set(response.context["form"].errors) == fields


# --- Exports ------------------------------------------------------------------------------------


def test_entries_csv_is_streamed_and_reads_back(web, world):
    response = web.get("/reports/export/?period=last_month&client=ACME&format=csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="activities-ACME-2026-01-01-2026-01-31.csv"'
    )
    rows = read_csv(response)
    assert rows[0][:3] == ["Number", "Date", "Client"]
    assert [(row[1], row[4], row[11], row[12]) for row in rows[1:]] == [
        ("2026-01-05", "ACME-WEB", "60", "Diseño de la portada"),
        ("2026-01-12", "ACME-WEB", "90", "Reunión “de arranque” — 25 €"),
        ("2026-01-20", "ACME", "75", '\'=HYPERLINK("http://x")'),  # not a formula
        ("2026-01-30", "ACME", "", "Llamada sin tiempo"),
    ]


def read_spreadsheet_csv(response, delimiter: str) -> list[list[str]]:
    data = body(response)
    assert data.startswith("\ufeff".encode())  # spreadsheets then read it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_the_spanish_totals_csv_opens_in_a_spanish_spreadsheet(spanish_web, world):
    response = spanish_web.get("/reports/export/?period=all&group_by=client&format=csv")

    assert response["Content-Disposition"] == 'attachment; filename="totales-cliente.csv"'
    assert read_spreadsheet_csv(response, ";") == [
        ["Cliente", "Nombre", "Minutos", "Horas", "Dedicaciones"],
        ["ACME", "Acme Industrial", "255", "4,25", "5"],
        ["BETA", "Beta S.A.", "100", "1,67", "2"],
    ]


def test_the_spanish_entries_csv_has_spanish_words_and_names(spanish_web, world):
    response = spanish_web.get("/reports/export/?period=last_month&client=ACME&format=csv")

    assert response["Content-Disposition"] == (
        'attachment; filename="dedicaciones-ACME-2026-01-01-2026-01-31.csv"'
    )
    rows = read_spreadsheet_csv(response, ";")
    assert rows[0] == [
        "Número", "Fecha", "Cliente", "Nombre del cliente", "Proyecto", "Nombre del proyecto",
        "Tipo", "Número de tarea", "Tarea", "Empleado", "Nombre del empleado", "Minutos",
        "Qué se hizo",
    ]  # fmt: skip
    assert [(row[1], row[4], row[6], row[11]) for row in rows[1:]] == [
        ("2026-01-05", "ACME-WEB", "Producción", "60"),
        ("2026-01-12", "ACME-WEB", "Producción", "90"),
        ("2026-01-20", "ACME", "Comercial", "75"),
        ("2026-01-30", "ACME", "Comercial", ""),
    ]
    assert rows[2][12] == "Reunión “de arranque” — 25 €"


@pytest.mark.parametrize("group_by", ["client", "project", "employee", "week", "month"])
def test_download_names_are_in_one_language(spanish_web, web, world, group_by):
    query = f"/reports/export/?period=all&group_by={group_by}&format="
    in_spanish = spanish_web.get(query + "xlsx")["Content-Disposition"]
    in_english = web.get(query + "csv")["Content-Disposition"]

    spanish_names = {
        "client": "cliente", "project": "proyecto", "employee": "empleado",
        "week": "semana", "month": "mes",
    }  # fmt: skip
    assert in_spanish == f'attachment; filename="totales-{spanish_names[group_by]}.xlsx"'
    assert in_english == f'attachment; filename="totals-{group_by}.csv"'


def test_the_english_csv_has_english_words_commas_and_decimal_points(web, world):
    totals = read_spreadsheet_csv(
        web.get("/reports/export/?period=all&group_by=project&format=csv"), ","
    )
    entries = read_spreadsheet_csv(web.get("/reports/export/?period=all&format=csv"), ",")

    assert totals[1] == ["ACME-WEB", "Web", "150", "2.50", "2"]
    assert {row[6] for row in entries[1:]} == {"Production", "Commercial"}


def test_the_xlsx_has_the_kinds_in_words(spanish_web, world):
    rows = read_xlsx(spanish_web.get("/reports/export/?period=all&client=ACME&format=xlsx"))

    assert rows[0][6] == "Tipo"
    assert {row[6] for row in rows[1:]} == {"Producción", "Comercial"}


def test_csv_starts_with_a_byte_order_mark_for_spreadsheets(web, world):
    data = body(web.get("/reports/export/?period=all&format=csv"))

    assert data.startswith("\ufeff".encode())


def test_totals_csv_and_xlsx_read_back(web, world):
    query = "period=all&group_by=employee"
    as_csv = read_csv(web.get(f"/reports/export/?{query}&format=csv"))
    as_xlsx = read_xlsx(web.get(f"/reports/export/?{query}&format=xlsx"))

    assert as_csv == [
        ["Employee", "Name", "Minutes", "Hours", "Activities"],
        ["ANA", "Ana García", "255", "4.25", "5"],
        ["LUIS", "Luis Peña", "100", "1.67", "2"],
    ]
    assert as_xlsx[0] == ("Employee", "Name", "Minutes", "Hours", "Activities")
    assert as_xlsx[1:] == [("ANA", "Ana García", 255, 4.25, 5), ("LUIS", "Luis Peña", 100, 1.67, 2)]


def test_month_totals_export_their_days(web, world):
    rows = read_xlsx(web.get("/reports/export/?period=all&group_by=month&format=xlsx"))

    assert rows[0][:3] == ("Month", "From", "To")
    assert rows[1][:5] == (
        "2026-01",
        dt.datetime(2026, 1, 1),
        dt.datetime(2026, 1, 31),
        325,
        5.42,
    )


def test_entries_xlsx_reads_back_with_dates_numbers_and_text(web, world):
    response = web.get("/reports/export/?period=all&employee=LUIS&format=xlsx")

    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = read_xlsx(response)
    assert rows[0][-2:] == ("Minutes", "What was done")
    assert [(row[1], row[9], row[11], row[12]) for row in rows[1:]] == [
        (dt.datetime(2026, 1, 7), "LUIS", 40, "Presupuesto"),
        (dt.datetime(2026, 1, 28), "LUIS", 60, "Visita, con\nvarias líneas"),
    ]


def test_a_formula_like_text_stays_text_in_xlsx(web, world):
    rows = read_xlsx(web.get("/reports/export/?period=all&client=ACME&format=xlsx"))

    assert '=HYPERLINK("http://x")' in [row[12] for row in rows]
    workbook = load_workbook(
        io.BytesIO(body(web.get("/reports/export/?period=all&client=ACME&format=xlsx")))
    )
    cells = [row[12] for row in workbook.active.iter_rows(min_row=2)]
    assert {cell.data_type for cell in cells} == {"s"}


def test_an_xlsx_export_of_many_rows(web, world):
    task = factories.task(factories.project(factories.client("BIG"), "BIG"))
    employee = factories.employee("BULK")
    rows = Dedication.objects.bulk_create(
        Dedication(
            client=task.project.client,
            project=task.project,
            task=task,
            employee=employee,
            date=D(2025, 1, 1) + dt.timedelta(days=n % 365),
            text=f"Entry {n}",
            minutes=n % 240,
            via="web",
        )
        for n in range(3000)
    )
    totals.counted_many(rows)

    response = web.get("/reports/export/?period=all&client=BIG&format=xlsx")
    as_csv = read_csv(web.get("/reports/export/?period=all&client=BIG&format=csv"))

    rows = read_xlsx(response)
    assert len(rows) == 3001
    assert len(as_csv) == 3001
    assert sum(row[11] for row in rows[1:]) == sum(n % 240 for n in range(3000))
    assert rows[1][1] == dt.datetime(2025, 1, 1)


# --- The statement ------------------------------------------------------------------------------


def test_the_statement_page_starts_with_an_empty_form(web, world):
    response = web.get("/reports/statement/")

    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert response.context["form"]["period"].value() == "last_month"
    assert "statement" not in response.context


def test_the_statement_page(web, world):
    response = web.get("/reports/statement/?client=acme&period=last_month")

    page = response.content.decode()
    statement = response.context["statement"]
    assert (statement.minutes, statement.count) == (225, 4)
    assert [t.code for t in statement.projects.rows] == ["ACME-WEB", "ACME"]
    assert "Acme Industrial" in page
    assert "B12345678" in page
    assert "4 activities, 3h45 in all" in page
    assert "Presupuesto" not in page  # BETA's
    assert "Seguimiento" not in page  # February's
    assert (
        'href="/reports/statement/?client=ACME&amp;period=custom&amp;date_from=2026-01-01&amp;date_to=2026-01-31&amp;format=pdf"'
        in page
    )
    assert "data-print" in page


@pytest.mark.parametrize(
    ("dates", "said"),
    [
        ("date_from=2026-01-01&date_to=2026-01-31", "From 01/01/2026 to 31/01/2026"),
        ("date_from=2026-01-01", "From 01/01/2026"),
        ("date_to=2026-01-31", "Up to 31/01/2026"),
    ],
)
def test_the_statement_page_says_its_period_as_the_pdf_does(web, world, dates, said):
    query = f"/reports/statement/?client=ACME&period=custom&{dates}"

    page = web.get(query).content.decode()
    pdf = web.get(query + "&format=pdf").content

    assert said in page
    assert said in pdf_text(pdf)


def test_the_statement_as_pdf(web, world):
    response = web.get("/reports/statement/?client=ACME&period=last_month&format=pdf")

    data = response.content
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="statement-ACME-2026-01-01-2026-01-31.pdf"'
    )
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert 1500 < len(data) < 200_000
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    assert "Activity statement" in text
    assert "ACME · Acme Industrial" in text
    assert "Total\n4\n3h45" in text
    assert "12/01/2026\nACME-WEB\nAna García\nReunión “de arranque” — 25 €\n1h30" in text
    assert "Page 1 of 1" in text


def test_a_long_statement_runs_over_several_pages(web, world):
    task = factories.task(factories.project(factories.client("LONG"), "LONG"))
    employee = factories.employee("WRITER", name="Writer")
    for n in range(120):
        factories.dedication(
            task, employee, date=D(2026, 1, 1 + n % 28), minutes=30, text=f"Día {n}: ñ € “sí”"
        )
    # The longest text a dedication may have is taller than a page: it must split, not fail.
    factories.dedication(task, employee, date=D(2026, 1, 15), text="Palabra " * 1250)

    response = web.get("/reports/statement/?client=LONG&period=last_month&format=pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert 4 <= pdf_pages(response.content) <= 30


def test_a_statement_with_no_dedications_is_still_a_document(web, world):
    pdf = web.get("/reports/statement/?client=BETA&period=this_week&format=pdf")
    page = web.get("/reports/statement/?client=BETA&period=this_week")

    assert pdf.content.startswith(b"%PDF-")
    assert pdf_pages(pdf.content) == 1
    assert "No activity in this period." in page.content.decode()


def test_the_statement_as_a_workbook(web, world):
    response = web.get("/reports/statement/?client=ACME&period=last_month&format=xlsx")

    assert response["Content-Disposition"] == (
        'attachment; filename="statement-ACME-2026-01-01-2026-01-31.xlsx"'
    )
    sheets = read_workbook(response)
    assert [name for name, _rows in sheets] == ["Statement", "Activities", "Time per project"]
    (_, about), (_, entries), (_, projects) = sheets
    assert about[0] == ("Client", "ACME · Acme Industrial")
    assert ("Minutes", 225) in about
    assert [row[4] for row in entries[1:-1]] == [
        "Diseño de la portada",
        "Reunión “de arranque” — 25 €",
        '=HYPERLINK("http://x")',
        "Llamada sin tiempo",
    ]
    assert entries[-1][4:6] == ("Total", 225)
    assert projects[1:] == [("ACME-WEB", "Web", 2, 150, 2.5), ("ACME", "Acme", 2, 75, 1.25)]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("client=", {"client"}),
        ("client=NOPE", {"client"}),
        ("client=ACME&period=custom&date_from=2026-02-01&date_to=2026-01-01", {"date_to"}),
        ("client=ACME&date_from=yesterday", {"date_from"}),
    ],
)
def test_statement_bad_input(web, world, query, fields):
    page = web.get(f"/reports/statement/?{query}")
    pdf = web.get(f"/reports/statement/?{query}&format=pdf")

    assert page.status_code == 200
    assert set(page.context["form"].errors) == fields
    assert pdf.status_code == 400
    assert pdf["Content-Type"].startswith("text/html")


def test_the_statement_in_spanish(client, ana, world):
    client.force_login(ana)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"

    page = client.get("/reports/statement/?client=ACME&period=last_month")
    pdf = client.get("/reports/statement/?client=ACME&period=last_month&format=pdf")

    assert page.status_code == pdf.status_code == 200
    assert "Extracto de dedicaciones" in page.content.decode()
    assert "Activity statement" not in page.content.decode()
    assert "Extracto de dedicaciones" in pdf_text(pdf.content)


# --- Cost ---------------------------------------------------------------------------------------


def _queries(web, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = web.get(path)
        body(response)
    assert response.status_code == 200
    return len(queries)


REPORT_PATHS = [
    "/reports/?period=all",
    "/reports/?period=all&group_by=week&stack=employee&client=ACME",
    "/reports/entries/?period=all",
    "/reports/statement/?client=ACME&period=all",
    "/reports/export/?period=all&format=csv",
    "/reports/export/?period=all&format=xlsx&group_by=project",
]


@pytest.mark.parametrize("path", REPORT_PATHS)
def test_report_queries_do_not_grow_with_the_data(web, world, path):
    before = _queries(web, path)
    acme_task = Dedication.objects.filter(client__code="ACME").first().task
    for n in range(40):
        client = factories.client(f"MORE{n}")
        factories.dedication(
            factories.task(factories.project(client, f"MORE{n}")),
            factories.employee(f"EMP{n}"),
            date=D(2025, 3, 1) + dt.timedelta(days=n * 7),
            minutes=n,
        )
        factories.dedication(
            acme_task, factories.employee(f"ACME{n}"), date=D(2026, 1, 2), minutes=5
        )

    assert _queries(web, path) == before
    # At most: the page's own 6, the running timer in the navigation, totals, and the chart's
    # leaders (when it is split by something else than the totals), time per period of
    # everyone and of the leaders.
    assert before <= 11


def test_the_report_page_costs_a_handful_of_queries(web, world):
    # session, user, employee in the header, the running timer in the navigation, employees
    # for the filter, totals, the chart's time per week of everyone and of its clients with
    # most time (the totals' first rows)
    assert _queries(web, "/reports/?period=all") == 8


def test_unescaped_html_is_not_a_risk(web, world):
    factories.dedication(
        Dedication.objects.first().task,
        factories.employee("EVIL", name="<script>alert(1)</script>"),
        date=D(2026, 1, 3),
        minutes=5,
    )

    page = web.get("/reports/?period=last_month&group_by=employee&stack=employee").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "alert(1)" in unescape(page)


# --- The chart --------------------------------------------------------------------------------


@pytest.fixture
def february(ana, monkeypatch):
    """Tuesday 10 February 2026; ACME has time on Sunday 1, Monday 2 and Monday 9, BETA
    (Luis) on Wednesday 4."""
    moment = dt.datetime(2026, 2, 10, 11, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    acme_worked = factories.task(factories.project(factories.client("ACME", name="Acme"), "ACME"))
    beta = factories.task(factories.project(factories.client("BETA", name="Beta"), "BETA"))
    luis = factories.employee("LUIS", name="Luis Peña")
    for task, who, day, minutes in [
        (acme_worked, ana.employee, D(2026, 2, 1), 60),
        (acme_worked, ana.employee, D(2026, 2, 2), 30),
        (beta, luis, D(2026, 2, 4), 45),
        (acme_worked, ana.employee, D(2026, 2, 9), 15),
    ]:
        factories.dedication(task, who, date=day, minutes=minutes)


def test_the_chart_stops_today_and_labels_each_bar_with_its_days(spanish_web, february):
    data = chart_data(spanish_web.get("/reports/?period=this_month&chart=week"))

    # Sunday 1 February alone (its week began in January), a whole week, this week so far;
    # no columns for the weeks still to come.
    assert data["labels"] == ["1 Feb", f"2{DASH}8 Feb", f"9{DASH}10 Feb"]
    assert [(s["code"], s["minutes"]) for s in data["series"]] == [
        ("ACME", [60, 30, 15]),
        ("BETA", [0, 45, 0]),
    ]


def test_the_chart_of_this_year_has_no_months_to_come(spanish_web, february):
    data = chart_data(spanish_web.get("/reports/?period=this_year&chart=month"))

    assert data["labels"] == ["Ene 2026", f"1{DASH}10 Feb"]


def test_each_bar_leads_to_its_dedications(spanish_web, february):
    response = spanish_web.get("/reports/?period=this_month&chart=week&stack=client")
    data = chart_data(response)

    week = parse_qs(urlsplit(data["entries"][1]).query)
    assert (week["period"], week["date_from"], week["date_to"]) == (
        ["custom"],
        ["2026-02-02"],
        ["2026-02-08"],
    )
    assert data["stack"] == "client"
    # The table says the same, as links, for those without the chart (or without a mouse).
    page = response.content.decode()
    beta_week = [
        link
        for link in links(page, "/reports/entries/")
        if "client=BETA" in link and "date_from=2026-02-02" in link
    ]
    assert len(beta_week) == 1
    entries = spanish_web.get(beta_week[0]).content.decode()
    assert "45m" in entries and "ACME" not in re.sub(r"<form.*?</form>", "", entries, flags=re.S)
