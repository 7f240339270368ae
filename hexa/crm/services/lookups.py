"""Finding a record by what a user types (a code, a username, an id), with the domain error
that says it does not exist; and the signed-in user's employee."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput, NotFound
from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.services.codes import code_to_look_up
from hexa.lib.prepared import PreparedSelect


def _missing(message: str, field: str | None) -> NotFound | InvalidInput:
    """An unknown reference: an error on the `field` that named it, or NotFound (a path)."""
    return NotFound(message) if field is None else InvalidInput.on(field, message)


def _by_code[M: models.Model](
    rows: models.QuerySet[M], code: str, *, missing: str, field: str | None
) -> M:
    """The row with this code; none is `missing` (with %(code)s) on `field`, or NotFound."""
    found = code_to_look_up(code)
    row = rows.filter(code=found).first() if found else None
    if row is None:
        raise _missing(missing % {"code": code.strip()}, field)
    return row


# Every API call and quick log names its client, and every signed-in page or call asks for
# its user's employee: compiled to SQL once (hexa.lib.prepared), as Django's compiling of
# each cost several times the database's answering it (0.7 ms of CPU a lookup, of about 6 ms
# for a whole quick log over the API).
_client_with_code = PreparedSelect(
    lambda code: Client.objects.filter(code=code).order_by("pk")[:1], code=str
)
_employee_of_user = PreparedSelect(
    lambda user: Employee.objects.filter(user_id=user).order_by("pk")[:1], user=int
)
_active_employee_of_user = PreparedSelect(
    lambda user: Employee.objects.filter(user_id=user, active=True).order_by("pk")[:1], user=int
)


def client_by_code(code: str) -> Client:
    found = code_to_look_up(code)
    rows = _client_with_code(code=found) if found else []
    if not rows:
        raise _missing(_("There is no client with code %(code)s.") % {"code": code.strip()}, None)
    return rows[0]


def dedication_by_id(dedication_id: int) -> Dedication:
    """A dedication with what its pages and the API show of it; NotFound if there is none."""
    dedication = (
        Dedication.objects.select_related(
            "client", "project", "employee__user", "recorded_by", "updated_by"
        )
        .filter(pk=dedication_id)
        .first()
    )
    if dedication is None:
        raise NotFound(_("There is no dedication %(id)s.") % {"id": dedication_id})
    return dedication


def employee_by_code(code: str, *, field: str | None = "employee") -> Employee:
    """The employee with this code; unknown is an error on `field`, or NotFound if None."""
    return _by_code(
        Employee.objects.select_related("user"),
        code,
        missing=_("There is no employee with code %(code)s."),
        field=field,
    )


def employee_of(user: User | AnonymousUser | None, *, active_only: bool = False) -> Employee | None:
    """The employee linked to a login user, if any; with `active_only`, only while they
    still work here (what a form offers as "who" by default)."""
    if user is None or not user.is_authenticated:
        return None
    find = _active_employee_of_user if active_only else _employee_of_user
    rows = find(user=user.pk)
    return rows[0] if rows else None


def project_by_code(code: str, *, field: str | None = "project") -> Project:
    """The project with this code; unknown is an error on `field`, or NotFound if None."""
    return _by_code(
        Project.objects.select_related("client"),
        code,
        missing=_("There is no project with code %(code)s."),
        field=field,
    )


def user_by_username(username: str, *, field: str = "user") -> User:
    User = get_user_model()
    user = User.objects.filter(username=username).first() if "\x00" not in username else None
    if user is None:
        raise InvalidInput.on(field, _("There is no user %(username)s.") % {"username": username})
    return user


def task_by_id(task_id: int, *, field: str | None = "task") -> Task:
    task = Task.objects.select_related("project__client").filter(pk=task_id).first()
    if task is None:
        raise _missing(_("There is no task %(id)s.") % {"id": task_id}, field)
    return task
