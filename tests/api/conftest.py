"""What the API's tests share: a client program's view of the API (`Api`), the role fixtures
(`api_user`, a manager; `api` and `anonymous`; `as_user` for anyone else), the records most
modules start from, and the checks every refusal passes (`assert_json_error`, `every_row`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client as HttpClient
from django.test.client import ClientHandler

from hexa.api.models import ApiToken
from hexa.crm.models import Client, Employee, Project, Task
from hexa.crm.services.permissions import managers_group
from tests import factories


class Api:
    """The JSON API as a client program sees it: JSON in, status and JSON out."""

    def __init__(self, token: str | None) -> None:
        self.http = HttpClient()
        self.token = token

    def request(
        self, method: str, path: str, body: Any = None, *, headers: dict | None = None, **query
    ):
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        elif query:
            kwargs["data"] = query
        return getattr(self.http, method)(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **query):
        return self.request("get", path, **query)

    def post(self, path: str, body: Any = None, **kwargs):
        return self.request("post", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs):
        return self.request("patch", path, body, **kwargs)


# --- Checks --------------------------------------------------------------------------------------


def assert_json_error(response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """A refusal as the API documents it: `status`, a JSON body with `code` and a non-empty
    `message`, and on 422 `fields`, each with non-empty messages (`field` among them)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str), body
    assert body["message"].strip(), body
    if status == 422:
        assert isinstance(body["fields"], dict), body
        assert body["fields"], body
        for messages in body["fields"].values():
            assert messages, body
            assert all(isinstance(message, str) and message.strip() for message in messages), body
    if field is not None:
        assert field in body["fields"], body
    return body


def assert_instant(text: str | None, value: dt.datetime | None) -> None:
    """The API writes datetimes to the millisecond."""
    assert text is not None
    assert value is not None
    assert abs(dt.datetime.fromisoformat(text) - value) < dt.timedelta(milliseconds=1)


def codes(response) -> list[Any]:
    """The codes (or ids) of a list's page."""
    assert response.status_code == 200, response.content
    return [item.get("code", item.get("id")) for item in response.json()["items"]]


# --- Who calls ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _handler() -> ClientHandler:
    """One request handler per module: a new one loads the middleware, and WhiteNoise's scan
    of the static files costs ~80 ms."""
    return ClientHandler()


@pytest.fixture
def api_user(db):
    """Ana, a manager (who may also manage employees)."""
    user = factories.user("ana")
    user.groups.add(managers_group())
    factories.employee("ANA", name="Ana García", user=user)
    return user


@pytest.fixture
def api(api_user, _handler) -> Api:
    """The API as Ana, a manager, employee ANA."""
    _row, token = ApiToken.objects.issue(user=api_user)
    client = Api(token)
    client.http.handler = _handler
    return client


@pytest.fixture
def anonymous(db, _handler) -> Api:
    """The API without a token."""
    client = Api(None)
    client.http.handler = _handler
    return client


@pytest.fixture
def as_user(_handler) -> Callable[[AbstractUser], Api]:
    """The API as any `user`: `as_user(user)`."""

    def make(user: AbstractUser) -> Api:
        client = Api(ApiToken.objects.issue(user=user)[1])
        client.http.handler = _handler
        return client

    return make


# --- What is there ------------------------------------------------------------------------------


@pytest.fixture
def acme(db) -> Client:
    return factories.client("ACME", name="Acme S.L.")


@pytest.fixture
def website(acme) -> Project:
    """ACME's project WEB."""
    return factories.project(acme, "WEB", name="Website")


@pytest.fixture
def luis(db) -> Employee:
    """An active employee with no login."""
    return factories.employee("LUIS", name="Luis")


@dataclass
class World:
    acme: Client
    old: Client  # archived
    web: Project  # ACME, active, production
    shop: Project  # ACME, active, commercial
    shut: Project  # ACME, closed
    legacy: Project  # OLD (archived client), active
    old_shut: Project  # OLD (archived client), closed
    web_task: Task
    shop_task: Task
    shut_task: Task
    legacy_task: Task
    gone: Employee  # inactive

    def ids(self) -> dict[str, int]:
        return {
            name: getattr(self, name).pk
            for name in ("web_task", "shop_task", "shut_task", "legacy_task")
        }


@pytest.fixture
def records(api) -> World:
    """ACME (tax id B12345678) with WEB (production), SHOP and a closed SHUT; archived OLD
    with LEGACY and a closed OLDSHUT; a task in each; an inactive employee GONE."""
    acme = factories.client("ACME", name="Acme S.L.", tax_id="B12345678")
    old = factories.client("OLD", name="Old Times S.A.", tax_id="A87654321", active=False)
    web = factories.project(acme, "WEB", name="Website", kind="production")
    shop = factories.project(acme, "SHOP", name="Shop")
    shut = factories.project(acme, "SHUT", status="closed")
    legacy = factories.project(old, "LEGACY")
    old_shut = factories.project(old, "OLDSHUT", status="closed")
    return World(
        acme=acme,
        old=old,
        web=web,
        shop=shop,
        shut=shut,
        legacy=legacy,
        old_shut=old_shut,
        web_task=factories.task(web, "Call back", next_follow_up=dt.date(2035, 1, 1)),
        shop_task=factories.task(shop, "Send catalogue"),
        shut_task=factories.task(shut, "Archive files"),
        legacy_task=factories.task(legacy, "Old work"),
        gone=factories.employee("GONE", name="Gone Away", active=False),
    )
