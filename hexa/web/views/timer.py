"""The timer on the web: start it from a client's row (or its page, or the agenda), see it
running in the navigation, stop it into the quick-log form with the time spent filled in, or
discard it. With htmx the answers are a dialog and a `hexa:timer` event (the navigation's
timer refreshes itself on it); without, plain pages and redirects."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hexa.api.api import domain_error, error_response
from hexa.crm import services
from hexa.crm.errors import DomainError, error_body
from hexa.crm.models import Client, Dedication
from hexa.crm.services import timer as timers
from hexa.lib.durations import format_minutes
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.quick_log_form import quick_log_form
from hexa.web.views.common import is_htmx, safe_next


def _changed(response: HttpResponse) -> HttpResponse:
    """The navigation's timer (and any other part listening) refreshes itself."""
    response["HX-Trigger"] = json.dumps({"hexa:timer": {}})
    return response


@require_GET
def timer_nav(request: AuthenticatedRequest) -> HttpResponse:
    """The navigation's running timer, alone (htmx refreshes it after a change)."""
    return TemplateResponse(request, "web/timer_nav.html")


def _wants_json(request: HttpRequest) -> bool:
    """A device telling what was pressed offline (timer.js, with fetch): it is answered in
    JSON, so that a start refused because another timer runs is a 409 it can show, not a
    page it would take for a success."""
    return not is_htmx(request) and "application/json" in request.headers.get("Accept", "")


@require_POST
def timer_start(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Start the user's timer on a client; another one running: ask to stop it first."""
    client = get_object_or_404(Client, code=services.normalize_code(code))
    back = safe_next(request, reverse("web:explorer"))
    # a device that was offline says when it started (timer.js)
    started_at = _moment(request.POST.get("started_at", ""))
    try:
        timers.start_timer(
            user=request.user,
            client=client,
            replace=bool(request.POST.get("replace")),
            started_at=started_at,
        )
    except timers.TimerRunning as error:
        running = timers.timer_of(request.user)
        if _wants_json(request):
            return error_response(409, **error_body(error))
        template = "web/timer_running.html"
        if is_htmx(request):
            template += "#timer-running"
        context = {"client": client, "running": running, "back": back, "started_at": started_at}
        return TemplateResponse(request, template, context)
    except DomainError as error:
        if _wants_json(request):
            return domain_error(request, error)
        messages.error(request, error.message)
        if is_htmx(request):
            return TemplateResponse(request, "web/messages.html", {"oob": True})
        return redirect(back)
    if is_htmx(request):
        return _changed(HttpResponse(""))
    if _wants_json(request):
        return JsonResponse({"client": client.code}, status=201)
    messages.success(request, _("Timer started on %(client)s.") % {"client": client.code})
    return redirect(back)


@require_http_methods(["GET", "POST"])
def timer_stop(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Stop the timer on a client into its quick-log form, the time spent filled in. Past
    the limit, the form says so: Finish confirms the time spent shown, or the user corrects
    it first. A device that was offline when it stopped sends `stopped_at`."""
    client = get_object_or_404(Client, code=services.normalize_code(code))
    timer = timers.timer_of(request.user)
    initial: dict[str, Any] = {}
    notices: list[str] = []
    if timer is not None and timer.client_id == client.pk:
        stopped_at = _moment(request.GET.get("stopped_at", ""))
        minutes = timers.elapsed_minutes(timer, at=stopped_at)
        initial["minutes"] = format_minutes(minutes)
        if minutes > timers.limit_minutes():
            notices.append(
                _(
                    "The timer ran %(spent)s, past the limit of %(hours)s hours: confirm the "
                    "time spent or correct it before you finish."
                )
                % {"spent": format_minutes(minutes), "hours": settings.HEXA_TIMER_LIMIT_HOURS}
            )
    elif request.method == "GET":
        notices.append(
            _("No timer is running on %(client)s: this logs the activity without one.")
            % {"client": client.code}
        )

    def record(arguments: dict[str, Any]) -> services.QuickLogResult:
        minutes = arguments.pop("minutes")
        arguments.update(recorded_by=request.user, via=Dedication.Via.WEB)
        try:
            stopped = timers.stop_timer(
                user=request.user, minutes=minutes, confirmed=True, client=client, log=arguments
            )
        except timers.NoTimer:
            # Stopped meanwhile (on another device, or by this very form sent twice: then
            # its token makes the quick log a replay).
            return services.quick_log(**arguments, minutes=minutes)
        assert stopped.logged is not None
        return stopped.logged

    response = quick_log_form(
        request,
        client,
        record=record,
        action=reverse("web:timer-stop", args=[client.code]),
        initial=initial,
        notices=notices,
    )
    return _changed(response) if request.method == "POST" else response


@require_POST
def timer_discard(request: AuthenticatedRequest) -> HttpResponse:
    """Discard the user's timer. With `client` (a device telling a Discard pressed offline),
    only a timer still running on that client: one started since on another client, from
    another device, is not the one the user dropped."""
    back = safe_next(request, reverse("web:explorer"))
    meant = services.normalize_code(request.POST.get("client", ""))
    running = timers.timer_of(request.user)
    try:
        if meant and running is not None and running.client.code != meant:
            raise timers.NoTimer(
                _("No timer is running on %(client)s: the one on %(other)s keeps running.")
                % {"client": meant, "other": running.client.code}
            )
        client = timers.discard_timer(user=request.user)
    except DomainError as error:
        if _wants_json(request):
            return domain_error(request, error)
        messages.info(request, error.message)
    else:
        if _wants_json(request):
            return JsonResponse({"client": client.code})
        messages.success(request, _("Timer on %(client)s discarded.") % {"client": client.code})
    if is_htmx(request):
        return _changed(TemplateResponse(request, "web/messages.html", {"oob": True}))
    return redirect(back)


def _moment(value: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
