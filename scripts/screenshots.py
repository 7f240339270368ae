"""make screenshots: PNGs of the main pages under docs/screenshots/, from a fresh demo.

Starts `hexa serve` on a new SQLite database with the demo data, drives Debian's Chromium
through Playwright, and stops the server. Run it after changing a page, then look at every
picture.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
HEXA = Path(sys.executable).with_name("hexa")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 860}
DATA_DIR: list[Path] = []  # the demo's data folder, for steps that add to it
PHONE = {"width": 360, "height": 760}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "HEXA_DATA_DIR": str(folder), "HEXA_LOG_LEVEL": "ERROR"}
    env.pop("HEXA_DATABASE_URL", None)
    for command in (["migrate", "-v0"], ["demo"]):
        subprocess.run([str(HEXA), *command], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [str(HEXA), "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            httpx.get(f"{url}/accounts/login/", timeout=1)
            return server, url
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("hexa serve did not start")


def signed_in(browser: Browser, url: str, *, viewport: dict, locale: str) -> Page:
    page = browser.new_context(viewport=viewport, locale=locale).new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "demo")
    page.locator("form[action$='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{url}/")
    return page


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    page.wait_for_timeout(250)  # let the dialog's opening transition end
    path = OUT / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    print(f"  {path.relative_to(ROOT)}")


def open_dialog(page: Page, code: str) -> None:
    page.locator(f"#client-row-{code} a.log").click()
    page.wait_for_selector("dialog[open] textarea")


def main() -> None:
    """All the pictures; or, with arguments, only those steps (`screenshots.py mail`)."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        DATA_DIR.append(Path(folder))
        server, url = start_server(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                steps: list[tuple[str, Callable[[Browser, str], None]]] = [
                    ("English, desktop", english),
                    ("Fuller management and the agenda", management),
                    ("Spanish, desktop", spanish),
                    ("Phone", phone),
                    ("Reports", reports),
                    ("Imports", imports),
                    ("Account", account),
                    ("Log by email", mail),
                    ("The Log page on a phone, and its outbox", field_log),
                    ("Timer", timer),
                ]
                only = sys.argv[1:]
                for title, step in steps:
                    if only and step.__name__ not in only:
                        continue
                    print(title)
                    step(browser, url)
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def english(browser: Browser, url: str) -> None:
    page = signed_in(browser, url, viewport=DESKTOP, locale="en-GB")
    shot(page, "explorer")
    open_dialog(page, "PRIETO")
    page.keyboard.type("Phoned the site manager: the delivery moves to Thursday.")
    page.fill("#id_minutes", "20")
    # The overdue task instead of the newest one the rules choose, then one tap for next week.
    overdue = page.locator("#id_task option", has_text="Presupuesto nave industrial")
    page.select_option("#id_task", value=overdue.get_attribute("value"))
    expect(page.locator("#id_next_follow_up")).to_have_value("")  # overdue: done by this log
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator("#id_next_follow_up")).not_to_have_value("")
    page.locator("#id_text").focus()
    shot(page, "quick-log-dialog")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("dialog[open]", state="detached")
    shot(page, "after-finish")
    open_dialog(page, "BODEGAS")
    shot(page, "ambiguous-project")
    page.keyboard.press("Escape")
    page.goto(f"{url}/clients/PRIETO/")
    shot(page, "client-page", full_page=True)
    page.goto(f"{url}/accounts/login/")


