"""Reading dates typed on the command line: ISO dates and a few words people use."""

from __future__ import annotations

import datetime as dt
import re

_RELATIVE = re.compile(r"^([+-]\d+)([dw]?)$", re.ASCII)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def parse_day(text: str, *, today: dt.date) -> dt.date:
    """`2026-12-01`, `today`, `yesterday`, `tomorrow`, `hoy`, `ayer`, `mañana`, `+3`/`+3d`
    (days from today), `+2w` (weeks), `-1` (yesterday). Raises ValueError otherwise."""
    value = text.strip().lower()
    words = {
        "today": 0, "hoy": 0,
        "yesterday": -1, "ayer": -1,
        "tomorrow": 1, "mañana": 1, "manana": 1,
    }  # fmt: skip
    if value in words:
        return today + dt.timedelta(days=words[value])
    if match := _RELATIVE.match(value):
        amount = int(match[1]) * (7 if match[2] == "w" else 1)
        try:
            return today + dt.timedelta(days=amount)
        except OverflowError:  # past year 9999 (or before year 1): no date at all
            raise ValueError(f"{text!r} is too far from today to be a date.") from None
    try:
        if not _ISO.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: write YYYY-MM-DD, today, yesterday, tomorrow or +N days."
        ) from None


# Day, month and year as people type them here: 29/11/2026, 29-11-2026, 29.11.26, 1/2/2026.
_TYPED_DAY = re.compile(
    r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})\s*$", re.ASCII
)
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$", re.ASCII)


def iso_day(text: str) -> dt.date | None:
    """`2026-11-29` as a date; None for anything else (or a day that does not exist)."""
    if match := _ISO_DAY.match(text):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def parse_typed_day(text: str) -> dt.date | None:
    """A day typed day first (`29/11/2026`, `29-11-26`, `29.11.2026`) or as ISO
    (`2026-11-29`); None when it is not one, or names a day that does not exist (31/02).
    A two-digit year is of this century: 26 is 2026."""
    if (day := iso_day(text)) is not None:
        return day
    if match := _TYPED_DAY.match(text):
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        try:
            return dt.date(year, int(match[2]), int(match[1]))
        except ValueError:
            return None
    return None
