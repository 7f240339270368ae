"""What the web tests share: who signs in (`ana`, a plain employee; `ana_is_manager` to make
her a manager; `manager`, another person who is one), Django's test client signed in as Ana
(`web` in English, `spanish_web` with Spanish chosen in Hexa), and for the browser tests,
Playwright driving Debian's Chromium against pytest-django's live server (`signed_in`,
`spanish_page`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.utils import timezone

from hexa.crm.services.permissions import managers_group
from tests import factories

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


# --- Who signs in -------------------------------------------------------------------------------


@pytest.fixture
def ana(db):
    """Ana García: user `ana`, employee ANA, not a manager."""
    user = factories.user("ana", first_name="Ana", last_name="García", email="ana@example.com")
    factories.employee("ANA", name="Ana García", user=user)
    return user


@pytest.fixture
def ana_is_manager(ana):
    """Ana in the managers group (`pytest.mark.usefixtures("ana_is_manager")` for modules of
    pages only managers see)."""
    ana.groups.add(managers_group())
    return ana


@pytest.fixture
def manager(db):
    """Marta Ruiz: user `marta`, employee MARTA, a manager; someone other than Ana."""
    user = factories.user("marta", first_name="Marta", email="marta@example.com")
    user.groups.add(managers_group())
    factories.employee("MARTA", name="Marta Ruiz", user=user)
    return user


def signed_in_client(client: DjangoClient, user, language: str = "en") -> DjangoClient:
    """`client` signed in as `user`, its browser asking for `language`."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def web(client, ana) -> DjangoClient:
    """Django's test client (pytest-django's `client`) signed in as Ana, reading English
    pages."""
    return signed_in_client(client, ana)


@pytest.fixture
def spanish_web(ana) -> DjangoClient:
    """Another client of Ana's, in an American browser (it asks for en-US), with Spanish
    chosen in Hexa."""
    client = signed_in_client(DjangoClient(), ana, "en-US,en;q=0.9")
    client.cookies["django_language"] = "es"
    return client


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


@pytest.fixture
def prieto(db) -> tuple:
    """Client PRIETO's overdue older task, and its latest one, due in two days: the one the
    quick log's rules choose."""
    today = timezone.localdate()
    own = factories.project(factories.client("PRIETO", name="Construcciones Prieto"), "PRIETO")
    overdue = factories.task(
        own,
        "Presupuesto nave",
        created_at=timezone.now() - dt.timedelta(days=9),
        next_follow_up=today - dt.timedelta(days=3),
    )
    latest = factories.task(own, "Visita a obra", next_follow_up=today + dt.timedelta(days=2))
    return overdue, latest
