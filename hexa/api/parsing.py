"""How the API reads requests: JSON objects only, pages of bounded size and offset."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser


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
