"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server,
signed in as Ana (tests/web/conftest.py): `signed_in` in English, `spanish_page` in Spanish."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client as DjangoClient

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


# --- Browsers -----------------------------------------------------------------------------------


def sign_in(context, live_server, user) -> None:
    """Put a session for `user` in the browser, as if she had signed in."""
    client = DjangoClient()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def signed_in(page, context, live_server, ana) -> Iterator:
    """A page whose browser is signed in as Ana; console errors fail the test."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(context, live_server, ana)
    yield page
    assert errors == [], errors


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
