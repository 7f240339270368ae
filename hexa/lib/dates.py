"""Reading dates typed on the command line: ISO dates and a few words people use."""

from __future__ import annotations

import datetime as dt
import re

_RELATIVE = re.compile(r"^([+-]\d+)([dw]?)$")


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
        return today + dt.timedelta(days=amount)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: write YYYY-MM-DD, today, yesterday, tomorrow or +N days."
        ) from None
