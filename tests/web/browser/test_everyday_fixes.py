"""Smaller everyday things in headless Chromium, in Spanish: a dedication changed from the
client page returns there, its time shown as the lists show it; a bar of the chart opens its
dedications; "Gestión pendiente" lists the longest overdue first, and an order chosen stays
when a filter changes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("short_waits")]


def test_a_dedication_changed_from_the_client_page_returns_there(spanish_page, live_server, ana):
    acme = factories.client("ACME", name="Acme Industrial")
    task = factories.task(factories.project(acme, "ACME"), "Seguimiento")
    dedication = factories.dedication(
        task, ana.employee, text="Llamada", minutes=240, recorded_by=ana
    )
    page = spanish_page
    page.goto(f"{live_server.url}/clients/ACME/")
    expect(page.locator("table.dedications")).to_contain_text("4h")

    page.locator("table.dedications").get_by_role("link", name="Cambiar").click()
    expect(page.locator("#id_minutes")).to_have_value("4h")
    page.fill("#id_text", "Llamada y presupuesto enviado")
    page.fill("#id_minutes", "4h30")
    page.get_by_role("button", name="Guardar").click()

    expect(page).to_have_url(f"{live_server.url}/clients/ACME/")
    expect(page.locator("table.dedications")).to_contain_text("Llamada y presupuesto enviado")
    expect(page.locator("table.dedications")).to_contain_text("4h30")
    dedication.refresh_from_db()
    assert dedication.minutes == 270


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


def test_follow_up_due_lists_the_longest_overdue_first_and_keeps_an_order_chosen(
    spanish_page, live_server
):
    today = timezone.localdate()
    for code, name, days in [
        ("AAA", "Alfa", 0),
        ("BBB", "Delta", -7),
        ("CCC", "Charlie", -1),
        ("DDD", "Bravo", 7),
    ]:
        client = factories.client(code, name=name)
        factories.task(factories.project(client, code), next_follow_up=today + dt.timedelta(days))
    page = spanish_page
    page.goto(live_server.url)
    rows = page.locator("table.clients tbody tr td:first-child")
    expect(rows).to_have_text(["AAA", "BBB", "CCC", "DDD"])

    page.get_by_label("Gestión pendiente").check()
    expect(rows).to_have_text(["BBB", "CCC", "AAA"])
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Próxima gestión")

    # An order chosen in the table stays when a filter changes.
    page.locator("table.clients thead").get_by_role("link", name="Nombre").click()
    expect(rows).to_have_text(["AAA", "CCC", "BBB"])
    page.get_by_label("Gestión pendiente").uncheck()
    expect(rows).to_have_text(["AAA", "DDD", "CCC", "BBB"])
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Nombre")
