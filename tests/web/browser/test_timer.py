"""The timer in headless Chromium, on a phone (360 px) in Spanish: it survives a reload, shows
on another browser of the same user, asks before replacing itself, stops into the quick log
with the time spent, asks to confirm past the limit, and keeps a start made offline until the
server can be told."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from hexa.crm.models import Dedication, RunningTimer
from hexa.crm.services import timer as timers
from tests import factories
from tests.web.browser.conftest import quiet, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
CLOCK = re.compile(r"^\d+:\d\d:\d\d$")


@pytest.fixture
def phones(transactional_db, browser, live_server, ana) -> Iterator[Callable[[], Page]]:
    """Make phones (browser contexts) signed in as Ana, in Spanish; page errors fail the test.
    They close before the test database is emptied: a page still telling the server something
    (timer.js tries again a little later) would otherwise meet the flush."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def phone() -> Page:
        context = browser.new_context(locale="es-ES", viewport=PHONE)
        context.set_default_timeout(5_000)
        sign_in(context, live_server, ana)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield phone
    for context in contexts:
        quiet(context)
        context.close()
    assert errors == []


@pytest.fixture
def acme(transactional_db):
    return factories.client("ACME", name="Acme Industrial")


def start(page: Page, code: str) -> None:
    page.locator(f"#client-row-{code} form.timer-start button").click()


def nav(page: Page):
    return page.locator("#timer-nav")


def test_the_timer_survives_a_reload_and_stops_into_the_quick_log(phones, live_server, acme):
    page = phones()
    page.goto(live_server.url)

    start(page, "ACME")

    expect(nav(page).locator(".code")).to_have_text("ACME")
    expect(nav(page).locator("time")).to_have_text(CLOCK)
    assert RunningTimer.objects.get().client.code == "ACME"
    page.reload()
    expect(nav(page).locator(".code")).to_have_text("ACME")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    nav(page).get_by_role("button", name="Detener").click()
    dialog = page.locator("dialog#dialog")
    expect(dialog.locator("#id_minutes")).to_have_value("1m")
    expect(dialog.locator("#id_text")).to_be_focused()
    page.keyboard.type("Visita con cronómetro")
    dialog.get_by_role("button", name="Finalizar").click()

    expect(dialog.locator(".form-error")).to_have_count(0)
    expect(dialog).to_be_hidden()
    expect(nav(page)).to_be_hidden()
    dedication = Dedication.objects.get()
    assert (dedication.client.code, dedication.minutes) == ("ACME", 1)
    assert not RunningTimer.objects.exists()


def test_another_browser_of_the_same_user_sees_it_and_asks_before_a_second(
    phones, live_server, acme
):
    factories.client("BETA", name="Beta Logística")
    first, second = phones(), phones()
    first.goto(live_server.url)
    start(first, "ACME")
    expect(nav(first).locator(".code")).to_have_text("ACME")

    second.goto(live_server.url)
    expect(nav(second).locator(".code")).to_have_text("ACME")
    start(second, "BETA")
    dialog = second.locator("dialog#dialog")
    expect(dialog).to_contain_text("¿Lo detienes antes de iniciar uno en BETA?")
    dialog.get_by_role("button", name="Descartar ACME y cronometrar BETA").click()

    expect(nav(second).locator(".code")).to_have_text("BETA")
    first.reload()
    expect(nav(first).locator(".code")).to_have_text("BETA")
    nav(first).get_by_role("button", name="Descartar").click()
    expect(nav(first)).to_be_hidden()
    assert not RunningTimer.objects.exists()
    assert not Dedication.objects.exists()


def test_past_the_limit_stopping_asks_to_confirm_or_correct(phones, live_server, acme, ana):
    timers.start_timer(user=ana, client=acme, started_at=timezone.now() - dt.timedelta(hours=11))
    page = phones()
    page.goto(f"{live_server.url}/agenda/")

    nav(page).get_by_role("button", name="Detener").click()

    dialog = page.locator("dialog#dialog")
    expect(dialog).to_contain_text("más del límite de 10 horas")
    expect(dialog.locator("#id_minutes")).to_have_value("11h")
    dialog.locator("#id_text").fill("Olvidé pararlo")
    dialog.locator("#id_minutes").fill("2h")
    dialog.get_by_role("button", name="Finalizar").click()

    expect(dialog).to_be_hidden()
    assert Dedication.objects.get().minutes == 120
    assert not RunningTimer.objects.exists()


def test_a_timer_started_offline_reaches_the_server_when_back_online(phones, live_server, acme):
    page = phones()
    page.goto(live_server.url)
    page.context.set_offline(True)

    start(page, "ACME")

    expect(nav(page)).to_contain_text("sin conexión")
    expect(nav(page).locator(".code")).to_have_text("ACME")
    assert not RunningTimer.objects.exists()
    back_online = timezone.now()
    page.context.set_offline(False)
    expect(nav(page).locator("a.code")).to_have_text("ACME")  # the server's own, again
    timer = RunningTimer.objects.get()
    assert timer.client.code == "ACME"
    assert timer.started_at < back_online  # when it was pressed, not when it was sent


