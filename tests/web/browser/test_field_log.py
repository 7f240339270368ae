"""The Log page on a phone (issue 12), in headless Chromium at 360 px and in Spanish: entries
made offline survive a reload and are sent once each when the connection is back, a lost
answer is never a second dedication, refusals say why and can be fixed, a session that ended
while offline asks to sign in again, and the service worker runs under the CSP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from hexa.crm.models import Client, Dedication
from tests import factories
from tests.web.browser.conftest import quiet, sign_in

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
    quiet(context)
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
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING])  # kept on the device
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
    # Kept on the device before anyone signs out: saving it is asynchronous (IndexedDB), and
    # a navigation before then loses what the page was writing.
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING])
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


MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"


def test_dates_are_typed_as_in_the_rest_of_hexa_with_its_calendar_offline(phone, live_server):
    """dd/mm/yyyy in Hexa's language and its own calendar, as every Hexa form (not the
    browser's `<input type="date">`), read on the device: no connection needed."""
    page = phone
    today = timezone.localdate()
    month = MONTHS.split()[today.month - 1]
    open_log(page, live_server)
    page.context.set_offline(True)
    page.get_by_label("Cliente").fill("acme")
    page.locator("[data-results] button").first.click()

    date = page.get_by_label("Fecha", exact=True)
    expect(date).to_have_value(today.strftime("%d/%m/%Y"))
    expect(date).to_have_attribute("placeholder", "dd/mm/aaaa")
    date.fill("")
    page.locator(".date-field").first.get_by_role("button", name="Elegir una fecha").click()
    calendar = page.locator(".date-picker:popover-open")  # Cally, kept by the service worker
    expect(calendar.locator(".date-picker-heading")).to_have_text(f"{month} de {today.year}")
    calendar.get_by_role("button", name=f"{today.day} de {month}", exact=True).click()
    expect(date).to_have_value(today.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="+1 semana").click()
    week = today + dt.timedelta(days=7)
    expect(page.get_by_label("Próxima gestión")).to_have_value(week.strftime("%d/%m/%Y"))

    page.get_by_label("¿Qué has hecho?").fill("Visita")
    date.fill("31/02/2026")  # no such day: said at once, offline, in the quick log's words
    page.get_by_role("button", name="Finalizar").click()
    expect(page.locator("[data-error-for=date]")).to_have_text("Introduzca una fecha válida.")
    expect(date).to_be_focused()
    expect(cards(page)).to_have_count(0)

    yesterday = today - dt.timedelta(days=1)
    date.fill(f"{yesterday.day}-{yesterday.month}-{yesterday.strftime('%y')}")  # as people type
    page.get_by_role("button", name="Finalizar").click()
    expect(cards(page)).to_have_count(1)
    expect(cards(page).locator("[data-when]")).to_have_text(f"{yesterday:%d/%m/%Y}")
    expect(page.locator("[data-error-for=date]")).to_have_text("")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.context.set_offline(False)
    expect(cards(page).locator("[data-state]")).to_have_text([SENT])
    dedication = Dedication.objects.get()
    assert (dedication.date, dedication.task.next_follow_up) == (yesterday, week)


def test_offline_search_finds_clients_by_code_and_by_tax_id(phone, live_server):
    factories.client("BETA", name="Beta Logística", tax_id="A-87654321")
    factories.client("ALFA", name="Alfa Obras", tax_id="B87654322")
    page = phone
    open_log(page, live_server)
    page.context.set_offline(True)
    page.reload()  # the page kept, and the clients kept, without a connection
    expect(page.locator("#field-log[data-clients-kept='3']")).to_be_attached()
    search = page.get_by_label("Cliente")
    results = page.locator("[data-results] li")

    search.fill("bet")  # by code (and name)
    expect(results.locator(".code")).to_have_text(["BETA"])
    search.fill("87654321")  # by tax id, however it was written
    expect(results.locator(".code")).to_have_text(["BETA"])
    search.fill("a 8765-4321")
    expect(results.locator(".code")).to_have_text(["BETA"])
    search.fill("B-12345678")
    expect(results.locator(".code")).to_have_text(["ACME"])
    search.fill("zzz")
    expect(results).to_have_text(["Ningún cliente de este dispositivo coincide."])


