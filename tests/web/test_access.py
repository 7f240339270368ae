"""Who may open which page: every page and action needs a signed-in user (and an action a
POST); a manager reaches every page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from hexa.crm.models import (
    Dedication,
    Employee,
    Task,
)
from tests import factories
from tests.web.conftest import signed_in_client

pytestmark = pytest.mark.django_db


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/"),
        ("get", "/?q=acme"),
        ("get", "/clients/ACME/"),
        ("get", "/clients/ACME/log/"),
        ("post", "/clients/ACME/log/"),
        ("get", "/clients/NOPE/"),
    ],
)
def test_every_page_sends_a_signed_out_visitor_to_sign_in(client, acme, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Dedication.objects.count() == 0


def test_sign_in_page_and_language_switch_are_open(client):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_sign_out_needs_a_post_and_ends_the_session(web):
    assert web.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in web.session  # still signed in
    web.post(reverse("logout"))
    assert SESSION_KEY not in web.session
    response = web.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_carry_a_content_security_policy_and_no_inline_code(web, acme):
    for url in ("/", "/clients/ACME/", "/clients/ACME/log/"):
        response = web.get(url)
        policy = response["Content-Security-Policy"]
        html = response.content.decode()
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url


# --- Access -------------------------------------------------------------------------------------

PAGES = [
    "/agenda/",
    "/projects/",
    "/projects/new/",
    "/projects/ACME/",
    "/projects/ACME/edit/",
    "/projects/ACME/close/",
    "/projects/ACME/tasks/new/",
    "/projects/ACME/dedications/new/",
    "/tasks/",
    "/tasks/{task}/",
    "/tasks/{task}/edit/",
    "/tasks/{task}/dedications/new/",
    "/clients/new/",
    "/clients/ACME/edit/",
    "/clients/ACME/tasks/new/",
    "/clients/ACME/dedications/new/",
    "/dedications/{dedication}/edit/",
    "/dedications/{dedication}/delete/",
    "/employees/",
    "/employees/new/",
    "/employees/ANA/edit/",
]


def _fill(path: str, acme) -> str:
    task = Task.objects.get(project__code="ACME")
    employee = Employee.objects.get(code="ANA")
    dedication = factories.dedication(task, employee)
    return path.format(task=task.pk, dedication=dedication.pk)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.usefixtures("ana_is_manager")
def test_every_page_needs_a_signed_in_user(client, ana, acme, path):
    response = client.get(_fill(path, acme))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.usefixtures("ana_is_manager")
def test_every_page_answers_a_manager(web, acme, path):
    response = web.get(_fill(path, acme))

    assert response.status_code == 200, path
    assert "Ana García" in response.content.decode()  # the page, signed in, not an error


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/clients/ACME/archive/"),
        ("post", "/projects/ACME/reopen/"),
        ("post", "/tasks/{task}/complete/"),
        ("post", "/tasks/{task}/reopen/"),
        ("post", "/tasks/{task}/reschedule/"),
        ("post", "/tasks/{task}/assign/"),
        ("post", "/employees/ANA/active/"),
        ("post", "/agenda/calendar/"),
    ],
)
@pytest.mark.usefixtures("ana_is_manager")
def test_every_action_needs_a_signed_in_user_and_a_post(client, web, ana, acme, method, path):
    path = _fill(path, acme)
    web.logout()

    assert client.post(path)["Location"].startswith("/accounts/login/")
    signed_in_client(client, ana)
    assert client.get(path).status_code == 405
