"""Domain errors. Each carries a machine-readable `code`; every interface maps them to its own
form (a field error on a page, an HTTP status and JSON body, an exit code and a message)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = str(message)
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    """Bad input. `fields` maps each field at fault to its messages."""

    code = "validation_error"

    def __init__(self, fields: dict[str, list[str]], message: str | None = None) -> None:
        self.fields = {name: [str(m) for m in messages] for name, messages in fields.items()}
        first = next(iter(self.fields.values()))[0] if self.fields else "Invalid input."
        super().__init__(message or first)

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls({field: [message]})


class EitherOr(InvalidInput):
    """One of two inputs was expected, and neither or both came (a reschedule's days or
    date): a page whose controls give them otherwise says so in its own words."""


class Conflict(DomainError):
    """The request is well-formed but clashes with the data (a code already taken, ...)."""

    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        if code:
            self.code = code


class ClientArchived(Conflict):
    code = "client_archived"


class AmbiguousProject(Conflict):
    """The client has several active projects and none carries its code: the user chooses."""

    code = "ambiguous_project"

    def __init__(self, message: str, *, candidates: Iterable[Any]) -> None:
        self.candidates = list(candidates)
        super().__init__(message)


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"


class Forbidden(DomainError):
    """The user may not do this (someone else's dedication, managing employees, ...)."""

    code = "forbidden"


def error_body(error: DomainError) -> dict[str, Any]:
    """The error as JSON says it, the API's body and `--json` commands' alike: `code`,
    `message`, the details that say more (how many pending tasks, ...), `fields` for input
    at fault (a detail `field` becomes `fields`) and `candidates` for an ambiguous project."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    body.update(
        (key, value)
        for key, value in error.details.items()
        if key != "field" and isinstance(value, str | int | float | bool)
    )
    if isinstance(error, InvalidInput):
        body["fields"] = error.fields
    if isinstance(error, AmbiguousProject):
        body["candidates"] = [project.code for project in error.candidates]
    if field := error.details.get("field"):
        body["fields"] = {field: [error.message]}
    return body
