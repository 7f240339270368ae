"""The quick-log form as a response, shared by the pages that end in a quick log: the
quick log's own page (`views/quick_log.py`) and the timer's stop (`views/timer.py`). Not a
view itself, so that no view module imports another.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hexa.crm import services
from hexa.crm.errors import AmbiguousProject, DomainError, IdempotencyConflict, InvalidInput
from hexa.crm.models import Client, Project, Task
from hexa.lib.requests import AuthenticatedRequest
from hexa.lib.text import ascii_int
from hexa.web.forms import QuickLogForm
from hexa.web.views.common import is_htmx, safe_next


def quick_log_form(
    request: AuthenticatedRequest,
    client: Client,
    *,
    record: Callable[[dict[str, Any]], services.QuickLogResult],
    action: str = "",
    initial: dict[str, Any] | None = None,
    notices: Sequence[str] = (),
) -> HttpResponse:
    """The quick-log form of `client`, posted to `action` (its own address by default),
    where Finish calls `record` with the domain's arguments (the timer's stop uses it too,
    with the minutes in `initial` and what it has to say in `notices`)."""
    back = safe_next(request, reverse("web:explorer"))
    if request.method == "POST":
        form = QuickLogForm(request.POST, client=client, user=request.user)
        if form.is_valid():
            try:
                result = record(form.quick_log_arguments())
            except IdempotencyConflict:
                form.add_error(
                    None,
                    _(
                        "This form had already been sent with other values. Press Finish "
                        "again to record it as a new dedication."
                    ),
                )
                form.renew_token()
            except AmbiguousProject:
                # Another project became active meanwhile: the form now asks for a choice.
                form = QuickLogForm(request.POST, client=client, user=request.user)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Nothing was recorded: %(client)s now has several active projects. "
                        "Choose one and press Finish again."
                    )
                    % {"client": client.name},
                )
            except InvalidInput as error:
                if {"task", "project"} & set(error.fields):
                    # Done or closed between the form's checks and the lock: the form falls
                    # back as it does for a stale page, and says so.
                    form = QuickLogForm(request.POST, client=client, user=request.user)
                    form.is_valid()
                for field, field_messages in error.fields.items():
                    visible = field in form.fields and not form[field].is_hidden
                    for message in field_messages:
                        if message not in form.errors.get(field if visible else "__all__", []):
                            form.add_error(field if visible else None, message)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return _logged(request, result, back)
    else:
        requested = (
            Project.objects.active()
            .of(client)
            .filter(code=services.normalize_code(request.GET.get("project", "")))
            .first()
        )
        task_id = ascii_int(request.GET.get("task", ""))
        task = (
            Task.objects.filter(pk=task_id, project__client=client)
            .select_related("project")
            .first()
            if task_id is not None
            else None
        )
        form = QuickLogForm(
            client=client, user=request.user, project=requested, task=task, initial=initial
        )
        form.notices.extend(notices)
    template = "web/quick_log.html"
    if is_htmx(request):
        template += "#quick-log-form"
    return TemplateResponse(
        request,
        template,
        {
            "client": client,
            "form": form,
            "back": back,
            "archived": not client.active,
            "action": action or reverse("web:quick-log", args=[client.code]),
        },
    )


def _logged(
    request: AuthenticatedRequest, result: services.QuickLogResult, back: str
) -> HttpResponse:
    """After Finish: with htmx, empty the dialog, say what was recorded, and announce it in a
    `hexa:quick-logged` event: app.js closes the dialog and each page refreshes its own part
    (the explorer's row, the client page's lists, the agenda); without, go back with the
    message."""
    dedication = result.dedication
    seen = reverse("web:project", args=[result.project.code]) + f"#dedication-{dedication.pk}"
    summary = format_html('{} <a href="{}">{}</a>', result.summary(), seen, _("See the activity"))
    if not is_htmx(request):
        messages.success(request, summary)
        return redirect(back)
    response = TemplateResponse(request, "web/messages.html", {"summary": summary, "oob": True})
    logged = {"client": dedication.client.code, "task": result.task.pk, "dedication": dedication.pk}
    response["HX-Trigger-After-Settle"] = json.dumps({"hexa:quick-logged": logged})
    return response
