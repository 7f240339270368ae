"""hexa timer start|status|stop|discard --user USERNAME: a user's timer on a client
(hexa.crm.services.timer), from the command line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from hexa.crm import services
from hexa.crm.management.cli import reporting_errors
from hexa.crm.management.commands.log import (
    OPTIONS,
    _text,
    add_log_arguments,
    minutes_option,
    quick_log_options,
)
from hexa.crm.models import RunningTimer
from hexa.crm.services import timer as timers
from hexa.lib.durations import format_minutes


class Command(BaseCommand):
    help = (
        "A user's timer on a client: start it, see it, stop it (printing the minutes, or "
        "logging them with --text), or discard it. One runs at a time per user."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        start = actions.add_parser("start", help="start the timer on CLIENT")
        start.add_argument("client", type=_text, help="the client's code")
        start.add_argument(
            "--replace", action="store_true", help="discard a timer running on another client"
        )
        status = actions.add_parser("status", help="the running timer")
        stop = actions.add_parser(
            "stop", help="stop it: print the minutes, or log them with --text"
        )
        add_log_arguments(stop, required=False)
        stop.add_argument(
            "--confirm", action="store_true", help="take the minutes even past the limit"
        )
        discard = actions.add_parser("discard", help="drop the timer without logging")
        for command in (start, status, stop, discard):
            command.add_argument("--user", type=_text, required=True, help="whose timer")
            command.add_argument("--json", action="store_true", help="print the API's JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with reporting_errors(
            as_json=options["json"], options=OPTIONS, stdout=self.stdout, stderr=self.stderr
        ):
            user = services.user_by_username(options["user"])
            answer, line = getattr(self, f"_{options['action']}")(user, options)
            if options["json"]:
                self.stdout.write(json.dumps(answer, cls=DjangoJSONEncoder, ensure_ascii=False))
            else:
                self.stdout.write(line)

    def _start(self, user: Any, options: dict[str, Any]) -> tuple[dict[str, Any], str]:
        timer = timers.start_timer(
            user=user,
            client=services.client_by_code(options["client"]),
            replace=options["replace"],
        )
        return timers.timer_answer(timer), _running(timer)

    def _status(self, user: Any, options: dict[str, Any]) -> tuple[dict[str, Any], str]:
        timer = timers.running_timer(user)
        spent = format_minutes(timers.elapsed_minutes(timer))
        return timers.timer_answer(timer), f"{_running(timer)[:-1]} ({spent})."

    def _stop(self, user: Any, options: dict[str, Any]) -> tuple[dict[str, Any], str]:
        given = options["minutes"] is not None or options["duration"] is not None
        log = None
        if options["text"] is not None:
            employee = options["employee"]
            log = {
                **quick_log_options(options),
                "employee": (
                    services.employee_by_code(employee) if employee else services.employee_of(user)
                ),
                "recorded_by": user,
            }
        stopped = timers.stop_timer(
            user=user,
            minutes=minutes_option(options) if given else timers.ELAPSED,
            confirmed=options["confirm"],
            log=log,
        )
        if stopped.logged:
            return stopped.as_dict(), stopped.logged.summary()
        spent = format_minutes(stopped.minutes) if stopped.minutes is not None else "-"
        return stopped.as_dict(), f"Timer on {stopped.client.code} stopped: {spent}."

    def _discard(self, user: Any, options: dict[str, Any]) -> tuple[dict[str, Any], str]:
        client = timers.discard_timer(user=user)
        return {"client": client.code}, f"Timer on {client.code} discarded."


def _running(timer: RunningTimer) -> str:
    since = timezone.localtime(timer.started_at).strftime("%Y-%m-%d %H:%M")
    return f"Timer running on {timer.client.code} since {since}."
