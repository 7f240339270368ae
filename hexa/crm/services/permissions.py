"""Who may do what. Everyone signed in may record dedications (for any employee: the
dedication then shows who recorded it) and manage clients, projects and tasks. The
"managers" group may also change or delete anyone's dedications and manage employees; other
users change or delete only the dedications they recorded or that are theirs."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.utils.translation import gettext as _

from hexa.crm.errors import Forbidden
from hexa.crm.models import Dedication, ImportKind

MANAGERS = "managers"


class _System:
    """Hexa itself acting (the demo, imports, commands run by an administrator)."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()
# Who does something: a signed-in user (Hexa uses Django's own User model) or Hexa itself.
Actor = User | _System


def managers_group() -> Group:
    group, _created = Group.objects.get_or_create(name=MANAGERS)
    return group


def is_manager(user: Actor | None) -> bool:
    if isinstance(user, _System):
        return True
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Asked several times per page: remember the answer on the user object.
    cached = getattr(user, "_hexa_is_manager", None)
    if cached is None:
        cached = user.groups.filter(name=MANAGERS).exists()
        user._hexa_is_manager = cached  # type: ignore[attr-defined]  # a cache set here only
    return cached


def can_change_dedication(user: Actor | None, dedication: Dedication) -> bool:
    if user is None:
        return False
    if is_manager(user):
        return True
    assert not isinstance(user, _System)
    if not user.is_authenticated or not user.is_active:
        return False
    if dedication.recorded_by_id == user.pk:
        return True
    return dedication.employee.user_id is not None and dedication.employee.user_id == user.pk


def require_dedication_change(user: Actor | None, dedication: Dedication) -> None:
    if not can_change_dedication(user, dedication):
        raise Forbidden(
            _("Only managers, whoever recorded it and its employee may change this activity.")
        )


def require_manager(user: Actor | None) -> None:
    if not is_manager(user):
        raise Forbidden(_("Only managers may manage employees."))


def can_import(user: Actor | None, kind: str) -> bool:
    """Everyone signed in manages clients; only managers manage employees."""
    if kind == ImportKind.EMPLOYEES:
        return is_manager(user)
    return user is not None and (is_manager(user) or bool(getattr(user, "is_active", False)))


def require_import(user: Actor | None, kind: str) -> None:
    if kind == ImportKind.EMPLOYEES:
        require_manager(user)
    if not can_import(user, kind):
        raise Forbidden(_("Only active users may import clients."))
