"""Reading a duration typed by a person into whole minutes.

Accepted: `90` (minutes), `90m`, `30 min`, `1h30`, `1h 30m`, `1:30`, `1.5h`, `1,5h` and `0,5`
(hours with a decimal point or comma), `2h`, `2 horas`, `2 hours`, `1 hora 30`. Digits are
ASCII only: Arabic-Indic or full-width digits are refused, not read as a number.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

_H = r"(?:h|hr|hrs|horas?|hours?)"
_M = r"(?:m|mins?|minutos?|minutes?)"
_HOURS_MINUTES = re.compile(
    rf"^(?P<h>\d+)\s*(?:{_H}|:)\s*(?:(?:y|and)\s*)?(?:(?P<m>\d{{1,2}})\s*{_M}?)?$", re.ASCII
)
# Hours with decimals need no unit ("0,5" is half an hour); whole hours do ("2" is minutes).
_DECIMAL_HOURS = re.compile(rf"^(?P<h>\d*[.,]\d+)\s*{_H}?$|^(?P<whole>\d+)\s*{_H}$", re.ASCII)
_MINUTES = re.compile(rf"^(?P<m>\d+)\s*{_M}?$", re.ASCII)


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
            hours = Decimal((match["h"] or match["whole"]).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise DurationError(_("“%(text)s” is not a duration.") % {"text": text}) from None
        return int((hours * 60).to_integral_value())
    raise DurationError(
        _("“%(text)s” is not a duration: write 90, 1h30, 1:30, 1,5h or 2 hours.") % {"text": text}
    )


def format_minutes(minutes: int | None) -> str:
    """90 -> '1h30', 45 -> '45m', 120 -> '2h'."""
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"
