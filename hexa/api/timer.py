"""The API's timer (hexa.crm.services.timer): start, status, stop (or stop into a quick log)
and discard, for the token's user.

No `from __future__ import annotations`: django-ninja reads these signatures at run time.
"""

import datetime as dt
from typing import Any

from ninja import Field, Header, Router, Schema, Status
from pydantic import StrictBool

from hexa.api.auth import ApiRequest
from hexa.api.routes import ERRORS, quick_log_arguments
from hexa.api.schemas import Input, QuickLogIn, QuickLogOut, ShortCode, Text
from hexa.crm import services
from hexa.crm.services import timer as timers

router = Router(tags=["timer"])


class TimerIn(Input):
    client: ShortCode
    replace: StrictBool = Field(
        False, description="discard a timer running on another client instead of a 409"
    )
    started_at: dt.datetime | None = Field(
        None,
        description="when it started, for a device that was offline (ISO 8601); default now",
    )


class TimerOut(Schema):
    client: str
    client_name: str
    started_at: dt.datetime
    minutes: int = Field(description="minutes elapsed so far")
    limit_hours: int = Field(description="past this, stopping asks to confirm the minutes")


class TimerStopIn(QuickLogIn):
    """Empty: the timer stops and answers the minutes. With `text`, it logs them at once
    through the quick log (the same fields as POST /clients/{code}/quick-log)."""

    text: Text | None = Field(  # type: ignore[assignment]  # optional here, required in QuickLogIn
        None, description="what was done: with it, the minutes are logged on the client"
    )
    confirm: StrictBool = Field(
        False, description="log the elapsed minutes even past the limit (timer_over_limit)"
    )
    stopped_at: dt.datetime | None = Field(
        None, description="when it stopped, for a device that was offline; default now"
    )


class TimerStopOut(Schema):
    client: str
    started_at: dt.datetime | None = Field(description="null: a replay (Idempotency-Key)")
    stopped_at: dt.datetime | None
    minutes: int | None
    logged: QuickLogOut | None = Field(description="the quick log's answer, when it logged")


@router.post(
    "/timer",
    response={201: TimerOut, **ERRORS},
    summary="Start your timer on a client (409 timer_running if one runs on another client)",
)
def start_timer(request: ApiRequest, payload: TimerIn) -> Status[dict[str, Any]]:
    timer = timers.start_timer(
        user=request.auth,
        client=services.client_by_code(payload.client),
        replace=payload.replace,
        started_at=payload.started_at,
    )
    return Status(201, timers.timer_answer(timer))


@router.get("/timer", response={200: TimerOut, **ERRORS}, summary="Your running timer (404)")
def get_timer(request: ApiRequest) -> dict[str, Any]:
    return timers.timer_answer(timers.running_timer(request.auth))


@router.post(
    "/timer/stop",
    response={200: TimerStopOut, **ERRORS},
    summary="Stop your timer: answers the minutes, or logs them when the body has `text`",
    description=(
        "Past HEXA_TIMER_LIMIT_HOURS the elapsed minutes are not taken silently: 409 "
        "`timer_over_limit` (with `minutes`) unless the body has `confirm: true` or its own "
        "`minutes`. A quick log that is refused (422, 409) leaves the timer running."
    ),
)
def stop_timer(
    request: ApiRequest,
    payload: TimerStopIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="with `text`: the quick log's idempotency key",
    ),
) -> dict[str, Any]:
    log = None
    if payload.text is not None:
        log = quick_log_arguments(request, payload)
        log["idempotency_key"] = idempotency_key or None
    given = "minutes" in payload.model_fields_set
    stopped = timers.stop_timer(
        user=request.auth,
        minutes=services.minutes_from(payload.minutes) if given else timers.ELAPSED,
        confirmed=payload.confirm,
        stopped_at=payload.stopped_at,
        log=log,
    )
    return stopped.as_dict()


@router.delete("/timer", response={204: None, **ERRORS}, summary="Discard your timer")
def discard_timer(request: ApiRequest) -> Status[None]:
    timers.discard_timer(user=request.auth)
    return Status(204, None)
