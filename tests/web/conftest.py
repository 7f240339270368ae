"""What the web tests share: who signs in (`ana`, a plain employee, is tests/conftest.py's;
`ana_is_manager` makes her a manager; `manager`, another person who is one), Django's test
client signed in as Ana (`web` in English, `spanish_web` with Spanish chosen in Hexa), and
the records several modules start from. The browsers are in tests/web/browser/conftest.py."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import timezone

from hexa.crm.services.permissions import managers_group
from tests import factories

# --- Who signs in -------------------------------------------------------------------------------


# `ana` (Ana García, a plain employee) is tests/conftest.py's.


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


# --- What several modules start from ------------------------------------------------------------


@pytest.fixture
def employee(ana):
    """Ana's employee (the `employee` of tests/conftest.py would be a second ANA)."""
    return ana.employee


@pytest.fixture
def bea(db):
    """Bea López: user `bea`, employee BEA, not a manager; Ana's colleague."""
    user = factories.user("bea")
    factories.employee("BEA", name="Bea López", user=user)
    return user


@pytest.fixture
def acme(db):
    """Client ACME (Acme Industrial, tax id B11111111) with its project ACME and a pending
    task "Seguimiento"."""
    acme = factories.client("ACME", name="Acme Industrial", tax_id="B11111111")
    factories.task(factories.project(acme, "ACME", name="Acme"), "Seguimiento")
    return acme


def messages_of(response) -> list[str]:
    """The messages a page shows (after a redirect, the page it leads to)."""
    return [str(m) for m in response.context["messages"]] if response.context else []


def form_of(response) -> dict[str, str]:
    """The fields of the quick-log form as the web would send them untouched."""
    html = response.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    for name in ("date", "next_follow_up"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        fields[name] = match[1] if match else ""
    fields.pop("csrfmiddlewaretoken", None)
    for name in ("employee", "task"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        selected = select and re.search(r'<option value="(\d*)" selected>', select[0])
        if selected:
            fields[name] = selected[1]
    return fields


def post_log(web, code: str, **changes):
    """Finish the quick log of client `code` as the form comes, with `changes`."""
    page = web.get(reverse("web:quick-log", args=[code]))
    data = {**form_of(page), "text": "Called", "minutes": "", **changes}
    return web.post(reverse("web:quick-log", args=[code]), data)


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


@pytest.fixture
def acme_worked(ana):
    """ACME, its project, its task and Ana's 4 hours on it, by name."""
    client = factories.client("ACME", name="Acme Industrial")
    project = factories.project(client, "ACME", name="Acme")
    task = factories.task(project, "Seguimiento")
    dedication = factories.dedication(task, ana.employee, minutes=240, recorded_by=ana)
    return {"client": client, "project": project, "task": task, "dedication": dedication}


def links(html: str, path: str) -> list[str]:
    return [unescape(href) for href in re.findall(rf'href="({re.escape(path)}[^"]*)"', html)]
