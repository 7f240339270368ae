"""Unassigned emails: the messages `hexa mail fetch` could not log by itself (no client or
several, or a failure) wait here for someone to choose the client, or to discard them;
emails from unknown senders are listed for managers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hexa.crm import services
from hexa.crm.errors import DomainError, Forbidden
from hexa.crm.models import Client, InboundEmail
from hexa.crm.services import mail
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.pickers import ClientField

SHOWN = 100  # emails per list; the oldest beyond wait until these are handled


class AssignForm(forms.Form):
    client = ClientField(include_archived=False, label=gettext_lazy("Client"))


def unassigned(request: AuthenticatedRequest) -> HttpResponse:
    waiting = list(mail.waiting_emails().order_by("received_at", "id")[: SHOWN + 1])
    manager = services.is_manager(request.user)
    unknown = list(mail.unknown_sender_emails()[: SHOWN + 1]) if manager else []
    candidate_ids = {pk for email in waiting for pk in email.candidates}
    candidates = {c.pk: c for c in Client.objects.filter(pk__in=candidate_ids)}
    rows = [
        {
            "email": email,
            "form": AssignForm(prefix=f"e{email.pk}", auto_id=f"id_e{email.pk}_%s"),
            "candidates": [candidates[pk] for pk in email.candidates if pk in candidates],
        }
        for email in waiting[:SHOWN]
    ]
    return TemplateResponse(
        request,
        "web/mail_unassigned.html",
        {
            "rows": rows,
            "more": len(waiting) > SHOWN,
            "unknown": unknown[:SHOWN],
            "more_unknown": len(unknown) > SHOWN,
            "manager": manager,
        },
    )


@require_POST
def assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    form = AssignForm(request.POST, prefix=f"e{pk}")
    client = request.POST.get("choice")
    if client:  # one of the candidates, chosen with its button
        form = AssignForm({f"e{pk}-client": client}, prefix=f"e{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose the client: %(error)s") % _errors(form))
        return redirect(f"{reverse('web:mail-unassigned')}#email-{pk}")
    try:
        email = mail.assign_email(pk, form.cleaned_data["client"], by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('web:mail-unassigned')}#email-{pk}")
    assert email.dedication is not None and email.client is not None
    messages.success(
        request,
        _("Email “%(subject)s” logged for %(client)s.")
        % {"subject": email.subject, "client": email.client.code},
    )
    return redirect("web:mail-unassigned")


def _errors(form: forms.Form) -> dict[str, Any]:
    return {"error": " ".join(str(e) for errors in form.errors.values() for e in errors)}


@require_POST
def discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        email: InboundEmail = mail.discard_email(pk, by=request.user)
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Email “%(subject)s” discarded.") % {"subject": email.subject})
    return redirect("web:mail-unassigned")
