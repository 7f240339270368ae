"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server,
signed in as Ana (tests/web/conftest.py): `signed_in` in English, `spanish_page` in Spanish."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client as DjangoClient
from django.test.testcases import LiveServerThread
from pytest_django.live_server_helper import LiveServer

# The live server runs in a thread of this process while Playwright's sync API runs an event
# loop in it too; Django would otherwise refuse database access from "async" code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


# --- The live server ----------------------------------------------------------------------------


class OneRequestAtATime:
    """A WSGI application that lets one request at a time in, until its answer is sent.

    On SQLite the test database lives in memory and exists once, in one connection, which the
    live server shares with the test. Django's live server answers each browser connection in a
    thread of its own, so a page's requests at once (a service worker sending an outbox, the
    navigation refreshing beside a row) used that one connection together: a 503, a fragment
    swapped into the wrong place, a sync that never finished. Connections keep their threads
    (a single-threaded server would stall on Chromium's idle preconnections); requests queue."""

    def __init__(self, application, lock: threading.RLock) -> None:
        self.application = application
        self.lock = lock

    def __call__(self, environ, start_response):
        self.lock.acquire()
        try:
            return _Releasing(self.application(environ, start_response), self.lock)
        except BaseException:
            self.lock.release()
            raise


class _Releasing:
    """An answer's body that frees the lock once the server has sent (or dropped) it."""

    def __init__(self, body, lock: threading.RLock) -> None:
        self.body, self.lock, self.released = body, lock, False

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            if not self.released:
                self.released = True
                self.lock.release()


# One lock for the requests and for the test's own queries on the shared connection: a test
# that reads the database while the page is still asking for something (a count right after a
# click) would otherwise use the connection together with that request.
SHARED_CONNECTION = threading.RLock()


def _one_query_at_a_time(execute, sql, params, many, context):
    with SHARED_CONNECTION:
        return execute(sql, params, many, context)


class SerialWSGIServer(ThreadedWSGIServer):
    def set_app(self, application) -> None:
        super().set_app(OneRequestAtATime(application, SHARED_CONNECTION))

    def _close_connections(self) -> None:
        """Nothing to close: the only connection is the test's in-memory one, shared, which
        closing would not close anyway; a browser's connection that ended after the server
        stopped sharing it raised (a warning at the end of every run)."""


class SerialLiveServerThread(LiveServerThread):
    server_class = SerialWSGIServer


@pytest.fixture(scope="session")
def live_server(request) -> Iterator[LiveServer]:
    """pytest-django's live server; one request at a time on SQLite's in-memory test database
    (above), requests at once on PostgreSQL, where each thread has a connection of its own."""
    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    threaded = server.thread
    shared = list(threaded.connections_override.values())
    if shared:
        server.thread = SerialLiveServerThread(
            threaded.host,
            threaded.static_handler,
            connections_override=threaded.connections_override,
            port=threaded.port,
        )
        server.thread.daemon = True
    with contextlib.ExitStack() as stack:
        for connection in shared:  # the test's queries wait for the request being answered
            stack.enter_context(connection.execute_wrapper(_one_query_at_a_time))
        server.start()
        yield server
        server.stop()


# --- Browsers -----------------------------------------------------------------------------------


def sign_in(context, live_server, user) -> None:
    """Put a session for `user` in the browser, as if she had signed in."""
    client = DjangoClient()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def quiet(context) -> None:
    """Leave every page before the test's database is emptied: a request still on its way
    (the outbox sending, the worker keeping a page) would meet the flush."""
    for page in context.pages:
        if not page.is_closed():
            page.goto("about:blank")
    if context.pages:
        context.pages[0].wait_for_timeout(200)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that fails says what the page was showing and what it last asked the
    server, beside the assertion: a failure seen once in CI can then be understood without
    running it again."""
    report = yield
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None and not page.is_closed():
        exchanges = getattr(page, "hexa_exchanges", [])
        report.sections.append(("the page's last requests", "\n".join(exchanges[-15:])))
        try:
            dialog = page.evaluate(
                "() => { const d = document.getElementById('dialog');"
                " return d ? d.outerHTML : ''; }"
            )
        except Exception as error:  # the page may be gone or navigating
            dialog = f"(not read: {error})"
        report.sections.append(("the dialog at failure", dialog[:4000]))
    return report


def _record_exchanges(page) -> None:
    """Keep the method, address and status of each answer the page gets but static files
    (for the report of a failure, above)."""
    page.hexa_exchanges = []

    def keep(response) -> None:
        if "/static/" not in response.url:
            exchange = f"{response.status} {response.request.method} {response.url}"
            page.hexa_exchanges.append(exchange)

    page.on("response", keep)


@pytest.fixture
def signed_in(page, context, live_server, ana) -> Iterator:
    """A page whose browser is signed in as Ana; console errors fail the test."""
    _record_exchanges(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(context, live_server, ana)
    yield page
    assert errors == [], errors


@pytest.fixture
def short_waits(context, request) -> None:
    """A page that never shows what is awaited fails in seconds, not in half a minute: 5 s,
    or the module's `WAIT_MS`. Modules take it with `pytest.mark.usefixtures("short_waits")`."""
    context.set_default_timeout(getattr(request.module, "WAIT_MS", 5_000))


@pytest.fixture
def spanish_page(browser, live_server, ana) -> Iterator:
    """A page signed in as Ana in a Spanish browser; page errors fail the test."""
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5_000)
    sign_in(context, live_server, ana)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []
