from typing import TYPE_CHECKING, Any

from django import template

from hexa.lib.durations import format_minutes

if TYPE_CHECKING:  # for the annotations only, as can_change imports the services itself
    from django.contrib.auth.models import User

    from hexa.crm.models import Dedication

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """90 -> "1h30", 45 -> "45m"; nothing for None."""
    return format_minutes(minutes)


# A note longer than this shows its start in lists ("see more" opens the rest).
NOTE_START_CHARS = 240
NOTE_START_LINES = 4


@register.filter
def note_start(text: str) -> str:
    """The start of a note too long to show whole in a list, cut at a space when there is one
    near the end; "" when the note is short enough to show whole."""
    lines = text.strip().splitlines()
    if len(text) <= NOTE_START_CHARS and len(lines) <= NOTE_START_LINES:
        return ""
    start = "\n".join(lines[:NOTE_START_LINES])
    if len(start) > NOTE_START_CHARS:
        start = start[:NOTE_START_CHARS]
        head, space, _ = start.rpartition(" ")
        if space and len(head) > NOTE_START_CHARS * 2 // 3:
            start = head
    return start.rstrip(" ,;:.\n")


@register.filter
def can_change(dedication: "Dedication", user: "User") -> bool:
    """{% if dedication|can_change:user %}: may this user change or delete it?"""
    from hexa.crm.services import can_change_dedication

    return can_change_dedication(user, dedication)


@register.filter
def person(user: Any) -> str:
    """{{ user|person }}: who a login is, in words people use: its employee's name, else the
    user's full name, else the username (for a login that is no one's in particular)."""
    if user is None:
        return ""
    employee = getattr(user, "employee", None)  # no employee: RelatedObjectDoesNotExist
    return (employee.name if employee else "") or user.get_full_name() or user.get_username()
