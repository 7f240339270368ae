"""Date fields and pickers in headless Chromium set to American English, with Spanish chosen
in Hexa: dates shown and typed as dd/mm/yyyy, a calendar in Spanish that works from the
keyboard under the Content-Security-Policy, messages in the page instead of the browser's
bubbles, and clients found as one types; all of it without JavaScript too."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from hexa.crm.models import Dedication, Task
from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SPANISH_MONTHS = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
]  # fmt: skip


@pytest.fixture
def world(transactional_db, ana, today):
    acme = factories.client("ACME", name="Acme Industrial")
    task = factories.task(factories.project(acme, "ACME"), "Seguimiento")
    for code, name in (("HOTELSOL", "Hotel Sol"), ("HOTELMAR", "Hotel Mar Azul")):
        client = factories.client(code, name=name)
        other = factories.task(factories.project(client, code))
        factories.dedication(other, ana.employee, date=today, minutes=60)
    return {"task": task}


def american(browser, live_server, ana, *, javascript: bool = True) -> BrowserContext:
    """A browser in en-US (mm/dd/yyyy, English bubbles) where Ana chose Spanish in Hexa."""
    context = browser.new_context(
        locale="en-US", java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    sign_in(context, live_server, ana)
    return context


@pytest.fixture
def page(browser, live_server, ana) -> Iterator[Page]:
    """A page of that browser; any error in the console (a CSP refusal too) fails the test."""
    context = american(browser, live_server, ana)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == []


def test_a_date_is_shown_and_typed_day_first_in_an_american_browser(
    page, live_server, world, today
):
    page.goto(f"{live_server.url}/projects/ACME/dedications/new/")
    date = page.locator("#id_date")
    expect(date).to_have_value(f"{today:%d/%m/%Y}")
    expect(date).to_have_attribute("type", "text")

    day = today - dt.timedelta(days=today.day + 2)  # a day of last month, never in the future
    page.locator("#id_text").fill("Visita")
    date.fill(f"{day.day}/{day.month}/{day.year}")
    page.get_by_role("button", name="Registrar").click()

    expect(page.locator("#messages")).to_contain_text("Dedicación registrada en ACME")
    assert Dedication.objects.get(text="Visita").date == day


def test_the_calendar_in_spanish_from_the_keyboard(page, live_server, world):
    page.goto(f"{live_server.url}/tasks/{world['task'].pk}/")
    field = page.locator("#id_to")
    field.fill("30/01/2027")

    field.press("Alt+ArrowDown")  # or the calendar button
    calendar = page.locator(".date-picker:popover-open")
    expect(calendar).to_be_visible()
    expect(calendar.locator(".date-picker-heading")).to_have_text("enero de 2027")
    expect(page.get_by_role("button", name="Mes siguiente")).to_be_attached()
    expect(calendar.locator("calendar-month")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # into February
    expect(calendar.locator(".date-picker-heading")).to_have_text("febrero de 2027")
    # The calendar draws February, then gives the focus back to its day, as a person sees it.
    expect(calendar.get_by_role("button", name="1 de febrero", exact=True)).to_be_focused()
    page.keyboard.press("Enter")

    expect(calendar).to_have_count(0)
    expect(field).to_have_value("01/02/2027")
    expect(field).to_be_focused()
    page.get_by_role("button", name="Mover").click()
    expect(page.locator(".task-facts time")).to_have_attribute("datetime", "2027-02-01")


def test_the_calendar_button_opens_and_escape_closes_it(page, live_server, world):
    page.goto(f"{live_server.url}/tasks/{world['task'].pk}/")
    toggle = page.get_by_role("button", name="Elegir una fecha")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    days = page.locator(".date-picker:popover-open calendar-month")
    expect(days).to_be_visible()
    page.keyboard.press("Escape")

    expect(page.locator(".date-picker:popover-open")).to_have_count(0)
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_the_calendar_of_the_quick_log_dialog_and_escape(page, live_server, world, today):
    page.goto(live_server.url)
    page.locator("#client-row-ACME a.log").click()
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()

    dialog.get_by_role("button", name="Elegir una fecha").first.click()
    calendar = page.locator(".date-picker:popover-open")
    expect(calendar).to_be_visible()
    expect(calendar.locator(".date-picker-heading")).to_have_text(
        f"{SPANISH_MONTHS[today.month - 1]} de {today.year}"
    )
    page.keyboard.press("Escape")

    expect(calendar).to_have_count(0)
    expect(dialog).to_be_visible()  # Escape closed the calendar, not the dialog


def test_today_in_the_calendar(page, live_server, world, today):
    page.goto(f"{live_server.url}/tasks/{world['task'].pk}/")
    page.locator("#id_to").fill("01/01/2020")
    page.get_by_role("button", name="Elegir una fecha").click()

    page.locator(".date-picker:popover-open").get_by_role("button", name="Hoy").click()

    expect(page.locator("#id_to")).to_have_value(f"{today:%d/%m/%Y}")


def test_the_calendar_fits_a_phone(browser, live_server, ana, world):
    context = american(browser, live_server, ana)
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/tasks/{world['task'].pk}/")

    page.get_by_role("button", name="Elegir una fecha").click()
    expect(page.locator(".date-picker:popover-open calendar-month")).to_be_focused()  # drawn
    box = page.locator(".date-picker:popover-open").bounding_box()

    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740
    context.close()


def test_a_missing_field_is_said_in_the_page_in_spanish(page, live_server, world):
    page.goto(f"{live_server.url}/clients/new/")

    page.get_by_role("button", name="Crear cliente").click()

    # No browser bubble stopped the form: the server's messages are on the fields.
    expect(page.locator("#id_code_error")).to_have_text("Este campo es obligatorio.")
    expect(page.locator("#id_name_error")).to_have_text("Este campo es obligatorio.")


def test_a_date_that_is_not_one_is_said_in_the_page(page, live_server, world):
    page.goto(f"{live_server.url}/tasks/{world['task'].pk}/edit/")

    page.locator("#id_next_follow_up").fill("31/02/2027")
    page.get_by_role("button", name="Guardar").click()

    expect(page.locator("#id_next_follow_up_error")).to_have_text("Introduzca una fecha válida.")
    expect(page.locator("#id_next_follow_up")).to_have_value("31/02/2027")


def test_dates_without_javascript(browser, live_server, ana, world):
    context = american(browser, live_server, ana, javascript=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/tasks/{world['task'].pk}/edit/")
    expect(page.get_by_role("button", name="Elegir una fecha")).to_be_hidden()

    page.locator("#id_next_follow_up").fill("5-3-27")
    page.get_by_role("button", name="Guardar").click()

    expect(page.locator("#messages")).to_be_visible()
    context.close()
    world["task"].refresh_from_db()
    assert world["task"].next_follow_up == dt.date(2027, 3, 5)


# --- Pickers --------------------------------------------------------------------------------


def test_a_client_chosen_as_one_types_in_the_report(page, live_server, world):
    page.goto(f"{live_server.url}/reports/?period=this_month")
    field = page.get_by_role("combobox", name="Cliente")

    field.press_sequentially("hotel")
    options = page.locator("#id_client-options").get_by_role("option")
    expect(options).to_have_count(2)
    expect(page.locator("#id_client-options [data-summary]")).to_have_text("2 sugerencias.")
    expect(field).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(".+"))
    page.keyboard.press("Enter")

    expect(field).to_have_value("HOTELSOL")
    expect(page.locator("#id_client-options")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"client=HOTELSOL"))  # the report followed
    expect(page.locator(".report-totals-table tbody tr")).to_have_count(1)
    expect(page.locator(".report-totals-table tbody")).to_contain_text("Hotel Sol")


def test_a_name_that_names_several_keeps_the_report(page, live_server, world):
    page.goto(f"{live_server.url}/reports/?period=this_month")
    field = page.get_by_role("combobox", name="Cliente")

    field.fill("Hotel")
    expect(page.locator("#id_client-options").get_by_role("option")).to_have_count(2)
    page.keyboard.press("Escape")  # no suggestion taken
    expect(page.locator("#id_client-options")).to_be_hidden()
    page.get_by_role("button", name="Ver").click()

    expect(page.locator("#id_client_error")).to_contain_text("«Hotel» coincide con varios")
    expect(page.locator(".report-totals-table tbody tr")).to_have_count(2)  # still there
    expect(field).to_have_value("Hotel")


def test_a_client_typed_without_javascript(browser, live_server, ana, world):
    context = american(browser, live_server, ana, javascript=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/reports/statement/")

    page.locator("#id_client").fill("mar azul")
    page.get_by_role("button", name="Ver extracto").click()

    expect(page.locator(".statement h1")).to_be_visible()
    expect(page.locator(".statement-head")).to_contain_text("Hotel Mar Azul")
    expect(page.locator("#id_client")).to_have_value("HOTELMAR")
    context.close()


def test_a_picker_in_a_form_page(page, live_server, world):
    page.goto(f"{live_server.url}/projects/new/")
    page.locator("#id_code").fill("SOL-SPA")
    page.locator("#id_name").fill("Spa")

    page.locator("#id_client").press_sequentially("sol")
    page.get_by_role("option", name=re.compile("HOTELSOL")).click()
    expect(page.locator("#id_client")).to_have_value("HOTELSOL")
    page.get_by_role("button", name="Crear proyecto").click()

    expect(page.locator("#messages")).to_contain_text("Proyecto SOL-SPA creado.")
    assert Task.objects.count() == 3
