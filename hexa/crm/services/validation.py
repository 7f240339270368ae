"""Rules on the fields of a dedication, shared by the quick log and the fuller forms."""

from __future__ import annotations

import datetime as dt
from typing import Final

from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput
from hexa.crm.models import MINUTES_MAX, TEXT_MAX, Employee
from hexa.lib.durations import DurationError, parse_minutes


class _Unchanged:
    """The next follow-up was not given: leave the task's date as it is."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


class _KeptIfToCome:
    """The next follow-up was left as a form pre-filled it: keep the task's date while it is
    still to come after the dedication's date, clear it otherwise (quick log rule 4)."""

    def __repr__(self) -> str:
        return "KEPT_IF_TO_COME"


KEPT_IF_TO_COME: Final = _KeptIfToCome()

NextFollowUp = dt.date | None | _Unchanged | _KeptIfToCome


def validate_dedication(
    *,
    employee: Employee | None,
    text: str,
    date: dt.date,
    minutes: int | None,
    next_follow_up: NextFollowUp = UNCHANGED,
    allow_inactive_employee: bool = False,
) -> None:
    """Raise InvalidInput with every field at fault at once, so a form shows them together.

    `text` is expected already stripped.
    """
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("Say what was done.")]
    elif "\x00" in text:
        errors["text"] = [_("Null characters are not allowed.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [
            _("The text has %(length)d characters; the limit is %(max)d.")
            % {"length": len(text), "max": TEXT_MAX}
        ]
    if employee is None:
        errors["employee"] = [_("Choose who did it.")]
    elif not employee.active and not allow_inactive_employee:
        errors["employee"] = [_("Employee %(code)s is no longer active.") % {"code": employee.code}]
    if date > timezone.localdate():
        errors["date"] = [_("The date cannot be in the future.")]
    if isinstance(next_follow_up, dt.date) and next_follow_up < date:
        errors["next_follow_up"] = [_("The next follow-up cannot be before the date.")]
    if minutes is not None and not 0 <= minutes <= MINUTES_MAX:
        errors["minutes"] = [
            _("Minutes must be between 0 and %(max)d (a whole day).") % {"max": MINUTES_MAX}
        ]
    if errors:
        raise InvalidInput(errors)


def minutes_from(value: int | str | None, *, field: str = "minutes") -> int | None:
    """Minutes given as a number or as a person types them (`90`, `1h30`, `1:30`, `1.5h`)."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    try:
        return parse_minutes(value)
    except DurationError as error:
        raise InvalidInput.on(field, str(error)) from None
