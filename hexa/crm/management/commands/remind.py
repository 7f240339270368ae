"""hexa remind: email each employee their follow-ups due today and overdue."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hexa.crm.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Email each active employee the follow-ups due today and overdue (theirs: assigned to "
        "them, or unassigned on clients they worked for last). Once a day: run it from cron "
        "every morning; running it again the same day sends nothing more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--link", default="", help="the agenda's address to put in the emails")

    def handle(self, *args: Any, link: str, **options: Any) -> None:
        results = send_reminders(today=timezone.localdate(), link=link)
        for reminded in results:
            state = "sent" if reminded.sent else "NOT SENT (will be tried again)"
            count = reminded.follow_ups
            self.stdout.write(
                f"{reminded.employee.code}: {count} follow-up{'s' if count != 1 else ''}, {state}"
            )
        sent = sum(r.sent for r in results)
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} sent.")
        if any(not r.sent for r in results):
            sys.exit(1)
