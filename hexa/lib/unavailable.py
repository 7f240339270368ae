"""When the database is away: 503 with Retry-After instead of a 500.

A database that refuses connections, drops them, or (SQLite) keeps its write lock longer than
HEXA_SQLITE_TIMEOUT raises OperationalError or InterfaceError wherever Hexa touches it: in a
view, a middleware (sessions, sign-in) or a template. The API's own handler (hexa.api.api)
and Django's handler500 (below, for everything else) both answer with `unavailable()`:
JSON `{"code": "unavailable", ...}` under /api/, a friendly page elsewhere. The transaction in
flight is rolled back by the database, so nothing is half-written, and the next request opens
a new connection: Hexa recovers by itself when the database is back. The health checks for
load balancers are in hexa.web.views.health.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 5
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the form the address expects."""
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "code": "unavailable",
                "message": _("Hexa cannot reach its database just now. Try again shortly."),
            },
            status=503,
        )
    else:
        # Rendered without the request's context: the signed-in user is in the database.
        with translation.override(translation.get_language_from_request(request)):
            page = render_to_string("503.html", {"LANGUAGE_CODE": translation.get_language()})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 when the database is the cause (Django calls it while handling the
    exception, so sys.exc_info() still names it), else Django's own 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE_ERRORS):
        return unavailable(request)
    return django_server_error(request)
