"""The Log page on a phone (issue 12), in headless Chromium at 360 px and in Spanish: entries
made offline survive a reload and are sent once each when the connection is back, a lost
answer is never a second dedication, refusals say why and can be fixed, a session that ended
while offline asks to sign in again, and the service worker runs under the CSP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from hexa.crm.models import Client, Dedication
from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 760}
WAITING, SENT, REFUSED = "Pendiente de enviar", "Enviada", "Rechazada"


@pytest.fixture
def acme(transactional_db):
    return factories.client("ACME", name="Acme Industrial", tax_id="B12345678")


@pytest.fixture
def phone(browser, live_server, ana, acme) -> Iterator[Page]:
    """Ana's phone, in Spanish, with the service worker allowed; a Content-Security-Policy
    violation or an uncaught error fails the test (failed requests offline are expected)."""
    context = browser.new_context(locale="es-ES", viewport=PHONE, service_workers="allow")
    context.set_default_timeout(8_000)
    sign_in(context, live_server, ana)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert errors == []


def open_log(page: Page, live_server) -> None:
    """The Log page, controlled by the service worker, with the device's clients kept."""
    page.goto(f"{live_server.url}/log/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(page.locator("#field-log[data-clients-kept]")).to_be_attached()


def log(page: Page, search: str, text: str, *, date: str | None = None) -> None:
    page.get_by_label("Cliente").fill(search)
    page.locator("[data-results] button").first.click()
    page.get_by_label("¿Qué has hecho?").fill(text)
    page.get_by_role("button", name="30 min").click()
    if date:
        page.get_by_label("Fecha", exact=True).fill(date)
    page.get_by_role("button", name="Finalizar").click()


def cards(page: Page):
    return page.locator("[data-outbox] > li")


def test_three_entries_offline_survive_a_reload_and_are_sent_once_each(phone, live_server):
    page = phone
    open_log(page, live_server)
    page.context.set_offline(True)
    for text in ("Visita a obra", "Llamada", "Presupuesto"):
        log(page, "acme", text)  # found by name, from the device's clients
    expect(cards(page)).to_have_count(3)
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING] * 3)
    expect(page.locator("[data-outbox-badge]")).to_have_text("3")

    page.reload()  # from the service worker's copy: still offline
    expect(page.locator("[data-connection]")).to_be_visible()
    expect(cards(page)).to_have_count(3)
    assert Dedication.objects.count() == 0

    page.context.set_offline(False)
    expect(cards(page).locator("[data-state]")).to_have_text([SENT] * 3)
    assert sorted(Dedication.objects.values_list("text", flat=True)) == [
        "Llamada",
        "Presupuesto",
        "Visita a obra",
    ]
    assert Dedication.objects.filter(minutes=30, client__code="ACME").count() == 3
    expect(cards(page).last.locator("[data-result]")).to_contain_text(
        "nuevo proyecto ACME · la nueva tarea «Seguimiento»"
    )
    expect(page.locator("[data-outbox-badge]")).to_be_hidden()


def test_an_answer_lost_after_the_server_wrote_is_still_one_dedication(phone, live_server):
    page = phone
    open_log(page, live_server)
    dropped = []

    def drop_answer(route):
        route.fetch()  # the server writes the dedication...
        dropped.append(route.request.headers["idempotency-key"])
        route.abort()  # ...and the answer never arrives

    page.route("**/log/entries/", drop_answer)
    log(page, "B-12345678", "Visita")  # found by tax id
    expect(page.locator("[data-status]")).to_contain_text("no hay conexión")
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING])
    assert Dedication.objects.count() == 1

    page.unroute("**/log/entries/")
    page.get_by_role("button", name="Enviar ahora").click()
    expect(cards(page).locator("[data-state]")).to_have_text([SENT])
    assert Dedication.objects.count() == 1
    assert len(dropped) == 1


