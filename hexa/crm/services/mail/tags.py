"""Tags in an email's subject or first line: `[30m]`, `[1h30]` (time spent, read as the quick
log reads it) and `[next +7]`, `[next 2026-12-05]`, `[seguimiento 05/12/2026]` (the next
follow-up). Tags are taken out of the text; other bracketed words (`[EXTERNAL]`, `[#123]`)
stay."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from hexa.lib.dates import parse_day, parse_typed_day
from hexa.lib.durations import DurationError, parse_minutes

_TAG = re.compile(r"\[\s*([^\[\]]{1,40}?)\s*\]")
_FOLLOW_UP = re.compile(
    r"^(?:next|follow[- ]?up|seguimiento|siguiente|pr[óo]ximo|pr[óo]xima)\s*:?\s*(.+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Tags:
    minutes: int | None = None
    next_follow_up: dt.date | None = None


def read_tags(*texts: str, today: dt.date) -> tuple[Tags, list[str]]:
    """The tags found in `texts` (the first of each kind wins) and the texts without them."""
    minutes: int | None = None
    follow_up: dt.date | None = None
    cleaned = []
    for text in texts:

        def take(match: re.Match[str]) -> str:
            nonlocal minutes, follow_up
            value = match[1]
            if found := _FOLLOW_UP.match(value):
                day = _day(found[1], today=today)
                if day is not None:
                    follow_up = follow_up or day
                    return " "
                return match[0]
            if not value.isdigit():  # "[2]" is a footnote, not two minutes
                try:
                    spent = parse_minutes(value)
                except DurationError:
                    return match[0]
                minutes = spent if minutes is None else minutes
                return " "
            return match[0]

        result = _TAG.sub(take, text)
        cleaned.append(" ".join(result.split()) if result != text else text)
    return Tags(minutes=minutes, next_follow_up=follow_up), cleaned


def _day(text: str, *, today: dt.date) -> dt.date | None:
    try:
        return parse_day(text, today=today)
    except ValueError:
        return parse_typed_day(text)
