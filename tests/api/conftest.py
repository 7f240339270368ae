from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from hexa.api.models import ApiToken
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


@pytest.fixture
def api_user(db):
    """Ana, a manager (who may also manage employees)."""
    user = factories.user("ana")
    user.groups.add(managers_group())
    factories.employee("ANA", name="Ana García", user=user)
    return user


@pytest.fixture
def api(api_user) -> Api:
    _row, token = ApiToken.objects.issue(user=api_user)
    return Api(token)


@pytest.fixture
def anonymous(db) -> Api:
    return Api(None)
