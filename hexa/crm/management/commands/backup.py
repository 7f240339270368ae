"""hexa backup [FILE]: a consistent copy of the whole database, taken while Hexa runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hexa.crm.services import backups


class Command(BaseCommand):
    help = (
        "Back up the whole database while Hexa runs: SQLite's online backup (one file), or "
        "pg_dump's custom format on PostgreSQL. Default FILE: DATA_DIR/backups/hexa-<time>."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="where to write the backup")

    def handle(self, *args: Any, file: Path | None, **options: Any) -> None:
        started = time.monotonic()
        path = backups.backup(file or backups.default_backup_path())
        size = path.stat().st_size / 1_000_000
        self.stdout.write(
            f"Backed up to {path} ({size:.1f} MB, {time.monotonic() - started:.1f} s)"
        )
