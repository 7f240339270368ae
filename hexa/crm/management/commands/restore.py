"""hexa restore FILE: a backup made by `hexa backup` into an empty database."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hexa.crm.errors import DomainError
from hexa.crm.services import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `hexa backup` into HEXA_DATABASE_URL's database, which must "
        "be empty (a new one). Run `hexa migrate` afterwards if the backup is from an older "
        "version."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a backup made by hexa backup")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        started = time.monotonic()
        try:
            backups.restore(file)
        except DomainError as error:
            self.stderr.write(f"error: {error.message}")
            sys.exit(2)
        self.stdout.write(f"Restored {file} ({time.monotonic() - started:.1f} s)")
