"""The quick-log form: a dialog over the page with htmx, a page of its own without.

Each view parses its input with a form, calls the domain, and renders; with htmx only the
part that changed is swapped (template partials named `page.html#part`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from hexa.crm import services
from hexa.crm.models import Dedication
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms import ProjectChoiceForm, QuickLogForm
from hexa.web.quick_log_form import quick_log_form
from hexa.web.views.common import client_or_404


@require_http_methods(["GET", "POST"])
def quick_log(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The quick-log form of one client: a dialog over the page with htmx, a page without."""
    client = client_or_404(code)

    def record(arguments: dict[str, Any]) -> services.QuickLogResult:
        return services.quick_log(**arguments, recorded_by=request.user, via=Dedication.Via.WEB)

    return quick_log_form(request, client, record=record)


@require_GET
def quick_log_follow_up(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """What depends on the project or task just chosen (htmx): the next follow-up field
    pre-filled for the task the log will now use, unless the user already changed it, and,
    after a project is chosen, the task picker with that project's task first."""
    client = client_or_404(code)
    form = QuickLogForm(client=client, user=request.user)
    choice = ProjectChoiceForm(request.GET, plan=form.plan)
    if not choice.is_valid():
        return HttpResponse(status=204)  # nothing to change
    task, project = choice.cleaned_data["task"], choice.cleaned_data["project"]
    form = QuickLogForm(client=client, user=request.user, project=project, task=task)
    return TemplateResponse(
        request,
        "web/quick_log_follow_up.html",
        {
            "client": client,
            "form": form,
            "follow_up": not choice.follow_up_edited,
            "picker": task is None,
        },
    )
