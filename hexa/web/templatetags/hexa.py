from django import template

from hexa.lib.durations import format_minutes

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """90 -> "1h30", 45 -> "45m"; nothing for None."""
    return format_minutes(minutes)


@register.filter
def can_change(dedication: object, user: object) -> bool:
    """{% if dedication|can_change:user %}: may this user change or delete it?"""
    from hexa.crm.services import can_change_dedication

    return can_change_dedication(user, dedication)  # type: ignore[arg-type]
