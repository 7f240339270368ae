"""The installable, offline-capable Log page (issue 12): the page, the clients a phone keeps,
the endpoint its outbox sends to, the web app manifest and the service worker.

The outbox (web/outbox.js) sends each entry with the idempotency key made on the device, so a
retry after a lost answer replays the first answer instead of writing a second dedication.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from ninja.errors import ValidationError as ApiValidationError
from pydantic import ValidationError

from hexa.api.api import domain_error, error_response, validation_error
from hexa.api.schemas import QuickLogIn
from hexa.crm import services
from hexa.crm.errors import AmbiguousProject, DomainError
from hexa.crm.models import Dedication, Employee
from hexa.crm.services.device_clients import device_clients
from hexa.lib.requests import AuthenticatedRequest

THEME_COLOUR = "#1a5fb4"  # favicon.svg's blue
# What the service worker keeps for the Log page to open offline: everything base.html and
# log.html load.
PRECACHED = [
    "vendor/pico.min.css",
    "vendor/htmx.min.js",
    "vendor/combobox-nav.js",
    "web/app.css",
    "web/fields.css",
    "web/log.css",
    "web/app.js",
    "web/dates.js",
    "web/pickers.js",
    "web/outbox.js",
    "web/pwa.js",
    "web/log.js",
    "web/timer.js",
    "web/timer.css",
    "web/favicon.svg",
    "web/icons/icon-192.png",
]
# The key the domain stores, so that a device's keys never meet the web form's or the API's.
KEY_PREFIX = "device:"


@require_GET
def log_page(request: AuthenticatedRequest) -> HttpResponse:
    """The phone-first Log page: find a client, log, and see the device's outbox."""
    employees = Employee.objects.filter(active=True).order_by("name")
    texts = {
        "waiting": _("Waiting to be sent"),
        "sent": _("Sent"),
        "refused": _("Refused"),
        "saved_offline": _("Saved on this device: it will be sent when there is a connection."),
        "saved": _("Saved; sending…"),
        "signed_out": _("Your session has ended. Sign in again to send what waits."),
        "other_user": _(
            "Entries recorded by %(name)s wait here: they are only sent when %(name)s is signed in."
        ),
        "new_project": _("new project %(project)s"),
        "project": _("project %(project)s"),
        "new_task": _("new task “%(task)s”"),
        "task": _("task “%(task)s”"),
        "choose_project": _("Choose the project and send again."),
        "no_match": _("No client on this device matches."),
        "discard_confirm": _("Tap again to discard"),
        "offline": _("Offline"),
        "not_sent_yet": _("Not sent: no connection. It stays here and is sent later."),
        "error": _("The server could not take it now; it stays here and is sent later."),
    }
    employee = services.employee_of(request.user, active_only=True)
    return TemplateResponse(
        request,
        "web/log.html",
        {
            "employees": employees,
            "employee": employee,
            "texts": texts,
            "follow_ups": [
                (_("+1 day"), "1d"),
                (_("+1 week"), "7d"),
                (_("+2 weeks"), "14d"),
                (_("+1 month"), "1m"),
            ],
            "minutes_choices": [15, 30, 45, 60, 90, 120],
        },
    )


@require_GET
@never_cache
def log_clients(request: AuthenticatedRequest) -> JsonResponse:
    """The clients the device keeps for searching offline (README, "The Log page")."""
    employee = services.employee_of(request.user)
    clients = device_clients(user=request.user, employee=employee)
    return JsonResponse(
        {"clients": [{"code": c.code, "name": c.name, "tax_id": c.tax_id} for c in clients]}
    )


@login_not_required  # answers 401 in JSON: the outbox asks the user to sign in again
@require_POST
def log_send(request: HttpRequest) -> HttpResponse:
    """One outbox entry: the quick log's fields as JSON, the client's code in `client`, the
    device's key in Idempotency-Key, the user who recorded it in X-Hexa-User."""
    if not request.user.is_authenticated:
        return error_response(401, "signed_out", _("Sign in again to send what waits."))
    if request.headers.get("X-Hexa-User", "") != str(request.user.pk):
        return error_response(
            409, "other_user", _("This entry was recorded by someone else on this device.")
        )
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 200:
        return error_response(400, "bad_request", _("The entry has no idempotency key."))
    try:
        body = json.loads(request.body)
        code = str(body.pop("client"))
        payload = QuickLogIn.model_validate(body)
    except ValidationError as error:  # a ValueError too: first
        located = [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
        return validation_error(request, ApiValidationError(located))
    except (ValueError, TypeError, KeyError, AttributeError):
        return error_response(400, "bad_request", _("The entry could not be read."))
    given = payload.model_fields_set
    try:
        employee = (
            services.employee_by_code(payload.employee)
            if payload.employee
            else services.employee_of(request.user)
        )
        result = services.quick_log(
            client=services.client_by_code(code),
            employee=employee,
            text=payload.text,
            date=payload.date,
            # Left empty: as the web form does, a follow-up still to come stays (rule 4).
            next_follow_up=(
                payload.next_follow_up if "next_follow_up" in given else services.KEPT_IF_TO_COME
            ),
            minutes=services.minutes_from(payload.minutes),
            project=services.project_by_code(payload.project) if payload.project else None,
            recorded_by=request.user,
            via=Dedication.Via.WEB,
            idempotency_key=KEY_PREFIX + key,
        )
    except AmbiguousProject as error:
        response = domain_error(request, error)
        body = json.loads(response.content)
        body["projects"] = [{"code": p.code, "name": p.name} for p in error.candidates]
        return JsonResponse(body, status=response.status_code)
    except DomainError as error:
        return domain_error(request, error)
    return JsonResponse(
        {**result.as_dict(), "summary": result.summary(), "replayed": result.replayed},
        status=201,
    )


@login_not_required  # browsers fetch the manifest without cookies
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: "Add to home screen" opens the Log page, in the user's language."""
    icons = [
        {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("web/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    data = {
        "name": _("Hexa: log your work"),
        "short_name": _("Hexa log"),
        "description": _("Log what you did for a client, with or without a connection."),
        "lang": translation.get_language(),
        "id": reverse("web:log"),
        "start_url": reverse("web:log"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _version(paths: list[str]) -> str:
    """Changes whenever a precached file does, so the worker installs again and refreshes."""
    digest = hashlib.sha256()
    for path in paths:
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            with open(found, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:16]


def _precached_urls() -> list[str]:
    """Each file's address as pages link it (hashed once collected) and as the ES modules
    import each other (`./outbox.js`: Django leaves module imports unhashed)."""
    urls = [static(path) for path in PRECACHED]
    urls += [settings.STATIC_URL + path for path in PRECACHED]
    return list(dict.fromkeys(urls))


@login_not_required  # nothing private in it; the browser fetches it for every signed-out page
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the site's root so that its scope covers every page."""
    context: dict[str, Any] = {
        "version": _version(PRECACHED),
        "precached": json.dumps(_precached_urls()),
        "log_url": json.dumps(reverse("web:log")),
    }
    response = TemplateResponse(
        request, "web/sw.js", context, content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
