"""Reading a duration typed by a person into whole minutes.

Accepted: `90` (minutes), `90m`, `1h30`, `1h 30m`, `1:30`, `1.5h`, `1,5h` (decimal comma), `2h`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

_HOURS_MINUTES = re.compile(r"^(?P<h>\d+)\s*(?:h|:)\s*(?:(?P<m>\d{1,2})\s*(?:m|min)?)?$")
_DECIMAL_HOURS = re.compile(r"^(?P<h>\d+(?:[.,]\d+)?)\s*h$")
_MINUTES = re.compile(r"^(?P<m>\d+)\s*(?:m|min)?$")


class DurationError(ValueError):
    pass


def parse_minutes(text: str) -> int:
    """Return the minutes `text` stands for, or raise DurationError saying what is accepted."""
    value = text.strip().lower()
    if match := _MINUTES.match(value):
        return int(match["m"])
    if match := _HOURS_MINUTES.match(value):
        minutes = int(match["m"] or 0)
        if minutes >= 60:
            raise DurationError(
                _("“%(text)s”: the minutes after the hours must be under 60.") % {"text": text}
            )
        return int(match["h"]) * 60 + minutes
    if match := _DECIMAL_HOURS.match(value):
        try:
            hours = Decimal(match["h"].replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise DurationError(_("“%(text)s” is not a duration.") % {"text": text}) from None
        return int((hours * 60).to_integral_value())
    raise DurationError(
        _("“%(text)s” is not a duration: write 90, 1h30, 1:30 or 1.5h.") % {"text": text}
    )


def format_minutes(minutes: int | None) -> str:
    """90 -> '1h30', 45 -> '45m', 120 -> '2h'."""
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"
