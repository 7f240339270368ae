"""The timer (DESIGN.md, "Where dedications come from"): a user starts it on a client, and
stopping it gives the minutes spent, or logs them at once through the quick log.

One timer runs per user (a unique constraint says so); the database keeps it, so it survives
reloads and shows on every device. A timer left running past HEXA_TIMER_LIMIT_HOURS is never
logged silently: stopping it asks to confirm or correct the minutes (TimerOverLimit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.errors import Conflict, InvalidInput, NotFound
from hexa.crm.models import MINUTES_MAX, Client, IdempotencyKey, RunningTimer
from hexa.crm.services.locks import lock_client
from hexa.crm.services.quick_log import QuickLogResult, key_scope, quick_log


class TimerRunning(Conflict):
    """Another timer runs for this user: stop (or discard) it first, or start with replace."""

    code = "timer_running"


class TimerOverLimit(Conflict):
    """The timer ran past the limit: the minutes must be confirmed or corrected."""

    code = "timer_over_limit"


class NoTimer(NotFound):
    code = "no_timer"


class _Elapsed:
    def __repr__(self) -> str:
        return "ELAPSED"


# stop_timer(minutes=ELAPSED): the minutes the timer ran, as opposed to minutes given.
ELAPSED: Any = _Elapsed()


@dataclass(frozen=True)
class TimerStop:
    """What stopping a timer gave: the minutes, and the quick log's result if it logged."""

    client: Client
    started_at: dt.datetime | None  # None: a replay (the timer was stopped by the first try)
    stopped_at: dt.datetime | None
    minutes: int | None
    logged: QuickLogResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client.code,
            "started_at": self.started_at,
            "stopped_at": self.stopped_at,
            "minutes": self.minutes,
            "logged": self.logged.as_dict() if self.logged else None,
        }


def limit_minutes() -> int:
    return int(settings.HEXA_TIMER_LIMIT_HOURS * 60)


def elapsed_minutes(timer: RunningTimer, *, at: dt.datetime | None = None) -> int:
    """Whole minutes from the start to `at` (now), rounded to the nearest, at least 1."""
    seconds = ((at or timezone.now()) - timer.started_at).total_seconds()
    return max(1, round(seconds / 60))


def timer_answer(timer: RunningTimer) -> dict[str, Any]:
    """A running timer as the API answers it and `hexa timer --json` prints it."""
    return {
        "client": timer.client.code,
        "client_name": timer.client.name,
        "started_at": timer.started_at,
        "minutes": elapsed_minutes(timer),
        "limit_hours": settings.HEXA_TIMER_LIMIT_HOURS,
    }


def timer_of(user: User) -> RunningTimer | None:
    """The user's running timer, with its client, or None."""
    return RunningTimer.objects.select_related("client").filter(user_id=user.pk).first()


def running_timer(user: User) -> RunningTimer:
    """The user's running timer; NoTimer if none."""
    timer = timer_of(user)
    if timer is None:
        raise NoTimer(_("No timer is running."))
    return timer


def start_timer(
    *,
    user: User,
    client: Client,
    replace: bool = False,
    started_at: dt.datetime | None = None,
) -> RunningTimer:
    """Start the user's timer on `client` (an active client), now or at `started_at` (a
    device that was offline tells when it started; never in the future).

    Starting the timer that already runs on this client answers it unchanged. Another one
    running: TimerRunning (with its `client`) unless `replace`, which discards it first.
    """
    now = timezone.now()
    if started_at is not None and started_at > now + dt.timedelta(minutes=1):
        raise InvalidInput.on("started_at", _("A timer cannot start in the future."))
    started_at = min(started_at or now, now)
    with transaction.atomic():
        lock_client(client, archived=_("Client %(code)s is archived: restore it to time it."))
        current = RunningTimer.objects.select_for_update().filter(user_id=user.pk).first()
        if current is not None:
            if current.client_id == client.pk:
                current.client = client
                return current
            if not replace:
                running = Client.objects.get(pk=current.client_id)
                raise TimerRunning(
                    _("A timer is already running for %(client)s: stop it first.")
                    % {"client": running.code},
                    client=running.code,
                )
            current.delete()
        timer = RunningTimer(user_id=user.pk, client=client, started_at=started_at)
        try:
            with transaction.atomic():
                timer.save(force_insert=True)
        except IntegrityError:
            # Another request of this user started one at the same moment.
            raise TimerRunning(_("A timer is already running: stop it first.")) from None
    return timer


