"""The report page in headless Chromium: the chart is drawn (Chart.js, a pattern per series,
no error under the Content-Security-Policy), filters and groupings update the page in place,
totals lead to their dedications, the statement prints without the site around it, and all
of it works without JavaScript."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("short_waits")]

# The chart's canvas has drawn something: enough pixels that are not transparent.
DRAWN = """(canvas) => {
  const {width, height} = canvas;
  if (!width || !height) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return painted;
}"""


@pytest.fixture
def first_of_month(today) -> dt.date:
    return today.replace(day=1)


@pytest.fixture
def world(transactional_db, ana, today):
    """Over the last three calendar months (this one included): ACME and BETA, by Ana and
    Luis; CERO has dedications without minutes. Totals: ACME 6h, BETA 2h."""
    luis = factories.employee("LUIS", name="Luis Peña")
    acme = factories.client("ACME", name="Acme Industrial")
    beta = factories.client("BETA", name="Beta S.A.")
    cero = factories.client("CERO", name="Cero")
    acme_task = factories.task(factories.project(acme, "ACME", kind="production"))
    beta_task = factories.task(factories.project(beta, "BETA"))
    cero_task = factories.task(factories.project(cero, "CERO"))
    start = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    for n in range(6):
        day = start + dt.timedelta(days=n * 9)
        factories.dedication(acme_task, ana.employee, date=day, minutes=60, text=f"Acme {n}")
    for n in range(2):
        day = start + dt.timedelta(days=5 + n * 20)
        factories.dedication(beta_task, luis, date=day, minutes=60, text=f"Beta {n}")
    factories.dedication(cero_task, luis, date=start, minutes=None, text="Sin tiempo")
    return {"start": start}


def report(page: Page, live_server, query: str = "period=last_3_months") -> None:
    page.goto(f"{live_server.url}/reports/?{query}")


def wait_for_chart(page: Page) -> None:
    page.wait_for_selector("canvas[data-chart][data-drawn=true]")
    # Functions, not expressions: Playwright would eval() an expression in the page, which
    # the Content-Security-Policy refuses (and reports as a console error).
    page.wait_for_function(f"() => ({DRAWN})(document.querySelector('canvas[data-chart]')) > 2000")


def chart_labels(page: Page) -> list[str]:
    return page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart]')).data.datasets"
        ".map((dataset) => dataset.label)"
    )


def total_rows(page: Page) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in page.locator(".report-totals-table tbody tr td:first-child").all_inner_texts()
    ]


def test_the_report_draws_its_chart_with_a_pattern_per_series(signed_in, live_server, world):
    report(signed_in, live_server)

    wait_for_chart(signed_in)
    assert chart_labels(signed_in) == ["ACME · Acme Industrial", "BETA · Beta S.A."]
    fills = signed_in.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart]')).data.datasets"
        ".map((dataset) => dataset.backgroundColor instanceof CanvasPattern)"
    )
    assert fills == [True, True]
    assert total_rows(signed_in) == ["ACME Acme Industrial", "BETA Beta S.A.", "CERO Cero"]
    expect(signed_in.locator("#report-summary")).to_have_text("9 activities, 8h in all")
    # The same figures as a table, behind a summary.
    signed_in.get_by_text("The chart's figures as a table").click()
    expect(signed_in.locator(".chart-table thead th")).to_have_text(
        ["Week", "Acme Industrial", "Beta S.A.", "Total"]
    )


def test_grouping_and_filters_update_the_report_in_place(signed_in, live_server, world):
    report(signed_in, live_server)
    wait_for_chart(signed_in)
    signed_in.evaluate("document.body.dataset.loadedOnce = 'yes'")

    signed_in.select_option("#id_group_by", "employee")
    expect(signed_in.locator(".report-totals-table thead th").first).to_have_text("Employee")
    assert total_rows(signed_in) == ["ANA Ana García", "LUIS Luis Peña"]
    expect(signed_in).to_have_url(re.compile(r"group_by=employee"))

    signed_in.select_option("#id_stack", "employee")
    signed_in.wait_for_function(
        "() => Chart.getChart(document.querySelector('canvas[data-chart]'))"
        "?.data.datasets[0]?.label.startsWith('ANA')"
    )
    wait_for_chart(signed_in)
    assert chart_labels(signed_in) == ["ANA · Ana García", "LUIS · Luis Peña"]

    signed_in.fill("#id_client", "beta")
    signed_in.press("#id_client", "Enter")
    expect(signed_in.locator("#report-summary")).to_have_text("2 activities, 2h in all")
    assert total_rows(signed_in) == ["LUIS Luis Peña"]
    # Still the same page: htmx replaced the report, not the document.
    assert signed_in.evaluate("document.body.dataset.loadedOnce") == "yes"


def test_a_typed_date_chooses_between_dates(signed_in, live_server, world):
    report(signed_in, live_server)
    wait_for_chart(signed_in)
    start = world["start"]

    signed_in.fill("#id_date_from", f"{start + dt.timedelta(days=9):%d/%m/%Y}")
    signed_in.press("#id_date_from", "Tab")  # a typed date counts once the field is left

    expect(signed_in.locator("#id_period")).to_have_value("custom")
    # ACME's from its second on (5) and BETA's second.
    expect(signed_in.locator("#report-summary")).to_have_text(re.compile(r"^6 activities"))


def test_an_unknown_code_is_said_on_its_field(signed_in, live_server, world):
    report(signed_in, live_server)

    signed_in.fill("#id_project", "NOPE")
    signed_in.press("#id_project", "Enter")

    expect(signed_in.locator("#id_project_error")).to_have_text(
        "No project matches “NOPE”: type its code, part of its name or its client's."
    )
    # The report stays, over the other filters, and says it leaves this one out.
    expect(signed_in.locator(".partial-note")).to_be_visible()
    expect(signed_in.locator(".report-totals-table tbody tr")).to_have_count(3)


def test_a_total_leads_to_its_dedications(signed_in, live_server, world):
    report(signed_in, live_server)

    signed_in.locator(".report-totals-table tbody tr").filter(has_text="BETA").get_by_role(
        "link", name="2"
    ).click()

    expect(signed_in).to_have_url(re.compile(r"/reports/entries/\?.*client=BETA"))
    expect(signed_in.locator("table.report-entries tbody tr")).to_have_count(2)
    expect(signed_in.locator("#report-summary")).to_have_text("2 activities, 2h in all")


def test_the_statement_prints_alone(signed_in, live_server, world):
    signed_in.goto(f"{live_server.url}/reports/statement/?client=ACME&period=last_3_months")

    expect(signed_in.get_by_role("button", name="Print")).to_be_visible()
    expect(signed_in.locator("table.statement-entries tbody tr")).to_have_count(6)
    signed_in.emulate_media(media="print")
    expect(signed_in.locator("header.site")).to_be_hidden()
    expect(signed_in.locator("form.statement-form")).to_be_hidden()
    expect(signed_in.get_by_role("button", name="Print")).to_be_hidden()
    expect(signed_in.locator("table.statement-entries")).to_be_visible()


def test_the_report_on_a_phone(signed_in, live_server, world):
    signed_in.set_viewport_size({"width": 360, "height": 760})
    report(signed_in, live_server)

    wait_for_chart(signed_in)
    assert chart_labels(signed_in) == ["ACME", "BETA"]  # codes only: the legend fits
    width = signed_in.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_without_javascript_the_report_is_tables_and_forms(browser, live_server, ana, world):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(5_000)
    sign_in(context, live_server, ana)
    page = context.new_page()
    report(page, live_server)

    expect(page.locator("canvas[data-chart]")).to_contain_text("The chart needs JavaScript")
    page.get_by_text("The chart's figures as a table").click()
    expect(page.locator(".chart-table tbody tr").first).to_be_visible()
    assert total_rows(page) == ["ACME Acme Industrial", "BETA Beta S.A.", "CERO Cero"]

    page.select_option("#id_group_by", "project")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"group_by=project"))
    expect(page.locator(".report-totals-table thead th").first).to_have_text("Project")
    page.locator(".report-totals-table tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/reports/entries/\?.*project=ACME"))
    expect(page.locator("table.report-entries tbody tr")).to_have_count(6)
    context.close()


def bar_position(page: Page, series: int, period: int) -> dict[str, float]:
    """Where a bar is on the page, from Chart.js's own layout."""
    return page.evaluate(
        """([series, period]) => {
          const canvas = document.querySelector("canvas[data-chart]");
          const bar = Chart.getChart(canvas).getDatasetMeta(series).data[period];
          const box = canvas.getBoundingClientRect();
          return {x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2};
        }""",
        [series, period],
    )


