"""The installable, offline-capable Log page (issue 12): the page, the clients a phone keeps,
the endpoint its outbox sends to, the web app manifest and the service worker.

The outbox (web/outbox.js) sends each entry with the idempotency key made on the device, so a
retry after a lost answer replays the first answer instead of writing a second dedication.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
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
from hexa.crm.models import Dedication, Employee, IdempotencyKey
from hexa.crm.services.device_clients import device_clients
from hexa.crm.services.quick_log import key_scope
from hexa.lib.dates import parse_typed_day
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.base import DateInput

THEME_COLOUR = "#1a5fb4"  # favicon.svg's blue
# What the service worker keeps for the Log page to open offline: everything base.html and
# log.html load.
PRECACHED = [
    "vendor/pico.min.css",
    "vendor/htmx.min.js",
    "vendor/combobox-nav.js",
    "vendor/cally.js",  # the date fields' calendar (dates.js loads it when first opened)
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
KEY_LENGTH = 200  # a device's keys are UUIDs; the domain keeps up to 255 characters


def _device_key(text: str) -> str | None:
    """The key the domain keeps for a device's `text`, or None when no device sends such a
    key (empty, too long, or with a NUL, which PostgreSQL refuses in a query)."""
    key = text.strip()
    if not key or len(key) > KEY_LENGTH or "\x00" in key:
        return None
    return KEY_PREFIX + key


# The header that says whose Log page it is (the service worker keeps it for that user only)
# and who recorded an outbox entry (log_send refuses it from anyone else).
USER_HEADER = "X-Hexa-User"


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
        # The quick log's own words for a missing or unreadable date (Django's DateField).
        "required": str(forms.Field.default_error_messages["required"]),
        "bad_date": str(forms.DateField.default_error_messages["invalid"]),
        "start_timer": _("Start a timer on %(code)s"),
        "timer_stopped": _(
            "Timer on %(code)s stopped without a connection, %(spent)s: Finish keeps it on this "
            "device, to be sent with the rest."
        ),
        "already_sent": _(
            "It had reached Hexa already (the answer was lost on the way): change it on the "
            "client's page."
        ),
        "check_offline": _(
            "It may have reached Hexa already (the answer was lost on the way): edit it when "
            "there is a connection, so that it is not recorded twice."
        ),
    }
    employee = services.employee_of(request.user, active_only=True)
    response = TemplateResponse(
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
            # The date fields of every Hexa form: dd/mm/yyyy in Hexa's language, with its
            # calendar (dates.js), the same whatever the browser's own format is.
            "date_field": DateInput(attrs={"id": "log-date", "required": True}).render(
                "date", None
            ),
            "follow_up_field": DateInput(attrs={"id": "log-follow-up"}).render(
                "next_follow_up", None
            ),
        },
    )
    # Whose page it is: the service worker keeps it for that user only (web/sw.js).
    response[USER_HEADER] = str(request.user.pk)
    return response


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
    if request.headers.get(USER_HEADER, "") != str(request.user.pk):
        return error_response(
            409, "other_user", _("This entry was recorded by someone else on this device.")
        )
    key = _device_key(request.headers.get("Idempotency-Key", ""))
    if key is None:
        return error_response(400, "bad_request", _("The entry has no idempotency key."))
    try:
        body = json.loads(request.body)
        code = str(body.pop("client"))
        if bad := _typed_days(body):
            name, messages = bad
            message = f"{name}: {messages[0]}"
            return error_response(422, "validation_error", message, fields={name: messages})
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
            idempotency_key=key,
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


def _typed_days(body: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The entry's dates read as the quick log's form reads them (DateInput: 29/11/2026,
    29-11-26, 2026-11-29...), into the ISO dates QuickLogIn takes; the first field that is not
    a day, with the form's message."""
    for name in ("date", "next_follow_up"):
        value = body.get(name)
        if not isinstance(value, str):
            continue  # absent, null, or not text: QuickLogIn says what is wrong
        if (day := parse_typed_day(value)) is None:
            return name, [str(forms.DateField.default_error_messages["invalid"])]
        body[name] = day.isoformat()
    return None


@require_GET
@never_cache
def log_entry(request: AuthenticatedRequest, key: str) -> JsonResponse:
    """Whether the outbox entry with the device's `key` reached Hexa: the first answer (200)
    or 404. An entry whose answer was lost asks this before it is edited (web/log.js): once
    recorded, sending it again with other fields would be refused for good, and under a new
    key it would be a second dedication."""
    device_key = _device_key(key)
    record = (
        IdempotencyKey.objects.filter(scope=key_scope(request.user), key=device_key)
        .only("answer")
        .first()
        if device_key
        else None
    )
    if record is None:
        return error_response(404, "not_found", _("Hexa has no entry with this key."))
    return JsonResponse({**record.answer, "recorded": True})


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
