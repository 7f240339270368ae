"""hexa demo: load the demo business into an empty database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hexa.crm.demo import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    OTHER_PASSWORD,
    OTHER_USERNAME,
    has_data,
    load_demo,
)


class Command(BaseCommand):
    help = (
        "Load demo data (Spanish small-business clients, employees, projects, tasks, three "
        "months of activity and a `demo` login). Does nothing if the database has data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet-if-loaded", action="store_true", help="say nothing when data already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if has_data():
            if not options["quiet_if_loaded"]:
                self.stdout.write("The database already has clients or employees: demo not loaded.")
            return
        summary = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {summary.clients} clients, {summary.projects} projects, "
                f"{summary.tasks} tasks, {summary.dedications} activities. "
                f"Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD} (a manager) or "
                f"{OTHER_USERNAME} / {OTHER_PASSWORD}."
            )
        )