def test_a_bar_of_the_chart_opens_its_dedications(spanish_page, live_server, ana):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    acme = factories.task(factories.project(factories.client("ACME", name="Acme"), "ACME"))
    beta = factories.task(factories.project(factories.client("BETA", name="Beta"), "BETA"))
    last_week = monday - dt.timedelta(days=7)
    factories.dedication(acme, ana.employee, date=last_week, minutes=120, text="Acme pasada")
    factories.dedication(beta, ana.employee, date=last_week, minutes=60, text="Beta pasada")
    factories.dedication(acme, ana.employee, date=monday, minutes=30, text="Acme esta")
    page = spanish_page
    page.goto(f"{live_server.url}/reports/?period=last_3_months&chart=week&stack=client")
    page.wait_for_selector("canvas[data-chart][data-drawn=true]")
    labels = page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart]')).data.labels"
    )
    # The weeks to the current one, none to come.
    assert labels[-1].startswith(str(monday.day))
    period = len(labels) - 2  # last week

    position = bar_position(page, 1, period)  # BETA's part of it
    page.mouse.click(position["x"], position["y"])

    expect(page).to_have_url(re.compile(r"/reports/entries/\?"))
    expect(page.locator("table.report-entries tbody tr")).to_have_count(1)
    expect(page.locator("table.report-entries")).to_contain_text("Beta pasada")
    assert f"date_from={last_week.isoformat()}" in page.url and "client=BETA" in page.url
