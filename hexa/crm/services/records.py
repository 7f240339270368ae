"""Creating and changing clients, employees and projects.

Each function validates its input, applies Hexa's rules (codes are canonical and unique, an
archived client takes no new work, only managers manage employees, closing a project with
pending work is confirmed) and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hexa.crm.errors import ClientArchived, Conflict, InvalidInput
from hexa.crm.models import CLIENT_CODE_MAX, PROJECT_CODE_MAX, Client, Employee, Project
from hexa.crm.services.codes import check_code, normalize_tax_id
from hexa.crm.services.locks import lock, unchanged_on_error
from hexa.crm.services.model_validation import full_clean
from hexa.crm.services.permissions import Actor, require_manager

CLIENT_FIELDS = ("name", "tax_id", "email", "phone", "notes", "active")
EMPLOYEE_FIELDS = ("name", "email", "active", "user")
PROJECT_FIELDS = ("name", "kind", "status")


def _save_new(
    instance: Client | Employee | Project, *, what: str, checks: tuple[Callable[[], None], ...] = ()
) -> None:
    """Insert `instance`; a unique value taken meanwhile is a Conflict (see `_save`), on
    `code` unless `checks` find another field taken."""
    _save(instance, checks=(*checks, lambda: _raise(_code_taken(what, instance.code))))


def _save(
    instance: models.Model,
    *,
    checks: tuple[Callable[[], None], ...],
    update_fields: list[str] | None = None,
) -> None:
    """Save `instance` (insert it when `update_fields` is None). A unique value (code, tax
    id, login user) that another request took since it was checked makes the unique index
    refuse it: `checks`, run again then, raise the Conflict that says which (409, never an
    IntegrityError's 500)."""
    try:
        with transaction.atomic():
            if update_fields is None:
                instance.save(force_insert=True)
            else:
                instance.save(update_fields=update_fields)
    except IntegrityError:
        for check in checks:
            check()
        raise


def _raise(error: Exception) -> None:
    raise error


def _code_taken(what: str, code: str) -> Conflict:
    return Conflict(
        _("The code %(code)s is already used by another %(what)s.") % {"code": code, "what": what},
        code="already_exists",
        field="code",
    )


def _apply(instance: models.Model, changes: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise InvalidInput({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _check_tax_id_free(tax_id: str, *, exclude_pk: int | None = None) -> None:
    if tax_id and Client.objects.filter(tax_id=tax_id).exclude(pk=exclude_pk).exists():  # type: ignore[misc]  # pk=None excludes nothing
        raise Conflict(
            _("Another client has the tax id %(tax_id)s.") % {"tax_id": tax_id},
            code="already_exists",
            field="tax_id",
        )


# --- Clients ------------------------------------------------------------------------------------


def new_client(
    *, code: str, name: str, tax_id: str = "", email: str = "", phone: str = "", notes: str = ""
) -> Client:
    """An unsaved client from what a user typed, normalized and checked as `create_client`
    does (code, lengths, email), every problem at once in one InvalidInput. Whether the code
    and tax id are free needs the database: that is the caller's check."""
    errors: dict[str, list[str]] = {}
    try:
        code = check_code(code, max_length=CLIENT_CODE_MAX)
    except InvalidInput as error:
        errors.update(error.fields)
    client = Client(
        code=code,
        name=name.strip(),
        tax_id=normalize_tax_id(tax_id),
        email=email.strip(),
        phone=phone.strip(),
        notes=notes.strip(),
    )
    _clean(client, errors, exclude=list(errors))
    return client


def create_client(
    *, code: str, name: str, tax_id: str = "", email: str = "", phone: str = "", notes: str = ""
) -> Client:
    client = new_client(code=code, name=name, tax_id=tax_id, email=email, phone=phone, notes=notes)
    if Client.objects.filter(code=client.code).exists():
        raise _code_taken(_("client"), client.code)
    _check_tax_id_free(client.tax_id)
    _save_new(client, what=_("client"), checks=(lambda: _check_tax_id_free(client.tax_id),))
    return client


def change_client(client: Client, **changes: Any) -> list[str]:
    """Put `changes` on `client` without saving, normalized and checked as `update_client`
    does; the names of the fields that changed. On InvalidInput the client is left as it
    was. Whether a new tax id is free needs the database: that is the caller's check."""
    if "tax_id" in changes:
        changes["tax_id"] = normalize_tax_id(changes["tax_id"] or "")
    for name in ("email", "phone", "notes"):
        if name in changes and changes[name] is None:
            changes[name] = ""  # null clears an optional field
    for name in ("name", "email", "phone", "notes"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    with unchanged_on_error(client):
        changed = _apply(client, changes, CLIENT_FIELDS)
        full_clean(client)
    return changed


def update_client(client: Client, **changes: Any) -> Client:
    """Change the fields in `changes`; `active=False` archives the client, True restores it.
    Lock, then check, then write: the row is locked and read again first."""
    with unchanged_on_error(client), transaction.atomic():
        _lock_client(client)
        changed = change_client(client, **changes)
        if "tax_id" in changed:
            _check_tax_id_free(client.tax_id, exclude_pk=client.pk)
        if changed:
            _save(
                client,
                update_fields=changed,
                checks=(lambda: _check_tax_id_free(client.tax_id, exclude_pk=client.pk),),
            )
    return client


def _lock_client(client: Client) -> Client:
    return lock(client, gone=_("There is no client with code %(code)s.") % {"code": client.code})


def _clean(instance: models.Model, errors: dict[str, list[str]], *, exclude: list[str]) -> None:
    """`full_clean`, adding to `errors` found before; InvalidInput with all of them."""
    try:
        full_clean(instance, exclude=exclude)
    except InvalidInput as error:
        for field, messages in error.fields.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise InvalidInput(errors)


# --- Employees ----------------------------------------------------------------------------------


def new_employee(*, code: str, name: str, email: str = "", user: User | None = None) -> Employee:
    """An unsaved employee, normalized and checked as `create_employee` does, every problem
    at once. Whether the code and the login user are free is the caller's check."""
    errors: dict[str, list[str]] = {}
    try:
        code = check_code(code, max_length=CLIENT_CODE_MAX)
    except InvalidInput as error:
        errors.update(error.fields)
    employee = Employee(code=code, name=name.strip(), email=email.strip(), user=user)
    _clean(employee, errors, exclude=["user", *errors])
    return employee


def create_employee(
    *,
    code: str,
    name: str,
    email: str = "",
    user: User | None = None,
    by: Actor,
) -> Employee:
    require_manager(by)
    employee = new_employee(code=code, name=name, email=email, user=user)
    if Employee.objects.filter(code=employee.code).exists():
        raise _code_taken(_("employee"), employee.code)
    _check_user_free(employee)
    _save_new(employee, what=_("employee"), checks=(lambda: _check_user_free(employee),))
    return employee


def _check_user_free(employee: Employee) -> None:
    if employee.user is None:
        return
    other = Employee.objects.filter(user=employee.user).exclude(pk=employee.pk).first()
    if other:
        raise Conflict(
            _("That login user is already linked to %(employee)s.") % {"employee": other},
            code="already_exists",
            field="user",
        )


def change_employee(employee: Employee, **changes: Any) -> list[str]:
    """Put `changes` on `employee` without saving, normalized and checked as
    `update_employee` does; the names of the fields that changed. On InvalidInput the
    employee is left as it was. Whether a login user is free is the caller's check."""
    if "email" in changes and changes["email"] is None:
        changes["email"] = ""
    for name in ("name", "email"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    with unchanged_on_error(employee):
        changed = _apply(employee, changes, EMPLOYEE_FIELDS)
        full_clean(employee, exclude=["user"])
    return changed


def update_employee(employee: Employee, *, by: Actor, **changes: Any) -> Employee:
    """Change name, email, `active` (False deactivates) or the linked login `user`."""
    require_manager(by)
    with unchanged_on_error(employee), transaction.atomic():
        lock(
            employee,
            gone=_("There is no employee with code %(code)s.") % {"code": employee.code},
        )
        changed = change_employee(employee, **changes)
        if "user" in changed:
            _check_user_free(employee)
        if changed:
            _save(employee, update_fields=changed, checks=(lambda: _check_user_free(employee),))
    return employee


# --- Projects -----------------------------------------------------------------------------------


def create_project(
    *,
    code: str,
    name: str,
    client: Client,
    kind: str = Project.Kind.COMMERCIAL,
    status: str = Project.Status.ACTIVE,
) -> Project:
    if not client.active:
        raise ClientArchived(
            _("Client %(code)s is archived: restore it to add projects.") % {"code": client.code}
        )
    project = Project(
        code=check_code(code, max_length=PROJECT_CODE_MAX),
        name=name.strip(),
        client=client,
        kind=kind,
        status=status,
    )
    full_clean(project)
    if Project.objects.filter(code=project.code).exists():
        raise _code_taken(_("project"), project.code)
    _save_new(project, what=_("project"))
    return project


def update_project(project: Project, *, confirm: bool = False, **changes: Any) -> Project:
    """Change name, kind or status (`closed` closes it, `active` reopens it).

    Closing a project that has pending tasks raises Conflict `pending_tasks` (with `pending`,
    their number) unless `confirm`: its tasks then leave the agenda and the quick log.
    """
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
    with unchanged_on_error(project), transaction.atomic():
        # The quick log and new work lock the client's row before they look for an active
        # project and add tasks to it; taking the same lock first means a close either
        # comes before them (they then see the project closed) or after them (it then sees
        # their tasks and asks to confirm): never closed over a task added meanwhile.
        _lock_client(project.client)
        lock(project, gone=_("There is no project with code %(code)s.") % {"code": project.code})
        closing = changes.get("status") == Project.Status.CLOSED and project.is_active
        _update_project(project, changes, closing=closing, confirm=confirm)
    return project


def _update_project(
    project: Project, changes: dict[str, Any], *, closing: bool, confirm: bool
) -> None:
    changed = _apply(project, changes, PROJECT_FIELDS)
    full_clean(project)
    if "status" in changed and project.is_active and not project.client.active:
        raise ClientArchived(
            _("Client %(code)s is archived: restore it to reopen its projects.")
            % {"code": project.client.code}
        )
    if closing and not confirm:
        pending = project.tasks.pending().count()
        if pending:
            raise Conflict(
                ngettext(
                    "Project %(code)s has %(count)d pending task: closing it takes it off the "
                    "agenda. Confirm to close it.",
                    "Project %(code)s has %(count)d pending tasks: closing it takes them off the "
                    "agenda. Confirm to close it.",
                    pending,
                )
                % {"code": project.code, "count": pending},
                code="pending_tasks",
                pending=pending,
            )
    if changed:
        project.save(update_fields=changed)
