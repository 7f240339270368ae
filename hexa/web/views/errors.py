"""Error pages Django does not make itself: a request over the size limit is a 413."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views import defaults

from hexa.crm.services.validation import too_large_message


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE as any bad request (400);
    say what it is, with the status that says it: 413."""
    if isinstance(exception, RequestDataTooBig):
        response = TemplateResponse(
            request, "413.html", {"message": too_large_message()}, status=413
        )
        return response.render()
    return defaults.bad_request(request, exception)
