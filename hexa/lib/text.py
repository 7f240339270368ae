"""Text that came from outside: is it Unicode a database can store, is it a plain number."""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def is_unicode(text: str) -> bool:
    """False when `text` holds a lone surrogate: half of a UTF-16 pair escaped in JSON
    (`"\\ud800"`), or a byte that was not UTF-8 on the command line (Python keeps it as one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ascii_int(text: str, *, maximum: int = 2**63 - 1) -> int | None:
    """`"42"` -> 42; None for anything else: signs, spaces, digits of other scripts
    (Arabic-Indic, full-width, superscript: str.isdigit and int() take them) and numbers over
    `maximum`."""
    if not _ASCII_DIGITS.fullmatch(text) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None
