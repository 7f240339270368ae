"""hexa purge-keys [--days N]: forget old idempotency keys.

A key (an API `Idempotency-Key`, a web form's one-time token) makes a retry replay its first
answer instead of recording a second dedication, even after that dedication was deleted. Keys
are kept HEXA_IDEMPOTENCY_KEY_DAYS days (default 30); run this daily, e.g. from cron.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from hexa.crm.management.cli import reporting_errors
from hexa.crm.services import purge_idempotency_keys


class Command(BaseCommand):
    help = (
        "Forget the idempotency keys older than --days days (default: HEXA_IDEMPOTENCY_KEY_DAYS, "
        "30); a retry with a forgotten key records a new dedication."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.HEXA_IDEMPOTENCY_KEY_DAYS,
            help="keep the keys of the last N days (default %(default)s)",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        with reporting_errors(
            as_json=False, options={"days": "--days"}, stdout=self.stdout, stderr=self.stderr
        ):
            purged = purge_idempotency_keys(days=days)
        self.stdout.write(f"Purged {purged} idempotency keys older than {days} days.")