def management(browser: Browser, url: str) -> None:
    page = signed_in(browser, url, viewport=DESKTOP, locale="en-GB")
    page.goto(f"{url}/agenda/?who=all")
    shot(page, "agenda", full_page=True)
    page.locator("#agenda-lists tr").first.get_by_role("button", name="Log").click()
    page.wait_for_selector("dialog[open] textarea")
    shot(page, "agenda-quick-log")
    page.keyboard.press("Escape")
    pages = {
        "new-incident": "/clients/FLORES/tasks/new/?kind=incident",
        "dedication-on-existing-work": "/clients/PRIETO/dedications/new/",
        "project-page": "/projects/PRIETO/",
        "close-project-confirm": "/projects/PRIETO/close/",
        "tasks": "/tasks/",
        "projects": "/projects/",
        "employees": "/employees/",
        "new-client": "/clients/new/",
    }
    for name, path in pages.items():
        page.goto(f"{url}{path}")
        shot(page, name, full_page=True)
    page.goto(f"{url}/projects/PRIETO/")
    page.locator("a[href^='/dedications/'][href*='/edit/']").first.click()
    shot(page, "change-dedication", full_page=True)
    page.goto(f"{url}/tasks/")
    page.locator("table.tasks a[href^='/tasks/']").first.click()
    shot(page, "task-page", full_page=True)


def reports(browser: Browser, url: str) -> None:
    page = signed_in(browser, url, viewport=DESKTOP, locale="en-GB")
    for name, query in (
        ("reports", "period=last_3_months"),
        ("reports-by-week-and-employee", "period=last_3_months&group_by=week&stack=employee"),
    ):
        page.goto(f"{url}/reports/?{query}")
        page.wait_for_selector("canvas[data-chart][data-drawn=true]")
        shot(page, name, full_page=True)
    page.goto(f"{url}/reports/statement/?client=PRIETO&period=last_month")
    shot(page, "reports-statement", full_page=True)
    phone = signed_in(browser, url, viewport=PHONE, locale="es-ES")
    phone.goto(f"{url}/reports/?period=last_3_months")
    phone.wait_for_selector("canvas[data-chart][data-drawn=true]")
    shot(phone, "phone-reports", full_page=True)


def spanish(browser: Browser, url: str) -> None:
    page = signed_in(browser, url, viewport=DESKTOP, locale="es-ES")
    page.locator("input[name=due]").check()
    page.wait_for_url("**/?*due=on*")
    shot(page, "explorer-es-follow-up-due")
    open_dialog(page, "FLORES")
    page.keyboard.type("x")
    page.fill("#id_minutes", "mucho")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("dialog [aria-invalid=true]")
    shot(page, "quick-log-error-es")


def phone(browser: Browser, url: str) -> None:
    page = signed_in(browser, url, viewport=PHONE, locale="es-ES")
    shot(page, "phone-explorer")
    open_dialog(page, "HOTELMAR")
    shot(page, "phone-quick-log")
    page.keyboard.press("Escape")
    page.goto(f"{url}/agenda/?who=all")
    shot(page, "phone-agenda")


def import_file(name: str, rows: list[list[str]]) -> Path:
    """A CSV as Excel saves it in Spain (Windows-1252, semicolons), in a temporary folder."""
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(text.getvalue().encode("cp1252"))
    return path


IMPORT_HEADER = ["Código", "Razón social", "NIF/CIF", "Correo electrónico", "Teléfono", "Provincia"]
IMPORT_ROWS = [
    ["PANRIVERA", "", "", "compras@panaderiarivera.es", "958 221 431", "Granada"],
    ["HOTELMAR", "Hotel Mar Azul", "A41526374", "direccion@hotelmarazul.es", "956 704 118", ""],
    ["DISNORTE", "Distribuciones Norte S.L.", "B55555555", "pedidos@disnorte.es", "", "León"],
    ["FERRETERIA", "Ferretería Ortiz", "B66666666", "ortiz@ferreteria", "", "Jaén"],
    ["ALBA", "Catering Alba Norte", "B14142135", "", "", "Murcia"],
    ["PAPELERIA", "Papelería Central", "B77777777", "", "953 000 111", "Jaén"],
    ["DISNORTE", "Distribuciones del Norte", "", "", "", ""],
    ["", "Sin código", "", "info@sincodigo.es", "", ""],
    ["TALLERSUR", "Talleres Sur", "B88888888", "taller@talleressur.es", "954 000 222", "Sevilla"],
]


def read_import(page: Page, url: str, path: Path) -> None:
    page.goto(f"{url}/imports/clients/")
    page.set_input_files("#id_file", str(path))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_selector("#import-status")


