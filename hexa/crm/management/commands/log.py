"""hexa log CLIENT --text TEXT --employee CODE [...]: the quick dedication log."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hexa.crm import services
from hexa.crm.errors import InvalidInput
from hexa.crm.management.cli import reporting_errors
from hexa.crm.models import Dedication
from hexa.lib.dates import parse_day
from hexa.lib.text import ascii_int, is_unicode

OPTIONS = {
    "text": "--text",
    "employee": "--employee",
    "date": "--date",
    "next_follow_up": "--next",
    "minutes": "--minutes/--duration",
    "project": "--project",
}


def _day(value: str) -> dt.date:
    try:
        return parse_day(value, today=timezone.localdate())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _text(value: str) -> str:
    # Bytes that are not UTF-8 reach Python as lone surrogates, which no database stores.
    if not is_unicode(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not UTF-8 text.")
    return value


def _whole(value: str) -> int:
    # int() would also read digits of other scripts ("٣٠") and overflow the database.
    number = ascii_int(value)
    if number is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of minutes.")
    return number


class Command(BaseCommand):
    help = (
        "Log an activity on CLIENT: Hexa finds or creates its project and task, records "
        "the activity and sets the task's next follow-up."
    )
    # A quick command: the system checks (which load every URL and API schema) are for
    # `hexa check`, `migrate` and `serve`.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client", type=_text, help="the client's code")
        add_log_arguments(parser, required=True)
        parser.add_argument("--json", action="store_true", help="print the API's JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with reporting_errors(
            as_json=options["json"], options=OPTIONS, stdout=self.stdout, stderr=self.stderr
        ):
            result = self._log(**options)
            if options["json"]:
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            else:
                self.stdout.write(result.summary())

    def _log(self, **options: Any) -> services.QuickLogResult:
        return services.quick_log(
            client=services.client_by_code(options["client"]),
            employee=services.employee_by_code(options["employee"]),
            minutes=minutes_option(options),
            **quick_log_options(options),
            recorded_by=None,
        )


def add_log_arguments(parser: CommandParser, *, required: bool) -> None:
    """The quick log's options (`hexa timer stop` takes them too, none required there)."""
    parser.add_argument("--text", type=_text, required=required, help="what was done")
    parser.add_argument(
        "--employee",
        type=_text,
        required=required,
        help="code of who did it" if required else "code of who did it; default: the user's",
    )
    parser.add_argument("--date", type=_day, help="when (YYYY-MM-DD, yesterday, ...); today")
    follow_up = parser.add_mutually_exclusive_group()
    follow_up.add_argument(
        "--next", type=_day, dest="next_follow_up", help="next follow-up date (or +7, ...)"
    )
    follow_up.add_argument(
        "--no-next", action="store_true", help="clear the task's next follow-up date"
    )
    spent = parser.add_mutually_exclusive_group()
    spent.add_argument("--minutes", type=_whole, help="minutes spent")
    spent.add_argument(
        "--duration", type=_text, help="time spent as 90, 1h30, 1:30, 1,5h or 2 hours"
    )
    parser.add_argument("--project", type=_text, help="project code, when the client has several")


def minutes_option(options: dict[str, Any]) -> int | None:
    """--minutes, or --duration read as a person writes it."""
    if options["duration"] is None:
        minutes: int | None = options["minutes"]
        return minutes
    minutes = services.minutes_from(options["duration"])
    if minutes is None:
        raise InvalidInput.on("minutes", "--duration is empty.")
    return minutes


def quick_log_options(options: dict[str, Any]) -> dict[str, Any]:
    """The quick log's arguments from the options but the client, the employee, the minutes
    and who records it (`hexa timer stop` takes them too)."""
    if options["no_next"]:
        next_follow_up: services.NextFollowUp = None
    elif options["next_follow_up"] is not None:
        next_follow_up = options["next_follow_up"]
    else:
        next_follow_up = services.UNCHANGED
    return {
        "text": options["text"],
        "date": options["date"],
        "next_follow_up": next_follow_up,
        "project": services.project_by_code(options["project"]) if options["project"] else None,
        "via": Dedication.Via.CLI,
    }