def test_a_timer_stopped_offline_opens_the_quick_log_when_back_online(
    phones, live_server, acme, ana
):
    timers.start_timer(user=ana, client=acme, started_at=timezone.now() - dt.timedelta(minutes=30))
    page = phones()
    page.goto(live_server.url)
    page.context.set_offline(True)

    nav(page).get_by_role("button", name="Detener").click()

    expect(nav(page)).to_contain_text("detenido sin conexión")
    page.context.set_offline(False)
    dialog = page.locator("dialog#dialog")
    expect(dialog.locator("#id_minutes")).to_have_value("30m")
    dialog.locator("#id_text").fill("Llamada en el coche")
    dialog.get_by_role("button", name="Finalizar").click()
    expect(dialog).to_be_hidden()
    # The page refreshes its row and the navigation after a log: the test's queries wait for
    # them (SQLite's in-memory database is one connection, shared with the live server).
    page.wait_for_load_state("networkidle")
    assert Dedication.objects.get().minutes == 30


def test_a_timer_discarded_offline_is_discarded_when_back_online(phones, live_server, acme, ana):
    timers.start_timer(user=ana, client=acme)
    page = phones()
    page.goto(live_server.url)
    page.context.set_offline(True)

    nav(page).get_by_role("button", name="Descartar").click()

    expect(nav(page)).to_be_hidden()
    assert RunningTimer.objects.exists()
    page.context.set_offline(False)
    for _ in range(50):  # until the device has told the server
        if page.evaluate("localStorage.getItem('hexa:timer:queue')") is None:
            break
        page.wait_for_timeout(100)
    page.reload()
    expect(nav(page)).to_be_hidden()
    assert not RunningTimer.objects.exists()


def test_the_log_page_starts_a_timer_on_the_chosen_client(phones, live_server, acme):
    page = phones()
    page.goto(f"{live_server.url}/log/")
    expect(page.locator("[data-log-timer]")).to_be_hidden()  # no client chosen yet

    page.get_by_label("Cliente").fill("acme")
    page.locator("[data-results] button").first.click()
    expect(page.locator("[data-log-timer] button")).to_have_text("Iniciar un temporizador en ACME")
    page.locator("[data-log-timer] button").click()

    expect(nav(page).locator(".code")).to_have_text("ACME")
    page.wait_for_load_state("networkidle")
    assert RunningTimer.objects.get().client.code == "ACME"


def told(page: Page) -> None:
    """Wait until the device has told the server everything it kept."""
    for _ in range(80):
        if page.evaluate("localStorage.getItem('hexa:timer:queue')") is None:
            return
        page.wait_for_timeout(100)
    raise AssertionError(page.evaluate("localStorage.getItem('hexa:timer:queue')"))


def test_offline_a_second_start_asks_first_and_a_stop_then_a_start_both_arrive(
    phones, live_server, acme, ana
):
    """Offline, the same question as online; Stop and Start are two actions kept in order:
    back online, the first timer's quick log opens with its time, then the second starts at
    the moment it was pressed."""
    factories.client("BETA", name="Beta Logística")
    timers.start_timer(user=ana, client=acme, started_at=timezone.now() - dt.timedelta(minutes=30))
    page = phones()
    page.goto(live_server.url)
    page.context.set_offline(True)

    start(page, "BETA")
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_contain_text("Tu temporizador en ACME lleva 0:30:")
    expect(dialog).to_contain_text("¿Lo detienes antes de iniciar uno en BETA?")
    pressed = timezone.now()
    dialog.get_by_role("button", name="Detener ACME (regístralo cuando vuelva la conexión)").click()

    expect(dialog).to_be_hidden()
    expect(nav(page).locator("[data-timer-stopped]")).to_contain_text("ACME")
    expect(nav(page).locator("[data-timer-client]")).to_contain_text("BETA")
    expect(nav(page).locator("[data-timer-client] time")).to_have_text(CLOCK)
    assert RunningTimer.objects.get().client.code == "ACME"  # nothing told yet

    page.context.set_offline(False)
    expect(dialog.locator("#id_minutes")).to_have_value("30m")
    dialog.locator("#id_text").fill("Visita antes de Beta")
    dialog.get_by_role("button", name="Finalizar").click()
    expect(dialog).to_be_hidden()
    told(page)
    expect(nav(page).locator("a.code")).to_have_text("BETA")  # the server's own, again
    timer = RunningTimer.objects.get()
    assert timer.client.code == "BETA"
    assert abs((timer.started_at - pressed).total_seconds()) < 5  # when pressed, not sent
    dedication = Dedication.objects.get()
    assert (dedication.client.code, dedication.minutes) == ("ACME", 30)


