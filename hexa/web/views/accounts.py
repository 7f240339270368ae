"""One's own account (API tokens, the password, a password reset by email) and, for managers,
the sign-in lockouts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hexa.api import tokens as token_service
from hexa.crm.errors import DomainError, Forbidden, NotFound
from hexa.crm.services import lockouts
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.accounts import LiftLockoutForm, TokenForm
from hexa.web.forms.base import show_error
from hexa.web.views.common import posted, require_manager_page

# --- API tokens -----------------------------------------------------------------------------


@never_cache  # the page that shows a new token once must not be kept by any cache
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own tokens: list, create (the token is shown on the answer, once), revoke."""
    form = TokenForm(posted(request))
    created: tuple[Any, str] | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = token_service.create_token(user=request.user, **form.cleaned_data)
            except DomainError as error:
                show_error(form, error)
        if created:
            form = TokenForm()
        else:
            status = 400
    return TemplateResponse(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": token_service.tokens_of(request.user),
            "created": created[0] if created else None,
            "secret": created[1] if created else None,
        },
        status=status,
    )


@require_POST
def token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    try:
        row = token_service.revoke_token(token_id=token_id, by=request.user)
    except NotFound:
        raise Http404 from None
    messages.success(
        request,
        _("Token %(hint)s… (%(name)s) revoked: it no longer works.")
        % {"hint": row.hint, "name": row.name or _("no name")},
    )
    return redirect("api-tokens")


# --- The password -----------------------------------------------------------------------------


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change, on Hexa's page, saying what a change does."""

    template_name = "web/form_page.html"
    success_url = reverse_lazy("api-tokens")
    extra_context = {
        "title": gettext_lazy("Change your password"),
        "intro": gettext_lazy(
            "Changing it revokes all your API tokens and signs you out everywhere else; "
            "this browser stays signed in."
        ),
        "submit": gettext_lazy("Change password"),
        "next": reverse_lazy("api-tokens"),
    }

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _(
                "Your password was changed. Your API tokens were revoked and your other "
                "sessions signed out."
            ),
        )
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordReset(auth_views.PasswordResetView):
    """Django's "forgot your password" by email, counted as sign-in attempts: too many
    requests for one email or from one address are refused for a while, as sign-ins are."""

    template_name = "web/form_page.html"
    extra_context = {
        "title": gettext_lazy("Forgot your password?"),
        "intro": gettext_lazy(
            "Write your email address: if a user has it, a link to choose a new password is "
            "sent to it."
        ),
        "submit": gettext_lazy("Send me the link"),
        "next": reverse_lazy("login"),
    }

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        if lockouts.record_password_reset(self.request, email=email):
            seconds = lockouts.retry_after(self.request, username=email)
            form.add_error(None, lockouts.reset_locked_message(seconds))
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(seconds)
            return response
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/message.html"
    extra_context = {
        "title": gettext_lazy("Check your email"),
        "text": gettext_lazy(
            "If that address belongs to a user, a link to choose a new password is on its way. "
            "It works once, for a few days. Nothing arrived? Check the spam folder, or ask a "
            "manager."
        ),
        "link": reverse_lazy("login"),
        "link_text": gettext_lazy("Back to sign in"),
    }


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        lockouts.lift_after_password_reset(form.user)
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/message.html"
    extra_context = {
        "title": gettext_lazy("Password changed"),
        "text": gettext_lazy(
            "Your new password is set. Your API tokens were revoked and every session signed "
            "out: sign in with the new password."
        ),
        "link": reverse_lazy("login"),
        "link_text": gettext_lazy("Sign in"),
    }


# --- Lockouts (managers) ----------------------------------------------------------------------


def lockout_list(request: AuthenticatedRequest) -> HttpResponse:
    require_manager_page(request)
    return TemplateResponse(
        request,
        "accounts/lockouts.html",
        {
            "lockouts": lockouts.lockouts(),
            "policy": lockouts.policy(),
            "address": lockouts.client_address(request),
        },
    )


@require_POST
def lockout_lift(request: AuthenticatedRequest) -> HttpResponse:
    form = LiftLockoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say which user name or address to unlock."))
        return redirect("lockouts")
    try:
        lockouts.lift_lockout(**form.cleaned_data, by=request.user)
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        what = form.cleaned_data["username"] or form.cleaned_data["address"]
        messages.success(request, _("%(what)s can sign in again.") % {"what": what})
    return redirect("lockouts")