def test_refused_entries_say_why_and_can_be_fixed_and_sent_again(phone, live_server, acme):
    factories.project(acme, "ACME-OBRA", name="Obra nave")
    factories.project(acme, "ACME-WEB", name="Tienda web")
    factories.client("BETA", name="Beta Logística")
    page = phone
    open_log(page, live_server)

    log(page, "ACME", "Visita")
    card = cards(page).first
    expect(card.locator("[data-state]")).to_have_text(REFUSED)
    expect(card.locator("[data-reason]")).to_contain_text("varios proyectos activos")
    card.get_by_label("Elige el proyecto y envía otra vez.").select_option("ACME-WEB")
    card.get_by_role("button", name="Enviar otra vez").click()
    expect(cards(page).first.locator("[data-state]")).to_have_text(SENT)
    assert Dedication.objects.get().project.code == "ACME-WEB"

    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    log(page, "beta", "Llamada", date=future)
    card = cards(page).first
    expect(card.locator("[data-state]")).to_have_text(REFUSED)
    expect(card.locator("[data-reason]")).to_contain_text("fecha")
    card.get_by_role("button", name="Editar").click()
    expect(page.get_by_label("¿Qué has hecho?")).to_have_value("Llamada")
    page.get_by_label("Fecha", exact=True).fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Finalizar").click()
    expect(cards(page)).to_have_count(2)
    expect(cards(page).first.locator("[data-state]")).to_have_text(SENT)
    assert Dedication.objects.filter(client__code="BETA").count() == 1

    Client.objects.filter(code="BETA").update(active=False)  # archived meanwhile
    log(page, "beta", "Otra llamada")
    expect(cards(page).first.locator("[data-reason]")).to_contain_text("archivado")
    cards(page).first.get_by_role("button", name="Descartar").click()
    cards(page).first.get_by_role("button", name="Toca otra vez para descartar").click()
    expect(cards(page)).to_have_count(2)
    assert Dedication.objects.count() == 2


def test_a_session_that_ended_offline_asks_to_sign_in_then_sends(phone, live_server, ana):
    page = phone
    open_log(page, live_server)
    page.context.set_offline(True)
    log(page, "acme", "Visita sin cobertura")
    Session.objects.all().delete()  # the session ended meanwhile
    page.context.set_offline(False)

    expect(page.locator("[data-signed-out]")).to_be_visible()
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING])
    assert Dedication.objects.count() == 0
    page.get_by_role("button", name="Volver a entrar").click()
    page.locator("#id_username").fill("ana")
    page.locator("#id_password").fill("pw-Secret-123")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url("**/log/")
    expect(cards(page).locator("[data-state]")).to_have_text([SENT])
    assert Dedication.objects.get().recorded_by == ana


def test_entries_are_never_sent_as_another_users(phone, live_server, ana):
    page = phone
    open_log(page, live_server)
    page.context.set_offline(True)
    log(page, "acme", "Visita de Ana")
    page.context.clear_cookies()  # Ana signed out; Luis signs in on her phone
    luis = factories.user("luis", first_name="Luis")
    factories.employee("LUIS", name="Luis Pérez", user=luis)
    sign_in(page.context, live_server, luis)
    page.context.set_offline(False)

    page.goto(f"{live_server.url}/log/")
    expect(page.locator("[data-other-user]")).to_contain_text("Ana García")
    expect(page.get_by_role("button", name="Enviar ahora")).to_be_visible()
    page.get_by_role("button", name="Enviar ahora").click()
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING])
    assert Dedication.objects.count() == 0


def test_the_app_installs_under_the_csp(phone, live_server):
    page = phone
    page.goto(f"{live_server.url}/")
    worker = page.evaluate(
        "navigator.serviceWorker.ready.then((registration) => registration.active.scriptURL)"
    )
    assert worker == f"{live_server.url}/sw.js"
    manifest = page.locator("link[rel=manifest]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{manifest}").json()["start_url"] == "/log/"
    page.get_by_role("link", name="Registrar").first.click()
    expect(page.get_by_role("heading", name="Registrar")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def test_any_page_sends_what_waits_and_the_badge_counts_it(phone, live_server):
    page = phone
    open_log(page, live_server)
    page.context.set_offline(True)
    log(page, "acme", "Visita")
    log(page, "acme", "Llamada")
    expect(cards(page)).to_have_count(2)  # both shown in the outbox, so both kept on the device
    page.close()  # the tab closed while offline

    page.context.set_offline(False)
    explorer = page.context.new_page()
    answers: list[int] = []
    explorer.on("response", lambda r: answers.append(r.status) if "/log/entries/" in r.url else 0)
    explorer.goto(f"{live_server.url}/")  # pwa.js sends, one entry after the other
    for _ in range(100):
        if len(answers) == 2:
            break
        explorer.wait_for_timeout(100)
    assert answers == [201, 201]
    assert Dedication.objects.count() == 2
    expect(explorer.locator("[data-outbox-badge]")).to_be_hidden()
    explorer.goto(f"{live_server.url}/log/")
    expect(cards(explorer).locator("[data-state]")).to_have_text([SENT] * 2)