def test_editing_an_entry_whose_answer_was_lost_never_records_it_twice(phone, live_server):
    """An entry sent whose answer was lost may be in Hexa: Edit asks Hexa first (offline it
    cannot, and says so); one that never reached Hexa is edited and sent under its own key."""
    page = phone
    open_log(page, live_server)

    def written_then_lost(route):
        route.fetch()
        route.abort()

    page.route("**/log/entries/", written_then_lost)
    log(page, "acme", "Visita")
    expect(page.locator("[data-status]")).to_contain_text("no hay conexión")
    page.unroute("**/log/entries/")
    page.route("**/log/entries/", lambda route: route.abort())  # no answer from now on
    assert Dedication.objects.count() == 1

    page.context.set_offline(True)
    cards(page).first.get_by_role("button", name="Editar").click()
    expect(page.locator("[data-status]")).to_contain_text("cuando haya conexión")
    expect(page.locator("[data-entry]")).to_be_hidden()
    page.context.set_offline(False)
    cookies = page.context.cookies()
    page.context.clear_cookies()  # signed out: Hexa cannot say, so nothing is edited
    cards(page).first.get_by_role("button", name="Editar").click()
    expect(page.locator("[data-signed-out]")).to_be_visible()
    expect(page.locator("[data-entry]")).to_be_hidden()
    page.context.add_cookies(cookies)
    cards(page).first.get_by_role("button", name="Editar").click()
    expect(cards(page).first.locator("[data-state]")).to_have_text(SENT)
    expect(cards(page).first.locator("[data-result]")).to_contain_text("Ya había llegado a Hexa")
    expect(page.locator("[data-entry]")).to_be_hidden()
    assert Dedication.objects.count() == 1

    log(page, "acme", "Llamada")  # sent, no answer: Hexa does not have it
    expect(page.locator("[data-status]")).to_contain_text("no hay conexión")
    page.unroute("**/log/entries/")
    cards(page).first.get_by_role("button", name="Editar").click()
    expect(page.get_by_label("¿Qué has hecho?")).to_have_value("Llamada")
    page.get_by_label("¿Qué has hecho?").fill("Llamada larga")
    page.get_by_role("button", name="Finalizar").click()
    expect(cards(page).locator("[data-state]")).to_have_text([SENT, SENT])
    assert sorted(Dedication.objects.values_list("text", flat=True)) == ["Llamada larga", "Visita"]

    page.context.set_offline(True)  # recorded offline, never sent: edited offline at once
    log(page, "acme", "Presupuesto")
    cards(page).first.get_by_role("button", name="Editar").click()
    page.get_by_label("¿Qué has hecho?").fill("Presupuesto enviado")
    page.get_by_role("button", name="Finalizar").click()
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING, SENT, SENT])
    page.context.set_offline(False)
    expect(cards(page).locator("[data-state]")).to_have_text([SENT] * 3)
    assert Dedication.objects.filter(text__startswith="Presupuesto").get().text == (
        "Presupuesto enviado"
    )


KEPT_PAGE_USER = """() => caches.match("/log/")
  .then((page) => page ? page.headers.get("X-Hexa-User") : null)"""
KEPT_CLIENTS = """(name) => new Promise((resolve, reject) => {
  const opening = indexedDB.open("hexa");
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const db = opening.result;
    const reading = db.transaction("kept").objectStore("kept").get(name);
    reading.onsuccess = () => {
      resolve(reading.result ? reading.result.length : null);
      db.close();
    };
    reading.onerror = () => reject(reading.error);
  };
})"""


@pytest.fixture
def luis(transactional_db):
    user = factories.user("luis", first_name="Luis", last_name="Pérez")
    factories.employee("LUIS", name="Luis Pérez", user=user)
    return user


