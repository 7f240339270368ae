from django import template

from hexa.lib.durations import format_minutes

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """90 -> "1h30", 45 -> "45m"; nothing for None."""
    return format_minutes(minutes)
