"""The running timer, for the navigation (web/timer_nav.html)."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.models import RunningTimer
from hexa.crm.services.timer import timer_of

register = template.Library()


@register.simple_tag(takes_context=True)
def running_timer(context: dict[str, Any]) -> RunningTimer | None:
    """The signed-in user's running timer, or None (one query, only where the tag is used)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return timer_of(user)


@register.filter
def clock(timer: RunningTimer) -> str:
    """The time a timer has run, as a clock shows it: 0:05:09, 12:40:00 (timer.js ticks it)."""
    seconds = max(0, int((timezone.now() - timer.started_at).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


@register.simple_tag
def timer_texts() -> str:
    """What timer.js says without a connection (it asks the same questions as the server's
    pages), in the page's language, as JSON for a data attribute."""
    texts = {
        "question_title": _("A timer is running"),
        "question": _(
            "Your timer on %(code)s has run %(spent)s. Stop it first, before starting one on "
            "%(new)s?"
        ),
        "stop_and_time": _("Stop %(code)s (log it when the connection is back), time %(new)s"),
        "discard_and_time": _("Discard %(code)s, time %(new)s"),
        "cancel": _("Cancel"),
        "close": _("Close"),
        "stop": _("Stop"),
        "discard": _("Discard"),
        "refused": _("Hexa did not start the timer on %(code)s: %(reason)s"),
    }
    return json.dumps(texts, ensure_ascii=False)