def stop_timer(
    *,
    user: User,
    minutes: int | None = ELAPSED,
    confirmed: bool = False,
    stopped_at: dt.datetime | None = None,
    log: Mapping[str, Any] | None = None,
    client: Client | None = None,
) -> TimerStop:
    """Stop the user's timer: the minutes it ran (to `stopped_at`, when a device that was
    offline says it stopped earlier), or `minutes` given instead (a correction; None logs no
    minutes).

    With `log` (the quick log's arguments but the client and the minutes), the dedication is
    recorded through quick_log() in the same transaction: if the quick log refuses, the timer
    keeps running and nothing is written. Sent again with the same idempotency key after the
    answer was lost, it is the quick log's replay (the timer is gone by then).

    Past the limit (HEXA_TIMER_LIMIT_HOURS), elapsed minutes need `confirmed`; otherwise
    TimerOverLimit (with `minutes` and `limit_hours`) and nothing changes. NoTimer if none
    runs (or, given `client`, none runs on that client: a page stopping the timer it showed
    never stops one started since on another client).
    """
    with transaction.atomic():
        timer = (
            RunningTimer.objects.select_for_update()
            .select_related("client")
            .filter(user_id=user.pk)
            .first()
        )
        if timer is None or (client is not None and timer.client_id != client.pk):
            if log is not None and (replay := _replayed_stop(log)):
                return replay
            raise NoTimer(_("No timer is running."))
        now = timezone.now()
        end = min(max(stopped_at, timer.started_at), now) if stopped_at else now
        if minutes is ELAPSED:
            minutes = elapsed_minutes(timer, at=end)
            if minutes > limit_minutes() and not confirmed:
                raise TimerOverLimit(
                    _(
                        "The timer on %(client)s ran %(minutes)s minutes, past the limit of "
                        "%(hours)s hours: confirm or correct the time spent."
                    )
                    % {
                        "client": timer.client.code,
                        "minutes": minutes,
                        "hours": settings.HEXA_TIMER_LIMIT_HOURS,
                    },
                    minutes=minutes,
                    limit_hours=settings.HEXA_TIMER_LIMIT_HOURS,
                )
        elif minutes is not None and not 0 <= minutes <= MINUTES_MAX:
            raise InvalidInput.on(
                "minutes",
                _("Minutes must be between 0 and %(max)d (a whole day).") % {"max": MINUTES_MAX},
            )
        logged = None
        if log is not None:
            logged = quick_log(**{**log, "client": timer.client, "minutes": minutes})
        timer.delete()
    return TimerStop(
        client=timer.client,
        started_at=timer.started_at,
        stopped_at=end,
        minutes=minutes,
        logged=logged,
    )


def _replayed_stop(log: Mapping[str, Any]) -> TimerStop | None:
    """A stop into a quick log, sent again after its answer was lost: the idempotency key
    remembers the client and the minutes the first try logged, and the quick log replays it
    (IdempotencyConflict if the rest differs). None when the key is unknown."""
    key = log.get("idempotency_key")
    if not key:
        return None
    record = (
        IdempotencyKey.objects.select_related("dedication__client")
        .filter(scope=key_scope(log.get("recorded_by")), key=key)
        .first()
    )
    if record is None:
        return None
    recorded = record.answer.get("dedication", {})
    client = (
        record.dedication.client
        if record.dedication is not None
        else Client.objects.filter(code=recorded.get("client")).first()
    )
    if client is None:
        return None
    minutes = recorded.get("minutes")
    logged = quick_log(**{**log, "client": client, "minutes": minutes})
    return TimerStop(
        client=client, started_at=None, stopped_at=None, minutes=minutes, logged=logged
    )


def discard_timer(*, user: User) -> Client:
    """Drop the user's running timer without logging anything; its client. NoTimer if none."""
    timer = timer_of(user)
    if timer is None or not RunningTimer.objects.filter(pk=timer.pk).delete()[0]:
        raise NoTimer(_("No timer is running."))
    return timer.client