def imports(browser: Browser, url: str) -> None:
    page = signed_in(browser, url, viewport=DESKTOP, locale="en-GB")
    page.goto(f"{url}/imports/clients/")
    shot(page, "import-upload", full_page=True)
    read_import(page, url, import_file("clientes.csv", [IMPORT_HEADER, *IMPORT_ROWS]))
    shot(page, "import-preview", full_page=True)
    page.locator("#import-confirm").click()
    page.wait_for_selector("#import-status.done")
    shot(page, "import-done", full_page=True)
    # 10,000 rows: the progress bar, caught on its way.
    many = [
        [f"LOTE{n:05d}", f"Cliente del lote {n}", f"B9{n:07d}", f"lote{n}@ejemplo.es", "", ""]
        for n in range(1, 10_001)
    ]
    read_import(page, url, import_file("diez-mil.csv", [IMPORT_HEADER, *many]))
    page.locator("#import-confirm").click()
    progress = page.locator("#import-progress")
    progress.wait_for()
    page.wait_for_function(
        "() => { const bar = document.getElementById('import-progress');"
        " return bar && bar.value >= 3000 || document.querySelector('#import-status.done'); }"
    )
    page.screenshot(path=OUT / "import-progress.png")
    print(f"  {(OUT / 'import-progress.png').relative_to(ROOT)}")
    page.wait_for_selector("#import-status.done", timeout=120_000)
    phone_page = signed_in(browser, url, viewport=PHONE, locale="es-ES")
    rows = [[*row[:1], f"{row[1]} (2)" if row[1] else "", *row[2:]] for row in IMPORT_ROWS]
    read_import(phone_page, url, import_file("clientes-2.csv", [IMPORT_HEADER, *rows]))
    shot(phone_page, "phone-import-preview", full_page=True)


def account(browser: Browser, url: str) -> None:
    page = signed_in(browser, url, viewport=DESKTOP, locale="en-GB")
    page.goto(f"{url}/accounts/tokens/")
    page.fill("#id_name", "Accounting export")
    page.locator("form[action$='/tokens/'] button[type=submit]").click()
    page.wait_for_selector("#new-token")
    shot(page, "api-tokens", full_page=True)



# Emails as `hexa mail fetch` would read them from the mailbox, handled by the same function.
EMAILS = """
from email.message import EmailMessage
from hexa.crm.services.mail import handle_message

def message(number, sender, to, subject, body, **headers):
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, to, subject
    email["Date"] = "Fri, 27 Nov 2026 10:%02d:00 +0100" % number
    email["Message-ID"] = "<demo-%d@ejemplo.es>" % number
    for name, value in headers.items():
        email[name.replace("_", "-")] = value
    email.set_content(body)
    if number == 1:
        email.add_attachment(b"%PDF-1.4 " * 2000, maintype="application", subtype="pdf",
                             filename="Pedido navidad.pdf")
    handled = handle_message(email.as_bytes())
    if handled.email.dedication_id:
        print(handled.email.dedication_id)

message(1, "Laura Martín <laura@ejemplo.es>", "hexa@ejemplo.es",
        "RV: Pedido de roscones para Navidad [20m] [seguimiento +7]",
        "Confirmado por teléfono: 120 roscones para el 5 de enero.\\n\\n"
        "-------- Mensaje reenviado --------\\nAsunto: Pedido de roscones\\n"
        "De: Marisa Rivera <pedidos@panaderiarivera.es>\\nPara: laura@ejemplo.es\\n\\n"
        "Hola Laura: ¿nos podéis preparar 120 roscones para el día 5?\\n\\nGracias,\\nMarisa")
message(2, "Javier Ortega <javier@ejemplo.es>", "Marta Gil <marta.gil.reformas@gmail.com>",
        "Re: Presupuesto de la tienda online",
        "Hola Marta:\\n\\nTe envío el presupuesto revisado; la tienda estaría en enero.\\n\\n"
        "Un saludo,\\nJavier\\n\\nEl jue, 26 nov 2026 a las 18:02, Marta Gil escribió:\\n"
        "> ¿Tenéis ya el presupuesto?", Delivered_To="hexa@ejemplo.es")
message(3, "Carmen Ruiz <carmen@ejemplo.es>", "hexa@ejemplo.es",
        "Fwd: Renovación del seguro de la flota",
        "Para quien lleve la autoescuela nueva.\\n\\n---------- Forwarded message ---------\\n"
        "De: Seguros Norte <renovaciones@segurosnorte.es>\\nTo: carmen@ejemplo.es\\n\\n"
        "Les recordamos que la póliza vence el 31 de diciembre.")
message(4, "Ofertas <promo@ofertas-imbatibles.example>", "hexa@ejemplo.es",
        "¡Gane un iPhone!", "Pulse aquí para reclamar su premio.")
"""


