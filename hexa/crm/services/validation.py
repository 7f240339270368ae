"""Rules on the fields of a dedication, shared by the quick log and the fuller forms."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Final

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput
from hexa.crm.models import MINUTES_MAX, TEXT_MAX, Employee
from hexa.lib.durations import DurationError, parse_minutes


# The two markers are one-member enums so that `value is UNCHANGED` tells the type checker
# what `value` is after it.
class _Unchanged(Enum):
    """The next follow-up was not given: leave the task's date as it is."""

    UNCHANGED = "UNCHANGED"

    def __repr__(self) -> str:
        return "UNCHANGED"

    __str__ = __repr__


UNCHANGED: Final = _Unchanged.UNCHANGED


class _KeptIfToCome(Enum):
    """The next follow-up was left as a form pre-filled it: keep the task's date while it is
    still to come after the dedication's date, clear it otherwise (quick log rule 4)."""

    KEPT_IF_TO_COME = "KEPT_IF_TO_COME"

    def __repr__(self) -> str:
        return "KEPT_IF_TO_COME"

    __str__ = __repr__


KEPT_IF_TO_COME: Final = _KeptIfToCome.KEPT_IF_TO_COME

NextFollowUp = dt.date | None | _Unchanged | _KeptIfToCome

# The one range of days Hexa takes, whatever the path (quick log, forms, API, `hexa log`):
# dedications from EARLIEST_DAY to today; follow-ups from EARLIEST_DAY to FOLLOW_UP_YEARS
# years after today. Far enough for any real use, near enough that date arithmetic on them
# (calendar feeds, "put off n days", weekly reports) never leaves the dates Python can hold.
EARLIEST_DAY: Final = dt.date(2000, 1, 1)
FOLLOW_UP_YEARS: Final = 10


def latest_follow_up(today: dt.date | None = None) -> dt.date:
    """The last day a follow-up may be set to: FOLLOW_UP_YEARS years after today."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + FOLLOW_UP_YEARS)
    except ValueError:  # 29 February, and the year ten years on is not a leap year
        return today.replace(year=today.year + FOLLOW_UP_YEARS, day=28)


def day_errors(day: dt.date, *, today: dt.date | None = None) -> list[str]:
    """What is wrong with `day` as a dedication's date (nothing: an empty list)."""
    today = today or timezone.localdate()
    if day > today:
        return [_("The date cannot be in the future.")]
    if day < EARLIEST_DAY:
        return [_("The date cannot be before %(day)s.") % {"day": EARLIEST_DAY.isoformat()}]
    return []


def follow_up_errors(day: dt.date, *, today: dt.date | None = None) -> list[str]:
    """What is wrong with `day` as a task's next follow-up (nothing: an empty list)."""
    latest = latest_follow_up(today)
    if day > latest:
        return [
            _("The next follow-up cannot be after %(day)s (%(years)d years from today).")
            % {"day": latest.isoformat(), "years": FOLLOW_UP_YEARS}
        ]
    if day < EARLIEST_DAY:
        return [
            _("The next follow-up cannot be before %(day)s.") % {"day": EARLIEST_DAY.isoformat()}
        ]
    return []


def validate_follow_up(day: dt.date | None, *, field: str = "next_follow_up") -> None:
    """InvalidInput on `field` when `day` is outside the follow-ups' range; None passes."""
    if day is not None and (errors := follow_up_errors(day)):
        raise InvalidInput({field: errors})


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
    if date_errors := day_errors(date):
        errors["date"] = date_errors
    if isinstance(next_follow_up, dt.date):
        if follow_up_date_errors := follow_up_errors(next_follow_up):
            errors["next_follow_up"] = follow_up_date_errors
        elif next_follow_up < date:
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


def too_large_message() -> str:
    """What a request over the size limit (DATA_UPLOAD_MAX_MEMORY_SIZE) is told."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return _("The request is too large: the limit is %(size)s.") % {"size": filesizeformat(limit)}
