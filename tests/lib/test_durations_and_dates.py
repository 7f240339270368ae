from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hexa.lib.dates import parse_day, parse_typed_day
from hexa.lib.durations import DurationError, format_minutes, parse_minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        (" 90 ", 90),
        ("90m", 90),
        ("90 min", 90),
        ("1h30", 90),
        ("1h 30m", 90),
        ("1H30", 90),
        ("1:30", 90),
        ("1:05", 65),
        ("1.5h", 90),
        ("1,5h", 90),
        ("0.25h", 15),
        ("2h", 120),
        ("0", 0),
        ("24h", 1440),
        # Hours with decimals need no unit; hours and minutes in words, English or Spanish.
        ("0,5", 30),
        ("1.5", 90),
        ("1,5", 90),
        ("2 horas", 120),
        ("2 hours", 120),
        ("1 hora", 60),
        ("1 hour 30 min", 90),
        ("1 hora y 30 minutos", 90),
        ("30 min", 30),
        ("30 minutos", 30),
        ("45 minutes", 45),
    ],
)
def test_durations_people_write_are_understood(text, minutes):
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    "text",
    # Digits of other scripts (Arabic-Indic, full-width, superscript) are not numbers here.
    ["", "h", "lots", "-5", "1h30h", "1.5.5h", "2 days", "\u0663\u0660", "\uff13\uff10", "\u00b2"],
)
def test_anything_else_is_refused_with_the_accepted_forms(text):
    with pytest.raises(DurationError, match="1h30"):
        parse_minutes(text)


@pytest.mark.parametrize("text", ["1h60", "1:75"])
def test_minutes_after_hours_must_be_under_sixty(text):
    with pytest.raises(DurationError, match="60"):
        parse_minutes(text)


@given(st.integers(min_value=0, max_value=100_000))
def test_formatted_durations_read_back_the_same(minutes):
    assert parse_minutes(format_minutes(minutes)) == minutes


def test_format_minutes():
    assert [format_minutes(m) for m in (None, 0, 45, 60, 90, 125)] == [
        "",
        "0m",
        "45m",
        "1h",
        "1h30",
        "2h05",
    ]


TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("today", TODAY),
        ("hoy", TODAY),
        ("yesterday", dt.date(2026, 11, 27)),
        ("Ayer", dt.date(2026, 11, 27)),
        ("tomorrow", dt.date(2026, 11, 29)),
        ("mañana", dt.date(2026, 11, 29)),
        ("+7", dt.date(2026, 12, 5)),
        ("+3d", dt.date(2026, 12, 1)),
        ("+2w", dt.date(2026, 12, 12)),
        ("-1", dt.date(2026, 11, 27)),
    ],
)
def test_days_typed_on_the_command_line(text, day):
    assert parse_day(text, today=TODAY) == day


@pytest.mark.parametrize("text", ["", "31/12/2026", "2026-02-30", "next week", "+x"])
def test_other_days_are_refused(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day(text, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("29/11/2026", dt.date(2026, 11, 29)),
        ("3/2/2026", dt.date(2026, 2, 3)),  # day first, as in Spain and Britain
        ("03-02-26", dt.date(2026, 2, 3)),
        ("03.02.2026", dt.date(2026, 2, 3)),
        (" 2026-02-03 ", dt.date(2026, 2, 3)),
        ("31/02/2026", None),  # no such day
        ("02/30/2026", None),  # month first is not read
        ("mañana", None),
        ("", None),
    ],
)
def test_typed_days_are_read_day_first_or_iso(typed, day):
    assert parse_typed_day(typed) == day