def mail(browser: Browser, url: str) -> None:
    env = {
        **os.environ,
        "HEXA_DATA_DIR": str(DATA_DIR[0]),
        "HEXA_LOG_LEVEL": "ERROR",
        "HEXA_MAIL_ADDRESS": "hexa@ejemplo.es",
    }
    env.pop("HEXA_DATABASE_URL", None)
    logged = subprocess.run(
        [str(HEXA), "shell", "-c", EMAILS], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    page = signed_in(browser, url, viewport=DESKTOP, locale="es-ES")
    page.goto(f"{url}/emails/")
    shot(page, "mail-unassigned", full_page=True)
    page.goto(f"{url}/dedications/{logged[-1]}/edit/")
    expect(page.get_by_text("Llegó por correo")).to_be_visible()
    shot(page, "mail-dedication", full_page=True)
    phone_page = signed_in(browser, url, viewport=PHONE, locale="es-ES")
    phone_page.goto(f"{url}/emails/")
    shot(phone_page, "phone-mail-unassigned", full_page=True)


def field_log(browser: Browser, url: str) -> None:
    """The installable Log page (issue 12) and its outbox with an entry in each state."""
    page = signed_in(browser, url, viewport=PHONE, locale="es-ES")
    page.goto(f"{url}/log/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_selector("#field-log[data-clients-kept]", state="attached")
    shot(page, "log-search")

    def log(search: str, text: str) -> None:
        page.get_by_label("Cliente").fill(search)
        page.locator("[data-results] button").first.click()
        page.get_by_label("¿Qué has hecho?").fill(text)
        page.get_by_role("button", name="30 min").click()
        page.get_by_role("button", name="+1 semana").click()

    log("prieto", "Visita a obra: revisada la entrega del jueves.")
    shot(page, "log-form", full_page=True)
    page.get_by_role("button", name="Finalizar").click()
    expect(page.locator("[data-outbox] .state").first).to_have_text("Enviada")
    log("bodegas", "Cata con el enólogo.")  # several projects: Hexa asks which
    page.get_by_role("button", name="Finalizar").click()
    expect(page.locator("[data-outbox] .state").first).to_have_text("Rechazada")
    page.context.set_offline(True)
    log("prieto", "Llamada sin cobertura en el polígono.")
    page.get_by_role("button", name="Finalizar").click()
    expect(page.locator("[data-outbox] .state").first).to_have_text("Pendiente de enviar")
    page.locator("#outbox-title").scroll_into_view_if_needed()
    shot(page, "log-outbox", full_page=True)
    page.context.set_offline(False)


def timer(browser: Browser, url: str) -> None:
    """The running timer in the navigation, on a phone in Spanish, and its Stop."""
    page = signed_in(browser, url, viewport=PHONE, locale="es-ES")
    page.locator("#client-row-HOTELMAR form.timer-start button").click()
    expect(page.locator("#timer-nav .code")).to_have_text("HOTELMAR")
    page.wait_for_timeout(2200)  # the clock has ticked
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "phone-timer")
    page.locator("#timer-nav [data-timer-stop]").click()
    page.wait_for_selector("dialog[open] textarea")
    page.keyboard.type("Revisión del contrato en la recepción del hotel.")
    page.locator("#id_minutes").scroll_into_view_if_needed()
    shot(page, "phone-timer-stop")


if __name__ == "__main__":
    main()
