"""What a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): the sign-in page again, with the
reason and how long, as a 429 with Retry-After. (The API and the password reset answer their
own lockouts: hexa.api.auth, hexa.web.views.accounts.)"""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from hexa.crm.services import lockouts


def locked_out_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    username = (credentials or {}).get("username") or None
    seconds = lockouts.retry_after(request, username=username)
    # The form is not bound again: validating it would try the password once more.
    form = AuthenticationForm(request, initial={"username": username or ""})
    context = getattr(original_response, "context_data", None) or {}
    response = TemplateResponse(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_message": lockouts.sign_in_locked_message(seconds),
            "next": context.get("next", ""),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    # Middleware answers after Django has rendered the view's response: render this one here.
    return response.render()
