"""How the API reads requests: JSON objects only, pages of bounded size and offset."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser

from hexa.crm.models import Task
from hexa.crm.services import agenda, queries
from hexa.crm.services.agenda import AGENDA_COUNT_CAP


class ObjectParser(Parser):
    """Request bodies are JSON objects. Anything else (`[]`, `5`, `null`) is a bad request
    (400), like malformed JSON, instead of being read as an empty object."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise ValueError("the request body must be a JSON object")
        return body


class Pages(LimitOffsetPagination):
    """`{"items": [...], "count": N}` with `limit` and `offset`; the offset is bounded so
    that a huge one is a 422, not a number the database cannot hold."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=2**31 - 1)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        """The page, then the count: only when the page is full does it take a query
        (queries.count_from_page)."""
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        items = list(queryset[offset : offset + limit])
        count = queries.count_from_page(offset=offset, limit=limit, found=len(items))
        return {"items": items, "count": self._items_count(queryset) if count is None else count}


class AgendaPages(Pages):
    """The agenda's pages: `after` (a task's id) starts the page after that follow-up, at
    the same cost however deep (`offset` then counts from there); `count` stops at
    AGENDA_COUNT_CAP, and `count_capped` says there are more."""

    class Input(Pages.Input):
        after: int | None = Field(
            None,
            ge=1,
            le=2**63 - 1,
            description="the id of the last follow-up of the previous page: this page starts "
            "after it, in the agenda's order",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description=f"how many follow-ups, counted up to {AGENDA_COUNT_CAP}")
        count_capped: bool = Field(description=f"there are more than {AGENDA_COUNT_CAP}")

    def paginate_queryset(
        self, queryset: QuerySet[Task], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        count, capped = agenda.capped_count(queryset)
        page = agenda.after(queryset, pagination.after)
        offset = pagination.offset
        return {
            "items": page[offset : offset + min(pagination.limit, self.max_limit)],
            "count": count,
            "count_capped": capped,
        }


@cache
def _query_names() -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
    """(address pattern, method, the query parameters it documents) of every operation."""
    from hexa.api.api import api  # the schema of the API this module helps to build

    operations = []
    for path, item in api.get_openapi_schema()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in item.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            operations.append((pattern, method.upper(), frozenset(names)))
    return operations


def refuse_unknown_query(request: HttpRequest) -> None:
    """A query parameter the endpoint does not document is a 422 naming it, as a misspelt
    field in a body is: `?limt=5` would otherwise quietly return the default page. So is one
    given twice (`?employee=A&employee=B`): every parameter takes one value, and Django would
    quietly keep the last."""
    for pattern, method, names in _query_names():
        if method == request.method and pattern.match(request.path_info):
            errors = [
                {"loc": ["query", name], "msg": "unknown parameter"}
                for name in sorted(set(request.GET) - names)
            ] + [
                {"loc": ["query", name], "msg": "give it once"}
                for name, values in sorted(request.GET.lists())
                if name in names and len(values) > 1
            ]
            if errors:
                raise ValidationError(errors)
            return
