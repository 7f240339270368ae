"""How the pages look, measured in headless Chromium: the contrast of every piece of text in
the light and the dark theme (WCAG AA), and no sideways scrolling on a phone, with content as
long as people really type."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from hexa.crm.models import Client, Task
from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# For every visible element that shows text of its own (and every button, field and select),
# the colour of its text against the colour behind it: its own background or the nearest
# ancestor's, semi-transparent layers composed on top of the page's. WCAG 2.x contrast: 4.5:1,
# or 3:1 for large text (24 px, or 18.66 px bold).
CONTRAST = """
() => {
  const canvas = document.createElement("canvas").getContext("2d");
  function rgba(value) {
    const match = value.match(/rgba?\\(([^)]+)\\)/);
    if (match) {
      const parts = match[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    }
    canvas.clearRect(0, 0, 1, 1); canvas.fillStyle = value; canvas.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = canvas.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  }
  function over(top, below) {  // `top` painted over an opaque `below`
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat(1);
  }
  function background(element) {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    const opaque = layers.length && layers[layers.length - 1][3] >= 1;
    let result = opaque ? layers.pop() : [255, 255, 255, 1];
    while (layers.length) result = over(layers.pop(), result);
    return result;
  }
  function luminance([r, g, b]) {
    const [R, G, B] = [r, g, b].map(v => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  }
  function ratio(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  function ownText(element) {
    if (element.matches("input, select, textarea")) return element.value || "";
    return Array.from(element.childNodes)
      .filter(node => node.nodeType === Node.TEXT_NODE)
      .map(node => node.textContent).join("").trim();
  }
  const SKIP = "script, style, option, canvas, svg *, [disabled], "
    + "input[type=hidden], input[type=checkbox], input[type=radio]";
  const results = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.matches(SKIP)) continue;
    const text = ownText(element);
    if (!text) continue;
    if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // visually hidden, for screen readers
    const style = getComputedStyle(element);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    const back = background(element);
    const fore = over(rgba(style.color), back);
    results.push({
      text: text.slice(0, 40), tag: element.tagName.toLowerCase(), classes: element.className,
      ratio: Math.round(ratio(fore, back) * 100) / 100, needed: large ? 3 : 4.5,
      color: style.color, background: `rgb(${back.slice(0, 3).map(Math.round).join(", ")})`,
    });
  }
  return results;
}
"""


@pytest.fixture
def every_state(transactional_db, ana):
    """One of each thing the pages colour: an overdue urgent incident, a high-priority
    incident due today, a follow-up to come, a done task, an archived client, a closed
    project, a dedication recorded by someone else, a report to chart."""
    today = timezone.localdate()
    acme = factories.client("ACME", name="Acme Industrial")
    project = factories.project(acme, "ACME", name="Acme Industrial")
    overdue = factories.task(
        project, "Caldera rota", kind="incident", next_follow_up=today - dt.timedelta(days=3)
    )
    due_today = factories.task(project, "Llamar a Marta", kind="incident", next_follow_up=today)
    Task.objects.filter(pk=overdue.pk).update(priority=Task.Priority.URGENT)
    Task.objects.filter(pk=due_today.pk).update(priority=Task.Priority.HIGH)
    factories.task(project, "Presupuesto", next_follow_up=today + dt.timedelta(days=5))
    done = factories.task(project, "Visita", status="done")
    Task.objects.filter(pk=done.pk).update(completed_at=timezone.now())
    luis = factories.employee("LUIS", name="Luis Pérez")
    ana_employee = ana.employee
    for days in range(0, 60, 3):
        factories.dedication(
            overdue, ana_employee, date=today - dt.timedelta(days=days), minutes=45
        )
    dedication = factories.dedication(done, luis, minutes=90, recorded_by=ana)
    factories.project(acme, "ACME-OLD", status="closed")
    old = factories.client("OLD", name="Old Client S.A.")
    Client.objects.filter(pk=old.pk).update(active=False)
    return {"project": project, "overdue": overdue, "done": done, "dedication": dedication}


def pages_to_check(every_state) -> list[tuple[str, str | None]]:
    """(address, what to do there first): the pages that show each coloured thing."""
    project, overdue, done = every_state["project"], every_state["overdue"], every_state["done"]
    return [
        ("/", None),
        ("/?archived=on", None),
        ("/agenda/?who=all", None),
        ("/clients/ACME/", "details.dropdown summary"),
        (f"/projects/{project.code}/", None),
        (f"/projects/{project.code}/close/", None),
        ("/projects/?status=closed", None),
        (f"/tasks/{overdue.pk}/", None),
        (f"/tasks/{done.pk}/", None),
        ("/tasks/", None),
        ("/reports/?period=this_year&group_by=client", None),
        # A message after an action, and errors on a form's fields.
        (f"/tasks/{overdue.pk}/", "button[name=days][value='1']"),
        (f"/dedications/{every_state['dedication'].pk}/edit/", "minutes"),
        (f"/dedications/{every_state['dedication'].pk}/delete/", None),
    ]


# What each theme must colour legibly; the pages above show all of it.
KEY_TEXTS = {
    "time.overdue",
    "time.due-today",
    "span.badge overdue",
    "span.badge due-today",
    "span.badge incident",
    "span.badge priority-urgent",
    "span.badge priority-high",
    "span.badge done",
    "span.badge archived",
    "p.form-error",
    "small.field-error",
    "div.message success",
    "button.danger",
    "a.code",
    "span.none",
    "button.secondary outline",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_meets_wcag_aa_contrast(browser, live_server, ana, every_state, scheme):
    context = browser.new_context(
        color_scheme=scheme, locale="es-ES", viewport={"width": 1280, "height": 900}
    )
    sign_in(context, live_server, ana)
    page = context.new_page()
    failures = []
    seen = set()
    for address, action in pages_to_check(every_state):
        page.goto(live_server.url + address)
        if action == "minutes":
            page.fill("#id_minutes", "a lot")
            page.locator("main form button[type=submit]").click()
            page.wait_for_selector("small.field-error")
        elif action:
            page.locator(action).first.click()
            page.wait_for_load_state()
        found = page.evaluate(CONTRAST)
        seen |= {f"{item['tag']}.{item['classes']}" for item in found}
        failures += [{"page": address, **item} for item in found if item["ratio"] < item["needed"]]
    context.close()
    assert KEY_TEXTS - seen == set()  # the pages did show what they should
    assert failures == [], "\n".join(
        f"{f['page']} {f['tag']}.{f['classes']} “{f['text']}”: {f['ratio']} < {f['needed']}"
        f" ({f['color']} on {f['background']})"
        for f in failures
    )


# --- A phone: no page scrolls sideways, whatever people type -----------------------------------

PHONE = {"width": 360, "height": 740}
TABLET = {"width": 800, "height": 1000}
DESKTOP = {"width": 1280, "height": 900}
URL = "https://intranet.example.com/" + "expedientes/2026/" * 15 + "x" * (300 - 29 - 17 * 15)
WORDS = (
    "Llamada con la gerente sobre el presupuesto de la reforma integral de la nave; "
    "quedamos en enviar la propuesta revisada con las mediciones nuevas. "
)


@pytest.fixture
def long_content(transactional_db, ana_is_manager):
    """What people really type: names as long as allowed, a URL of 300 characters without a
    space, a 10,000-character note, a client with a dozen projects. Ana is a manager, to
    see every page."""
    ana = ana_is_manager
    today = timezone.localdate()
    assert len(URL) == 300
    long_name = ("Construcciones y Reformas Integrales del Noroeste Peninsular " * 4)[:200]
    client = factories.client(
        "CONSTRUCCIONESNOROES",  # as long as a code may be
        name=long_name,
        tax_id="B12345678901234567890"[:20],
        email="administracion.obras.y.reformas@construcciones-noroeste-peninsular.example.com",
        phone="+34 983 660 174 ext. 12345 / 600 000 000",  # 40, as long as it may be
        notes=f"Notas: {URL} {WORDS * 20}",
    )
    projects = [
        factories.project(
            client,
            f"CONSTRUCCIONESNOROES-{number:02d}-REFORMAS"[:30],
            name=f"{long_name[:150]} {number}",
        )
        for number in range(12)
    ]
    project = projects[0]
    employee = factories.employee(
        "LARGO", name="María de las Mercedes Fernández-Villaverde de la Concepción Ortiz"
    )
    task = factories.task(project, URL[:200], next_follow_up=today - dt.timedelta(days=2))
    incident = factories.task(
        project, f"Incidencia {long_name}"[:200], kind="incident", next_follow_up=today
    )
    Task.objects.filter(pk=incident.pk).update(
        description=f"{URL}\n{WORDS * 30}", reported_by=long_name, assigned_to=employee
    )
    long_note = (WORDS * 80)[: 10_000 - len(URL) - 1] + " " + URL
    dedication = factories.dedication(task, employee, text=long_note, minutes=240, recorded_by=ana)
    factories.dedication(task, ana.employee, text=URL, minutes=90, recorded_by=ana)
    factories.dedication(incident, ana.employee, text=f"{URL} {URL}", minutes=1439)
    factories.client("ARCHIVADO", name=long_name, active=False)
    for number in range(30):  # enough clients for the explorer's pages
        other = factories.client(f"CLIENTE{number:02d}", name=f"Cliente número {number} S.L.")
        other_task = factories.task(
            factories.project(other), next_follow_up=today + dt.timedelta(days=number - 5)
        )
        factories.dedication(other_task, ana.employee, date=today - dt.timedelta(days=number))
    return {
        "client": client,
        "project": project,
        "task": task,
        "incident": incident,
        "dedication": dedication,
        "employee": employee,
    }


def phone_pages(world) -> list[str]:
    client, project = world["client"].code, world["project"].code
    task, incident = world["task"].pk, world["incident"].pk
    dedication, employee = world["dedication"].pk, world["employee"].code
    this_year = "period=this_year"
    return [
        "/",
        "/?due=on",
        f"/?q={client}",
        f"/clients/{client}/",
        "/clients/ARCHIVADO/",
        f"/clients/{client}/edit/",
        f"/clients/{client}/log/",
        f"/clients/{client}/tasks/new/",
        f"/clients/{client}/tasks/new/?kind=incident",
        f"/clients/{client}/dedications/new/",
        "/clients/new/",
        "/projects/",
        f"/projects/?client={client}",
        f"/projects/{project}/",
        f"/projects/{project}/edit/",
        f"/projects/{project}/close/",
        f"/projects/{project}/tasks/new/",
        f"/projects/{project}/dedications/new/",
        f"/projects/new/?client={client}",
        "/tasks/",
        f"/tasks/{task}/",
        f"/tasks/{incident}/",
        f"/tasks/{task}/edit/",
        f"/tasks/{task}/dedications/new/",
        f"/dedications/{dedication}/edit/",
        f"/dedications/{dedication}/delete/",
        "/agenda/?who=all",
        "/employees/",
        f"/employees/{employee}/edit/",
        f"/reports/?{this_year}",
        f"/reports/?{this_year}&group_by=project",
        f"/reports/?{this_year}&group_by=employee&stack=employee",
        f"/reports/?{this_year}&group_by=week",
        f"/reports/entries/?{this_year}&client={client}",
        f"/reports/statement/?{this_year}&client={client}",
        "/imports/clients/",
    ]


# What sticks out past the right edge of the page's content (the container's padding, or the
# screen), outermost first; what is inside a box that scrolls or clips it does not count.
STICKING_OUT = """
() => {
  const main = document.querySelector("main");
  const edge = Math.min(
    main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight),
    document.documentElement.clientWidth,
  );
  const out = new Set();
  const found = [];
  for (const element of main.querySelectorAll("*")) {
    if (!element.checkVisibility()) continue;
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height || (box.right <= edge + 1 && box.left >= 0)) continue;
    let counts = true;
    for (let node = element.parentElement; node && node !== main; node = node.parentElement) {
      if (out.has(node) || getComputedStyle(node).overflowX !== "visible") {
        counts = false;
        break;
      }
    }
    out.add(element);
    if (counts) {
      const name = element.tagName.toLowerCase()
        + (element.className ? "." + element.className : "");
      const by = box.left < 0
        ? `${Math.round(box.left)} px left` : `+${Math.round(box.right - edge)} px`;
      found.push(`${name} “${element.textContent.trim().slice(0, 30)}” ${by}`);
    }
  }
  return found;
}
"""


# Dates that break over two lines ("19/11/202" then "6").
BROKEN_DATES = """
() => Array.from(document.querySelectorAll("main time"))
  .filter(time => time.checkVisibility() && time.getClientRects().length > 1)
  .map(time => `time “${time.textContent}” on two lines`)
