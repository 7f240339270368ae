"""hexa serve [--host H] [--port P] [--workers N]: serve Hexa with gunicorn."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    # Requests spend most of their time in Python, so about two per core keeps the cores
    # busy while one waits for the database.
    return max(2, (os.cpu_count() or 1) * 2)


class Command(BaseCommand):
    help = "Serve Hexa with gunicorn (static files included), on HEXA_DATABASE_URL's database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--timeout", type=int, default=30, help="seconds per request")
        parser.add_argument(
            "--no-access-log", action="store_true", help="do not print a line per request"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            self.stderr.write("error: --workers must be at least 1")
            sys.exit(2)
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "hexa.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            # Workers are forked after the app is loaded: faster start, shared memory.
            "--preload",
        ]
        if not options["no_access_log"]:
            argv += ["--access-logfile", "-"]
        self.stdout.write(
            f"Hexa at http://{options['host']}:{options['port']}/ "
            f"({options['workers']} workers; Ctrl+C stops)"
        )
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
