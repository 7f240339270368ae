"""What the user sees after a one-click action, in headless Chromium and in Spanish: the
confirmation is a toast in the window wherever the page is scrolled, read out by screen
readers, with a link to what was recorded and the changed row lit up; "Hecha" and the
reschedules can be undone from it; what is typed in the quick log survives Escape and Cancel
until it is recorded; a text near its limit is counted, and one over it is refused, never cut.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from hexa.crm.models import Dedication, Task
from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("short_waits")]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def open_spanish_page(browser, live_server, user, viewport=DESKTOP, javascript=True) -> Page:
    context = browser.new_context(locale="es-ES", viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(5_000)
    sign_in(context, live_server, user)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def in_window(page: Page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def open_log(page: Page, row, name: str = "Registrar dedicación") -> None:
    row.get_by_role("button", name=name, exact=True).click()
    expect(page.locator("dialog#dialog textarea[name=text]")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_logging_on_the_last_row_confirms_in_the_window_and_lights_up_the_row(
    browser, live_server, ana, viewport
):
    for number in range(1, 26):
        factories.client(f"CLI{number:02d}", name=f"Cliente número {number}")
    page = open_spanish_page(browser, live_server, ana, viewport)
    page.goto(live_server.url + "/")
    last = page.locator("table.clients tbody tr").last
    expect(last).to_have_id("client-row-CLI25")
    last.scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > 500  # far below the top of the page

    open_log(page, last)
    page.fill("textarea[name=text]", "Llamada: pide presupuesto")
    page.get_by_role("button", name="Finalizar").click()

    toast = page.get_by_role("status").filter(has_text="Dedicación registrada para CLI25")
    expect(toast).to_be_visible()
    # Read as a user reads it, pointer on it: it stays (alone it leaves after 8 s, which a
    # busy machine reached before the last check).
    toast.hover()
    expect(toast).to_contain_text("el nuevo proyecto CLI25")
    expect(toast).to_contain_text("la nueva tarea «Seguimiento»")
    assert in_window(page, toast)
    expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#client-row-CLI25")).to_have_class(re.compile(r"\bchanged\b"))
    row = page.locator("#client-row-CLI25").bounding_box()
    assert row["y"] >= 0 and row["y"] + row["height"] <= toast.bounding_box()["y"]  # not under it
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0

    dedication = Dedication.objects.get(client__code="CLI25")
    link = toast.get_by_role("link", name="Ver la dedicación")
    expect(link).to_have_attribute("href", f"/projects/CLI25/#dedication-{dedication.pk}")
    link.click()
    expect(page.locator(f"#dedication-{dedication.pk}")).to_contain_text("pide presupuesto")
    assert page.errors == []
    page.context.close()


def test_logging_from_the_client_page_and_the_agenda_lights_up_what_changed(
    browser, live_server, ana, today
):
    acme = factories.client("ACME", name="Acme Industrial")
    task = factories.task(
        factories.project(acme, "ACME"), "Llamar", next_follow_up=today - dt.timedelta(days=2)
    )
    task.assigned_to = ana.employee
    task.save()
    page = open_spanish_page(browser, live_server, ana, PHONE)

    page.goto(live_server.url + "/clients/ACME/")
    page.locator(".page-head a.log").click()
    page.fill("textarea[name=text]", "Visita en la nave")
    page.fill("input[name=next_follow_up]", "")
    page.get_by_role("button", name="Finalizar").click()
    toast = page.get_by_role("status").filter(has_text="Dedicación registrada para ACME")
    expect(toast).to_be_visible()
    assert in_window(page, toast)
    new = Dedication.objects.get(text="Visita en la nave")
    expect(page.locator(f"#dedication-{new.pk}")).to_have_class(re.compile(r"\bchanged\b"))

    task.next_follow_up = today - dt.timedelta(days=2)
    task.save()
    page.goto(live_server.url + "/agenda/")
    open_log(page, page.locator(f"#agenda-task-{task.pk}"), "Registrar")
    page.fill("textarea[name=text]", "Segunda llamada")
    page.fill("input[name=next_follow_up]", "")
    page.fill("input[name=next_follow_up]", (today + dt.timedelta(days=3)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Finalizar").click()
    toast = page.get_by_role("status").filter(has_text="Dedicación registrada para ACME")
    expect(toast).to_be_visible()
    assert in_window(page, toast)
    expect(page.locator(f"#agenda-task-{task.pk}")).to_have_class(re.compile(r"\bchanged\b"))
    assert page.errors == []
    page.context.close()


def test_escape_and_cancel_keep_a_draft_per_client_until_it_is_recorded(browser, live_server, ana):
    factories.client("ACME", name="Acme Industrial")
    factories.client("BETA", name="Beta Logística")
    page = open_spanish_page(browser, live_server, ana)
    page.goto(live_server.url + "/")
    acme = page.locator("#client-row-ACME")
    beta = page.locator("#client-row-BETA")
    dialog = page.locator("dialog#dialog")

    open_log(page, acme)
    page.fill("textarea[name=text]", "Llamada larga sobre el pedido de enero")
    page.fill("input[name=minutes]", "45")
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()

    # Another client starts empty: drafts are per client.
    open_log(page, beta)
    expect(page.locator("textarea[name=text]")).to_have_value("")
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).not_to_be_visible()

    open_log(page, acme)
    expect(page.locator("textarea[name=text]")).to_have_value(
        "Llamada larga sobre el pedido de enero"
    )
    expect(page.locator("input[name=minutes]")).to_have_value("45")
    expect(dialog.get_by_role("status")).to_contain_text("Ha vuelto el texto que no terminaste.")
    page.fill("textarea[name=text]", "Llamada larga sobre el pedido de enero y febrero")
    dialog.get_by_role("button", name="Cancelar").click()

    # After a reload of the page too (same tab); Finish records it and forgets the draft.
    page.reload()
    open_log(page, page.locator("#client-row-ACME"))
    expect(page.locator("textarea[name=text]")).to_have_value(
        "Llamada larga sobre el pedido de enero y febrero"
    )
    page.get_by_role("button", name="Finalizar").click()
    expect(page.get_by_role("status").filter(has_text="Dedicación registrada")).to_be_visible()
    recorded = Dedication.objects.get()
    assert recorded.text == "Llamada larga sobre el pedido de enero y febrero"
    assert recorded.minutes == 45

    open_log(page, page.locator("#client-row-ACME"))
    expect(page.locator("textarea[name=text]")).to_have_value("")
    expect(dialog.locator(".draft-note")).to_have_count(0)

    # "Descartarlo" empties a restored draft for good.
    page.fill("textarea[name=text]", "Nota que no quiero")
    page.keyboard.press("Escape")
    open_log(page, page.locator("#client-row-ACME"))
    dialog.get_by_role("button", name="Descartarlo").click()
    expect(page.locator("textarea[name=text]")).to_have_value("")
    page.keyboard.press("Escape")
    open_log(page, page.locator("#client-row-ACME"))
    expect(page.locator("textarea[name=text]")).to_have_value("")
    assert page.errors == []
    page.context.close()


def test_a_long_text_is_counted_near_the_limit_and_refused_over_it_not_cut(
    browser, live_server, ana
):
    factories.client("ACME", name="Acme Industrial")
    page = open_spanish_page(browser, live_server, ana)
    page.goto(live_server.url + "/")
    open_log(page, page.locator("#client-row-ACME"))
    text = page.locator("textarea[name=text]")
    counter = page.locator("#id_text-counter")

    page.fill("textarea[name=text]", "Llamada corta")
    expect(counter).to_be_hidden()
    page.fill("textarea[name=text]", "a" * 9_500)
    expect(counter).to_be_visible()
    expect(counter).to_have_text("9500 de 10.000 caracteres")
    expect(counter).to_have_attribute("aria-live", "polite")
    expect(text).to_have_attribute("aria-describedby", re.compile("id_text-counter"))

    pasted = "presupuesto " * 1_063 + "fin"  # 12,759 characters, as pasted
    page.fill("textarea[name=text]", pasted)
    expect(text).to_have_value(pasted)  # nothing is cut silently
    expect(counter).to_have_text(
        f"Sobran {len(pasted) - 10_000} caracteres: el límite es 10.000. "
        "Acorta el texto para registrarlo."
    )
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    page.get_by_role("button", name="Finalizar").click()
    expect(page.locator("dialog#dialog .field-error")).to_contain_text(
        f"El texto tiene {len(pasted)} caracteres; el máximo es 10000."
    )
    expect(text).to_have_value(pasted)
    assert not Dedication.objects.exists()
    assert page.errors == []
    page.context.close()


def test_the_toast_and_a_long_url_do_not_make_the_client_page_scroll_sideways(
    browser, live_server, ana
):
    acme = factories.client("ACME", name="Acme Industrial")
    task = factories.task(factories.project(acme, "ACME"))
    url = "https://intranet.example.com/" + "x" * 3_000
    factories.dedication(task, ana.employee, text=url, recorded_by=ana)
    for viewport in (DESKTOP, PHONE):
        page = open_spanish_page(browser, live_server, ana, viewport)
        page.goto(live_server.url + "/clients/ACME/")
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
        page.locator("table.dedications").get_by_text("ver más").first.click()
        page.locator(".page-head a.log").click()
        page.fill("textarea[name=text]", "Enlace: " + url)
        page.get_by_role("button", name="Finalizar").click()
        expect(page.get_by_role("status").filter(has_text="Dedicación registrada")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
        assert page.errors == []
        page.context.close()


@pytest.fixture
def overdue(transactional_db, ana, today):
    acme = factories.client("ACME", name="Acme Industrial")
    task = factories.task(
        factories.project(acme, "ACME"), "Llamar", next_follow_up=today - dt.timedelta(days=3)
    )
    Task.objects.filter(pk=task.pk).update(assigned_to=ana.employee)
    task.refresh_from_db()
    return task


def test_done_in_the_agenda_can_be_undone_from_its_toast(browser, live_server, ana, overdue):
    due = overdue.next_follow_up
    page = open_spanish_page(browser, live_server, ana, PHONE)
    page.goto(live_server.url + "/agenda/")
    heading = page.get_by_role("heading", name=re.compile("Vencidas"))
    top = heading.bounding_box()["y"]
    row = page.locator(f"#agenda-task-{overdue.pk}")

    row.get_by_role("button", name="Hecha").click()
    toast = page.get_by_role("status").filter(has_text="«Llamar» hecha.")
    expect(toast).to_be_visible()
    expect(row).to_have_count(0)
    assert in_window(page, toast)
    assert heading.bounding_box()["y"] == top  # the toast does not push the list down
    overdue.refresh_from_db()
    assert overdue.status == Task.Status.DONE

    toast.get_by_role("button", name="Deshacer").click()
    expect(page.get_by_role("status").filter(has_text="vuelve a estar como estaba")).to_be_visible()
    expect(row).to_be_visible()
    expect(row).to_have_class(re.compile(r"\bchanged\b"))
    overdue.refresh_from_db()
    assert overdue.status == Task.Status.PENDING
    assert overdue.next_follow_up == due
    assert overdue.completed_at is None

    # "+1 semana" too: Deshacer puts back the overdue date, which no reschedule could set.
    row.get_by_role("button", name="+1 semana").click()
    toast = page.get_by_role("status").filter(has_text="«Llamar»: próxima gestión")
    expect(toast).to_be_visible()
    overdue.refresh_from_db()
    assert overdue.next_follow_up > due
    toast.get_by_role("button", name="Deshacer").click()
    expect(page.get_by_role("status").filter(has_text="vuelve a estar como estaba")).to_be_visible()
    overdue.refresh_from_db()
    assert overdue.next_follow_up == due
    assert page.errors == []
    page.context.close()


def test_without_javascript_done_is_undone_from_the_message(browser, live_server, ana, overdue):
    due = overdue.next_follow_up
    page = open_spanish_page(browser, live_server, ana, javascript=False)
    page.goto(live_server.url + "/agenda/")
    page.locator(f"#agenda-task-{overdue.pk}").get_by_role("button", name="Hecha").click()
    expect(page).to_have_url(f"{live_server.url}/agenda/")
    message = page.locator("#messages .message")
    expect(message).to_contain_text("«Llamar» hecha.")
    assert in_window(page, message)
    overdue.refresh_from_db()
    assert overdue.status == Task.Status.DONE

    message.get_by_role("button", name="Deshacer").click()
    expect(page).to_have_url(f"{live_server.url}/agenda/")
    expect(page.locator(f"#agenda-task-{overdue.pk}")).to_be_visible()
    overdue.refresh_from_db()
    assert overdue.status == Task.Status.PENDING and overdue.next_follow_up == due
    page.context.close()


def test_a_request_that_fails_says_so_instead_of_nothing(browser, live_server, user, settings):
    """htmx swaps nothing when the server refuses a request or never answers: a toast says
    what happened and that nothing was saved, and the dialog keeps what was typed."""
    factories.client("ACME", name="Acme Industrial")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000  # a real 413 from Django for a long text
    page = open_spanish_page(browser, live_server, user)
    page.goto(live_server.url)
    open_log(page, page.locator("#client-row-ACME"))
    dialog = page.locator("dialog#dialog")
    dialog.locator("textarea[name=text]").fill("Llamada larga. " * 200)

    dialog.get_by_role("button", name="Finalizar").click()

    toast = page.locator("#messages .message[role=alert]")
    expect(toast).to_contain_text("demasiado grande")
    expect(dialog.locator("textarea[name=text]")).to_have_value(re.compile("^Llamada larga"))

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    page.route("**/clients/ACME/log/", lambda route: route.abort())
    dialog.get_by_role("button", name="Finalizar").click()
    expect(page.locator("#messages .message[role=alert]").last).to_contain_text("no respondió")

    page.unroute("**/clients/ACME/log/")
    page.route(
        "**/clients/ACME/log/",
        lambda route: route.fulfill(status=503, body="Volvemos enseguida"),
    )
    dialog.get_by_role("button", name="Finalizar").click()
    expect(page.locator("#messages .message[role=alert]").last).to_contain_text(
        "no está disponible"
    )
    assert not Dedication.objects.exists()
    assert page.errors == []