"""


def sticking_out(page: Page) -> list[str]:
    return sorted(set(page.evaluate(STICKING_OUT) + page.evaluate(BROKEN_DATES)))[:5]


def open_menus(page: Page) -> None:
    for menu in page.locator("main details.dropdown").all():
        menu.evaluate("element => element.open = true")


def test_no_page_scrolls_sideways_on_a_phone_with_long_content(
    browser, live_server, ana, long_content
):
    context = browser.new_context(locale="es-ES", viewport=PHONE)
    sign_in(context, live_server, ana)
    page = context.new_page()
    wide = {}
    for address in phone_pages(long_content):
        response = page.goto(live_server.url + address)
        assert response is not None and response.ok, address
        open_menus(page)
        for viewport in (PHONE, TABLET, DESKTOP):
            page.set_viewport_size(viewport)
            scroll = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            if problems := sticking_out(page) + ([f"page +{scroll} px"] if scroll > 0 else []):
                wide[f"{address} at {viewport['width']} px"] = problems
        page.set_viewport_size(PHONE)
    context.close()
    assert wide == {}, "\n".join(f"{where}: {problems}" for where, problems in wide.items())


def test_explorer_shows_several_clients_on_a_phone_screen(browser, live_server, ana, long_content):
    context = browser.new_context(locale="es-ES", viewport=PHONE)
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(live_server.url + "/?q=CLIENTE")
    rows = page.locator("table.clients tbody tr")
    boxes = [row.bounding_box() for row in rows.all()]
    whole = [box for box in boxes if box and box["y"] + box["height"] <= PHONE["height"]]
    assert len(whole) >= 4
    # Each with its follow-up date and its Log button, whose name says what it does.
    first = rows.first
    assert first.locator("time").first.is_visible()
    log = first.get_by_role("button", name="Registrar dedicación")
    assert log.is_visible() and log.bounding_box()["y"] + log.bounding_box()["height"] <= 740
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_long_note_shows_its_start_and_see_more_opens_it(
    browser, live_server, ana, long_content, javascript
):
    context = browser.new_context(locale="es-ES", viewport=PHONE, java_script_enabled=javascript)
    sign_in(context, live_server, ana)
    page = context.new_page()
    page.goto(f"{live_server.url}/clients/{long_content['client'].code}/")
    cell = page.locator("table.dedications td.text").filter(has_text="Llamada con la gerente")
    assert len(cell.inner_text()) < 500
    assert URL not in cell.inner_text()
    cell.get_by_text("ver más").click()
    assert len(cell.inner_text()) > 10_000 and URL in cell.inner_text()
    assert sticking_out(page) == []
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") == 0
    cell.get_by_text("ver menos").click()
    assert len(cell.inner_text()) < 500
    context.close()
