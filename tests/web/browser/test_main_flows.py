"""The main flows in headless Chromium, as a user goes through them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hexa.crm.models import Dedication, Task
from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def clients(transactional_db):
    acme = factories.client("ACME", name="Acme Industrial", tax_id="B11111111")
    factories.task(factories.project(acme, "ACME"), "Seguimiento")
    bodegas = factories.client("BODEGAS", name="Bodegas Valdehierro")
    factories.project(bodegas, "BOD-EXPORT", name="Exportación")
    factories.project(bodegas, "BOD-TIENDA", name="Tienda online")
    factories.client("ZETA", name="Zeta Consultores", tax_id="B99999999")
    return {"acme": acme, "bodegas": bodegas}


def open_quick_log(page: Page, code: str) -> None:
    page.locator(f"#client-row-{code} a.log").click()
    expect(page.locator("dialog#dialog")).to_be_visible()
    expect(page.locator("dialog textarea")).to_be_focused()


def test_sign_in_with_a_wrong_password_then_the_right_one(page, live_server, ana, clients):
    page.goto(live_server.url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    page.fill("#id_username", "ana")
    page.fill("#id_password", "wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".form-error")).to_be_visible()

    page.fill("#id_password", "pw-Secret-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    expect(page.locator("#client-row-ACME")).to_be_visible()


def test_search_as_you_type_filters_the_table_and_the_address(signed_in, live_server, clients):
    page = signed_in
    page.goto(live_server.url)
    expect(page.locator("tbody tr")).to_have_count(3)

    page.locator("#id_q").press_sequentially("b9999")

    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("#client-row-ZETA")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=b9999"))

    page.locator("#id_q").fill("nothing like it")
    expect(page.get_by_text("No client matches.")).to_be_visible()


def test_quick_log_from_the_explorer(signed_in, live_server, clients, today):
    page = signed_in
    page.goto(live_server.url)

    open_quick_log(page, "ACME")
    page.keyboard.type("Called about the new order")
    page.fill("#id_minutes", "1h30")
    page.fill("#id_next_follow_up", (today + dt.timedelta(days=7)).isoformat())
    page.keyboard.press("Control+Enter")

    expect(page.locator("dialog#dialog")).to_be_hidden()
    message = page.locator("#messages .message")
    expect(message).to_contain_text("Activity logged for ACME on project ACME")
    expect(message).to_contain_text("task “Seguimiento”")
    row = page.locator("#client-row-ACME")
    next_day = today + dt.timedelta(days=7)
    expect(row.locator("td.follow-up time")).to_have_attribute("datetime", next_day.isoformat())
    expect(row.locator("td").nth(4).locator("time")).to_have_attribute(
        "datetime", today.isoformat()
    )
    dedication = Dedication.objects.get()
    assert (dedication.text, dedication.minutes, dedication.employee.code) == (
        "Called about the new order",
        90,
        "ANA",
    )
    assert dedication.via == "web" and dedication.recorded_by.username == "ana"
    assert Task.objects.get(project__code="ACME").next_follow_up == next_day


def test_escape_closes_the_dialog_without_recording(signed_in, live_server, clients):
    page = signed_in
    page.goto(live_server.url)
    open_quick_log(page, "ACME")
    page.keyboard.type("Never mind")

    page.keyboard.press("Escape")

    expect(page.locator("dialog#dialog")).to_be_hidden()
    assert Dedication.objects.count() == 0


def test_ambiguous_client_asks_for_the_project(signed_in, live_server, clients, today):
    shop_task = factories.task(
        clients["bodegas"].projects.get(code="BOD-TIENDA"),
        "Fotos",
        next_follow_up=today + dt.timedelta(days=4),
    )
    page = signed_in
    page.goto(live_server.url)
    open_quick_log(page, "BODEGAS")
    expect(page.get_by_text("has several active projects")).to_be_visible()
    page.keyboard.type("Tasting with the buyer")

    page.get_by_role("button", name="Finish").click()
    # The server asks for the missing choice, on the field, in Hexa's language (no browser
    # bubble); nothing is recorded and what was typed stays.
    expect(page.locator("dialog .field-error")).to_contain_text(
        "Choose the project this activity is for."
    )
    expect(page.locator("dialog textarea")).to_have_value("Tasting with the buyer")
    assert Dedication.objects.count() == 0

    page.get_by_label("BOD-TIENDA").check()
    # The next follow-up now shows the date of the task the log will use.
    expect(page.locator("#id_next_follow_up")).to_have_value(
        f"{today + dt.timedelta(days=4):%d/%m/%Y}"
    )
    page.get_by_role("button", name="Finish").click()

    expect(page.locator("dialog#dialog")).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text("project BOD-TIENDA")
    assert Dedication.objects.get().task == shop_task
    shop_task.refresh_from_db()
    assert shop_task.next_follow_up == today + dt.timedelta(days=4)


def test_a_field_error_keeps_what_was_typed_until_corrected(signed_in, live_server, clients, today):
    page = signed_in
    page.goto(live_server.url)
    open_quick_log(page, "ACME")
    page.keyboard.type("Visit")
    page.fill("#id_minutes", "a while")
    page.fill("#id_date", (today + dt.timedelta(days=2)).isoformat())

    page.keyboard.press("Control+Enter")

    expect(page.locator("#id_minutes")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("dialog")).to_contain_text("cannot be in the future")
    expect(page.locator("#id_minutes")).to_have_value("a while")
    expect(page.locator("dialog textarea")).to_have_value("Visit")
    assert Dedication.objects.count() == 0

    page.fill("#id_minutes", "45")
    page.fill("#id_date", today.isoformat())
    page.get_by_role("button", name="Finish").click()

    expect(page.locator("dialog#dialog")).to_be_hidden()
    assert Dedication.objects.get().minutes == 45


def test_double_click_on_finish_records_one_dedication(signed_in, live_server, clients):
    page = signed_in
    page.goto(live_server.url)
    open_quick_log(page, "ACME")
    page.keyboard.type("Double click")

    page.get_by_role("button", name="Finish").dblclick()

    expect(page.locator("dialog#dialog")).to_be_hidden()
    expect(page.locator("#messages .message")).to_be_visible()
    assert Dedication.objects.count() == 1


def test_the_client_page_logs_and_updates_its_lists(signed_in, live_server, clients):
    page = signed_in
    page.goto(live_server.url)
    page.get_by_role("link", name="ACME").click()
    expect(page.get_by_role("heading", name="ACME Acme Industrial")).to_be_visible()
    expect(page.get_by_text("Nothing recorded yet.")).to_be_visible()

    page.get_by_role("button", name="Log activity").click()
    expect(page.locator("dialog textarea")).to_be_focused()
    page.keyboard.type("Phoned the manager")
    page.keyboard.press("Control+Enter")

    expect(page.locator("dialog#dialog")).to_be_hidden()
    expect(page.locator("#client-lists")).to_contain_text("Phoned the manager")
    expect(page).to_have_url(f"{live_server.url}/clients/ACME/")


def test_without_javascript_the_quick_log_is_a_page(browser, live_server, ana, clients):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(f"{live_server.url}/?q=acme")

    page.locator("#client-row-ACME a.log").click()
    expect(page).to_have_url(re.compile(r"/clients/ACME/log/"))
    page.fill("textarea", "Logged without JavaScript")
    page.fill("#id_minutes", "")
    page.get_by_role("button", name="Finish").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#messages")).to_contain_text("Activity logged for ACME")
    assert Dedication.objects.get().text == "Logged without JavaScript"

    context.close()


def test_a_resubmitted_form_records_one_dedication(browser, live_server, ana, clients):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(f"{live_server.url}/clients/ACME/log/")
    page.fill("textarea", "Sent twice")
    fields = {
        name: page.locator(f"form#quick-log-form [name='{name}']").first.input_value()
        for name in ("csrfmiddlewaretoken", "token", "text", "employee", "date", "next")
    }

    page.get_by_role("button", name="Finish").click()
    expect(page.locator("#messages")).to_contain_text("Activity logged")
    # The same form again, as a reload or a retry after a timeout sends it.
    again = context.request.post(
        f"{live_server.url}/clients/ACME/log/",
        form={**fields, "initial-next_follow_up": "", "next_follow_up": "", "minutes": ""},
        headers={"Referer": f"{live_server.url}/clients/ACME/log/"},
    )

    assert again.ok
    assert Dedication.objects.count() == 1
    context.close()


def test_without_javascript_search_and_errors_work(browser, live_server, ana, clients):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(live_server.url)

    page.fill("#id_q", "zeta")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)

    page.goto(f"{live_server.url}/clients/BODEGAS/log/")
    page.fill("textarea", "x")
    page.fill("#id_minutes", "2000")
    page.get_by_label("BOD-EXPORT").check()
    page.get_by_role("button", name="Finish").click()
    expect(page.locator(".field-error")).to_contain_text("between 0 and 1440")
    expect(page.locator("textarea")).to_have_value("x")
    page.fill("#id_minutes", "20")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("#messages")).to_contain_text("project BOD-EXPORT")
    context.close()


def test_spanish_interface_from_the_browser_and_switchable(browser, live_server, ana, clients):
    context = browser.new_context(locale="es-ES")
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(live_server.url)

    expect(page.get_by_role("heading", name="Clientes")).to_be_visible()
    open_quick_log(page, "ACME")
    expect(page.locator("dialog")).to_contain_text("Registrar dedicación")
    page.keyboard.type("Llamada")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#messages")).to_contain_text("Dedicación registrada para ACME")

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    context.close()


def test_phone_width_has_no_sideways_scrolling_and_logs(browser, live_server, ana, clients):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(live_server.url)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    open_quick_log(page, "ACME")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.type("From the phone")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("#messages")).to_contain_text("Activity logged")
    context.close()


def test_overdue_follow_ups_stand_out(signed_in, live_server, clients):
    Task.objects.filter(project__code="ACME").update(
        next_follow_up=timezone.localdate() - dt.timedelta(days=3)
    )
    signed_in.goto(live_server.url)

    expect(signed_in.locator("#client-row-ACME .badge.overdue")).to_have_text("overdue")


def test_phone_width_fits_every_page(browser, live_server, ana, clients):
    task = factories.task(Task.objects.first().project, "Call back")
    factories.dedication(task, ana.employee, minutes=30)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-ES")
    sign_in(context, live_server, ana)
    page = context.new_page()
    pages = [
        "/",
        "/agenda/?who=all",
        "/projects/",
        f"/projects/{task.project.code}/",
        "/tasks/",
        f"/tasks/{task.pk}/",
        "/employees/",
        "/clients/ACME/",
        "/clients/ACME/tasks/new/?kind=incident",
        "/clients/ACME/dedications/new/",
        f"/dedications/{task.dedications.get().pk}/edit/",
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    context.close()


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