def sign_in_with_the_form(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-Secret-123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def eventually(page: Page, check, expected) -> None:
    """Wait until `check()` (a page.evaluate, which awaits the page's promises) is `expected`."""
    for _ in range(80):
        if check() == expected:
            return
        page.wait_for_timeout(100)
    assert check() == expected


def kept_page_is(page: Page, user) -> None:
    """Wait until the service worker keeps `user`'s Log page (None: no page at all)."""
    eventually(page, lambda: page.evaluate(KEPT_PAGE_USER), None if user is None else str(user.pk))


def test_signing_out_drops_the_kept_log_page_and_the_next_user_gets_their_own(
    phone, live_server, ana, luis
):
    page = phone
    open_log(page, live_server)
    kept_page_is(page, ana)
    assert page.evaluate(KEPT_CLIENTS, f"clients:{ana.pk}") == 1
    page.route("**/log/entries/", lambda route: route.abort())  # Ana's entry stays waiting
    log(page, "acme", "Visita de Ana")
    expect(page.locator("[data-status]")).to_contain_text("no hay conexión")
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING])

    page.get_by_role("button", name="Salir").click()
    page.wait_for_url(f"**{reverse('login')}")
    page.unroute("**/log/entries/")
    assert page.evaluate(KEPT_PAGE_USER) is None  # nobody's page to open offline
    assert page.evaluate(KEPT_CLIENTS, f"clients:{ana.pk}") is None  # nor her clients
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto(f"{live_server.url}/log/")
    page.context.set_offline(False)

    sign_in_with_the_form(page, live_server, "luis")
    kept_page_is(page, luis)  # the worker keeps Luis's page as soon as he is signed in
    # and his clients
    eventually(page, lambda: page.evaluate(KEPT_CLIENTS, f"clients:{luis.pk}"), 1)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/log/")
    expect(page.locator("[data-connection]")).to_be_visible()
    expect(page.locator("#field-log")).to_have_attribute("data-user", str(luis.pk))
    expect(page.get_by_label("Quién")).to_have_value("LUIS")
    expect(page.locator("[data-other-user]")).to_contain_text("Ana García")
    expect(cards(page).locator("[data-who]")).to_contain_text("Ana García")
    expect(page.locator("[data-outbox-badge]")).to_be_hidden()  # none of them is Luis's

    log(page, "acme", "Visita de Luis")
    page.context.set_offline(False)
    expect(cards(page).first.locator("[data-state]")).to_have_text(SENT)
    page.get_by_role("button", name="Enviar ahora").click()
    expect(cards(page).last.locator("[data-state]")).to_have_text(WAITING)
    dedication = Dedication.objects.get()
    assert (dedication.text, dedication.recorded_by, dedication.employee.code) == (
        "Visita de Luis",
        luis,
        "LUIS",
    )


def test_a_session_taken_over_by_someone_else_replaces_the_kept_page(phone, live_server, ana, luis):
    page = phone
    open_log(page, live_server)
    kept_page_is(page, ana)
    page.context.clear_cookies()  # Ana's session ended without signing out here
    sign_in(page.context, live_server, luis)

    page.goto(f"{live_server.url}/")  # any page says who is signed in now
    kept_page_is(page, luis)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/log/")
    expect(page.locator("#field-log")).to_have_attribute("data-user", str(luis.pk))
    expect(page.get_by_label("Quién")).to_have_value("LUIS")


def test_a_page_left_open_by_someone_who_signed_out_says_so_and_sends_nothing(
    phone, live_server, ana, luis
):
    page = phone
    open_log(page, live_server)
    page.context.clear_cookies()  # Ana signed out in another tab, Luis signed in
    sign_in(page.context, live_server, luis)

    log(page, "acme", "Escrita en la página de Ana")  # still Ana's page: her entry
    expect(page.locator("[data-other-session]")).to_be_visible()
    expect(cards(page).locator("[data-state]")).to_have_text([WAITING])
    assert Dedication.objects.count() == 0
    page.locator("[data-other-session] a").click()
    expect(page.locator("#field-log")).to_have_attribute("data-user", str(luis.pk))
    expect(page.locator("[data-other-user]")).to_contain_text("Ana García")
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
