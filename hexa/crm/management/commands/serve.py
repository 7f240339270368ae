"""hexa serve [--host H] [--port P] [--workers N]: serve Hexa with gunicorn."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection


def default_workers() -> int:
    """Two per core on PostgreSQL, to keep the cores busy while some wait for the database.
    One per core on SQLite: it has one writer at a time, and more processes only queue
    longer for it (measured by `make bench`: same throughput, a much worse p99)."""
    cores = os.cpu_count() or 1
    if connection.vendor == "sqlite":
        return max(2, cores)
    return max(2, cores * 2)


class Command(BaseCommand):
    help = "Serve Hexa with gunicorn (static files included), on HEXA_DATABASE_URL's database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            help="worker processes (default: 1 per core on SQLite, 2 on PostgreSQL)",
        )
        # A 200,000-row XLSX export takes ~15 s on 2 cores: leave it room.
        parser.add_argument("--timeout", type=int, default=60, help="seconds per request")
        parser.add_argument(
            "--no-access-log", action="store_true", help="do not print a line per request"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        options["workers"] = options["workers"] or default_workers()
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
            # Gunicorn's control socket is one fixed path per user: several servers (tests,
            # benchmark, a second instance) would fight over it, and Hexa does not use it.
            "--no-control-socket",
        ]
        if not options["no_access_log"]:
            # The logger class redacts secrets in addresses (the calendar feed's...).
            argv += ["--access-logfile", "-", "--logger-class", "hexa.lib.access_log.AccessLogger"]
        self.stdout.write(
            f"Hexa at http://{options['host']}:{options['port']}/ "
            f"({options['workers']} workers; Ctrl+C stops)"
        )
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
