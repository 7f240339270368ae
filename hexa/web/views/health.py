"""Health checks for load balancers: `GET /healthz` (the process is alive; the database is not
asked) and `GET /readyz` (the database answers and is migrated). No sign-in, tiny JSON bodies,
never cached."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hexa.crm.services.health import not_ready_reason
from hexa.lib.unavailable import RETRY_AFTER

logger = logging.getLogger(__name__)


def _health(code: int, **body: str) -> JsonResponse:
    response = JsonResponse(body, status=code)
    response["Cache-Control"] = "no-store"
    if code == 503:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive (the database is not asked)."""
    return _health(200, status="alive")


@login_not_required
@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and is migrated: send this process requests."""
    if reason := not_ready_reason():
        logger.warning("Not ready: %s", reason)
        return _health(503, status="unavailable", reason=reason)
    return _health(200, status="ready")