def test_offline_discarding_the_first_for_a_second_reaches_the_server(
    phones, live_server, acme, ana
):
    factories.client("BETA", name="Beta Logística")
    timers.start_timer(user=ana, client=acme)
    page = phones()
    page.goto(live_server.url)
    page.context.set_offline(True)

    start(page, "BETA")
    page.locator("dialog#dialog").get_by_role(
        "button", name="Descartar ACME y cronometrar BETA"
    ).click()
    expect(nav(page).locator("[data-timer-client]")).to_contain_text("BETA")
    expect(nav(page).locator("[data-timer-stopped]")).to_have_count(0)
    start(page, "BETA")  # the one shown already: nothing more to ask or keep
    expect(page.locator("dialog#dialog")).to_be_hidden()

    page.context.set_offline(False)
    told(page)
    expect(nav(page).locator("a.code")).to_have_text("BETA")
    assert RunningTimer.objects.get().client.code == "BETA"
    assert not Dedication.objects.exists()


def test_a_start_kept_offline_and_refused_online_is_shown_as_a_conflict(
    phones, live_server, acme, ana
):
    """Started offline while no timer showed; meanwhile another device started one: back
    online Hexa refuses the start, and the page asks the server's question, keeping the moment
    the offline one was started."""
    factories.client("BETA", name="Beta Logística")
    page = phones()
    page.goto(live_server.url)
    page.context.set_offline(True)
    start(page, "BETA")
    pressed = timezone.now()
    expect(nav(page).locator("[data-timer-client]")).to_contain_text("BETA")
    timers.start_timer(user=ana, client=acme)  # on another device, meanwhile

    page.context.set_offline(False)
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_contain_text("Iniciaste un temporizador en BETA")
    expect(dialog).to_contain_text("¿Lo detienes antes de iniciar uno en BETA?")
    assert RunningTimer.objects.get().client.code == "ACME"
    dialog.get_by_role("button", name="Descartar ACME y cronometrar BETA").click()

    expect(dialog).to_be_hidden()
    expect(nav(page).locator("a.code")).to_have_text("BETA")
    timer = RunningTimer.objects.get()
    assert timer.client.code == "BETA"
    assert abs((timer.started_at - pressed).total_seconds()) < 5


def test_the_log_pages_timer_button_goes_with_the_client_left(phones, live_server, acme):
    """After Finish (or Change) the search shows again: no Start bound to the client left."""
    factories.client("BETA", name="Beta Logística")
    page = phones()
    page.goto(f"{live_server.url}/log/")
    timer = page.locator("[data-log-timer]")
    page.get_by_label("Cliente").fill("acme")
    page.locator("[data-results] button").first.click()
    expect(timer).to_be_visible()
    page.get_by_label("¿Qué has hecho?").fill("Visita")
    page.get_by_role("button", name="Finalizar").click()

    expect(page.get_by_label("Cliente")).to_be_visible()
    expect(timer).to_be_hidden()
    assert timer.get_attribute("data-timer-start") is None
    page.get_by_label("Cliente").fill("beta")
    page.locator("[data-results] button").first.click()
    expect(timer.locator("button")).to_have_text("Iniciar un temporizador en BETA")
    page.get_by_role("button", name="Cambiar").click()
    expect(timer).to_be_hidden()
    page.wait_for_load_state("networkidle")
    assert not RunningTimer.objects.exists()


def test_stopped_offline_on_the_log_page_the_time_goes_to_the_outbox(
    phones, live_server, acme, ana
):
    """On the Log page (which works offline), Stop fills its form with the client and the
    time: Finish keeps the entry in the outbox, and back online Hexa gets the entry and is
    told the timer stopped, without a second quick log to fill."""
    timers.start_timer(user=ana, client=acme, started_at=timezone.now() - dt.timedelta(minutes=45))
    page = phones()
    page.goto(f"{live_server.url}/log/")
    expect(page.locator("#field-log[data-clients-kept]")).to_be_attached()
    page.context.set_offline(True)

    nav(page).get_by_role("button", name="Detener").click()

    expect(page.locator(".field-log [data-client-code]")).to_have_text("ACME")
    expect(page.get_by_label("Tiempo dedicado")).to_have_value("45m")
    expect(page.locator("[data-status]")).to_contain_text("detenido sin conexión, 45m")
    page.get_by_label("¿Qué has hecho?").fill("Revisión con cronómetro")
    page.get_by_role("button", name="Finalizar").click()
    expect(page.locator("[data-outbox] > li [data-state]")).to_have_text(["Pendiente de enviar"])
    expect(nav(page)).to_be_hidden()  # logged: nothing left to stop or log
    assert RunningTimer.objects.exists()

    page.context.set_offline(False)
    expect(page.locator("[data-outbox] > li [data-state]")).to_have_text(["Enviada"])
    told(page)
    expect(page.locator("dialog#dialog")).to_be_hidden()
    dedication = Dedication.objects.get()
    assert (dedication.client.code, dedication.minutes) == ("ACME", 45)
    assert not RunningTimer.objects.exists()
