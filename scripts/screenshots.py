"""make screenshots: PNGs of the main pages under docs/screenshots/, from a fresh demo.

Starts `hexa serve` on a new SQLite database with the demo data, drives Debian's Chromium
through Playwright, and stops the server. Run it after changing a page, then look at every
picture.
"""

from __future__ import annotations

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
from playwright.sync_api import Browser, Page, sync_playwright

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
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
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
                ]
                for title, step in steps:
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
    page.locator("a[href$='/edit/'][href^='/dedications/']").first.click()
    shot(page, "change-dedication", full_page=True)
    page.goto(f"{url}/tasks/")
    page.locator("table.tasks a[href^='/tasks/']").first.click()
    shot(page, "task-page", full_page=True)


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


if __name__ == "__main__":
    main()
