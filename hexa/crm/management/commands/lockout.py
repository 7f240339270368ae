"""hexa lockout list | lift --user NAME | --address IP: see and lift sign-in lockouts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hexa.crm.management.cli import reporting_errors
from hexa.crm.services import SYSTEM, lockouts

OPTIONS = {"username": "--user", "address": "--address"}


class Command(BaseCommand):
    help = (
        "See the user names and addresses with recent failed sign-ins, and lift a lockout "
        "(its failures are forgotten)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="user names and addresses with recent failures")
        lift = actions.add_parser("lift", help="lift the lock of a user name or an address")
        lift.add_argument("--user", dest="username", default="", help="a user name")
        lift.add_argument("--address", default="", help="an IP address")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _list(self, **_: Any) -> None:
        limit, minutes = lockouts.policy()
        found = lockouts.lockouts()
        if not found:
            self.stdout.write(f"No failed sign-ins in the last {minutes} minutes.")
            return
        for item in found:
            last = timezone.localtime(item.last_failure)
            state = (
                f"locked until {timezone.localtime(item.until):%H:%M}"
                if item.locked
                else f"{item.failures} of {limit}"
            )
            kind = "user name" if item.kind == "username" else "address"
            self.stdout.write(
                f"{kind:<10} {item.value:<30} {item.failures:>4} failures, "
                f"last {last:%Y-%m-%d %H:%M}  {state}"
            )

    def _lift(self, *, username: str, address: str, **_: Any) -> None:
        with reporting_errors(
            as_json=False, options=OPTIONS, stdout=self.stdout, stderr=self.stderr
        ):
            removed = lockouts.lift_lockout(username=username, address=address, by=SYSTEM)
        what = " and ".join(
            f"{label} {value}"
            for label, value in (("user name", username), ("address", address))
            if value
        )
        self.stdout.write(f"Lifted: {what} can sign in again ({removed} records forgotten).")
