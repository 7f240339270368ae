"""Employees: the list for everyone; creating, editing, deactivating, restoring and linking
to a login user for managers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hexa.crm import services
from hexa.crm.errors import DomainError, Forbidden
from hexa.crm.models import Employee
from hexa.crm.services import queries
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.forms.management import ActiveForm, EmployeeForm
from hexa.web.views.common import form_page, posted, require_manager_page


def employee_list(request: AuthenticatedRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "web/employees.html",
        {
            "employees": queries.list_employees(),
            "manager": services.is_manager(request.user),
        },
    )


def employee_new(request: AuthenticatedRequest) -> HttpResponse:
    require_manager_page(request)
    form = EmployeeForm(posted(request))

    def save(data: dict) -> tuple[str, str]:
        employee = services.create_employee(**data, by=request.user)
        return _("Employee %(code)s created.") % {"code": employee.code}, reverse("web:employees")

    return form_page(
        request,
        form,
        save=save,
        title=_("New employee"),
        submit=_("Create employee"),
        cancel=reverse("web:employees"),
    )


def employee_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    require_manager_page(request)
    employee = get_object_or_404(Employee, code=services.normalize_code(code))
    initial = {"name": employee.name, "email": employee.email, "user": employee.user}
    form = EmployeeForm(posted(request), initial=initial, editing=employee)

    def save(data: dict) -> tuple[str, str]:
        services.update_employee(employee, by=request.user, **data)
        return _("Employee %(code)s saved.") % {"code": employee.code}, reverse("web:employees")

    return form_page(
        request,
        form,
        save=save,
        title=_("Edit %(name)s") % {"name": employee.name},
        submit=_("Save"),
        cancel=reverse("web:employees"),
    )


@require_POST
def employee_active(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Deactivate (they can no longer be chosen for new work) or restore an employee."""
    employee = get_object_or_404(Employee, code=services.normalize_code(code))
    form = ActiveForm(request.POST)
    active = form.is_valid() and form.cleaned_data["active"]
    try:
        services.update_employee(employee, active=active, by=request.user)
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            (_("%(name)s restored.") if active else _("%(name)s deactivated."))
            % {"name": employee.name},
        )
    return redirect("web:employees")
