"""The JSON API, version 1: authentication, error bodies, and the URLs.

Every error answers `{"code", "message"}` (plus `fields` for bad input, `candidates` for an
ambiguous project). Endpoints are thin: parse, call hexa.crm.services, render.
"""

from __future__ import annotations

import logging
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hexa.api.auth import TokenAuth, TokenRefused, TooManyAttempts, too_many_attempts_response
from hexa.api.parsing import ObjectParser
from hexa.api.routes import router
from hexa.api.timer import router as timer_router
from hexa.crm.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    error_body,
)
from hexa.crm.services.validation import too_large_message
from hexa.lib.unavailable import unavailable

logger = logging.getLogger(__name__)


def _token_or_session(view: Any) -> Any:
    """The OpenAPI schema and docs: for signed-in users and token holders only."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            token_user = request.user.is_authenticated or TokenAuth()(request)
        except HttpError as error:  # a refused token or a lockout: answered as the API does
            return api.on_exception(request, error)
        if not token_user:
            response = error_response(401, "unauthorized", _("Sign in or send a valid API token."))
            response["WWW-Authenticate"] = "Bearer"
            return response
        return view(request, *args, **kwargs)

    return guarded


api = NinjaAPI(
    title="Hexa API",
    version="1",
    description=(
        "Hexa's JSON API. Authenticate with `Authorization: Bearer <token>` (make one on "
        "your API tokens page, /accounts/tokens/, or with `hexa token create USERNAME`). "
        "Repeated bad tokens lock the caller's address out for a while: 429 "
        "`too_many_attempts` with Retry-After. The heart of it is "
        "`POST /clients/{code}/quick-log`."
    ),
    auth=TokenAuth(),
    docs_decorator=_token_or_session,
    urls_namespace="api",
    parser=ObjectParser(),
)


def error_response(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    body = {"code": code, "message": message}
    body.update({key: value for key, value in extra.items() if value is not None})
    return JsonResponse(body, status=status)


_STATUS = {
    InvalidInput: 422,
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    return error_response(status, **error_body(error))


def _field_name(location: list[Any]) -> str:
    """('body', 'payload', 'minutes', ...) -> 'minutes'; ('query', 'limit') -> 'limit'.

    Bodies are flat, so the first name after the source is the field; what follows it names
    the alternatives of a union, which mean nothing to the API's user.
    """
    parts = [str(part) for part in location[1:] if part != "payload"]
    return parts[0] if parts else "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in error.errors:
        message = str(item.get("msg", "Invalid value")).removeprefix("Value error, ")
        fields.setdefault(_field_name(list(item.get("loc", []))), []).append(message)
    first_field, messages = next(iter(fields.items()), ("body", ["Invalid request"]))
    return error_response(422, "validation_error", f"{first_field}: {messages[0]}", fields=fields)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    message = (
        error.message
        if isinstance(error, TokenRefused)
        else _("Send a valid API token: Authorization: Bearer <token>.")
    )
    response = error_response(401, "unauthorized", message)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(TooManyAttempts)
def too_many_attempts(request: HttpRequest, error: TooManyAttempts) -> HttpResponse:
    return too_many_attempts_response(error.message, error.retry_after)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # 400 -> "bad_request", 403 -> "forbidden", 429 -> "too_many_requests", ...
    code = HTTPStatus(error.status_code).phrase.lower().replace(" ", "_")
    return error_response(error.status_code, code, str(error))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(404, "not_found", str(error) or _("Not found."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning("Database unavailable on %s %s: %s", request.method, request.path, error)
    return unavailable(request)


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "too_large", too_large_message())


@api.exception_handler(Exception)
def internal_error(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", _("Something went wrong on our side."))


api.add_router("/", router)
api.add_router("/", timer_router)


@login_not_required
def unknown_endpoint(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under /api/: a JSON 404, as API clients expect."""
    return error_response(404, "not_found", _("There is no such API endpoint."))


class JsonMethodNotAllowed:
    """django-ninja answers a wrong method with an empty 405; say it in JSON, as the other
    errors do (the Allow header stays)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path_info.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            replacement = error_response(
                405,
                "method_not_allowed",
                _("This endpoint accepts %(methods)s.") % {"methods": allowed},
            )
            replacement["Allow"] = allowed
            return replacement
        return response
