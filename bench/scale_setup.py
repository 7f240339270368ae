"""`python -m bench.scale_setup ARGS_JSON RESULT_PATH`: the in-process half of `bench.scale`.

Runs with HEXA_DATABASE_URL and HEXA_DATA_DIR set to the scale database. Builds the dataset
there if the database holds no client yet (dedications streamed in chunks), then prepares
what the HTTP measurements need: a manager signed in (its session cookie), an API token, and
the clients the quick-log load may use. Writes all of it as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import django

CHUNK = 250_000  # dedications made and loaded at a time


def main(argv: list[str]) -> None:
    args = json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexa.settings")
    django.setup()
    Path(argv[2]).write_text(json.dumps(prepare(**args)))


def prepare(*, clients: int, dedications: int, seed: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db.models import Exists, OuterRef
    from django.test import Client as TestClient

    from bench import dataset
    from hexa.api.models import ApiToken
    from hexa.crm.models import Client, Employee, Project
    from hexa.crm.services.permissions import managers_group

    result: dict[str, Any] = {"built": None}
    if not Client.objects.exists():
        data = dataset.build(clients=clients, dedications=dedications, seed=seed, chunk=CHUNK)
        result["built"] = {"counts": data.counts, "seconds": data.seconds}
    else:
        result["vacuumed"] = _vacuum_earlier_runs()

    user, _created = User.objects.get_or_create(username="scale-bench")
    user.groups.add(managers_group())
    employee = Employee.objects.filter(user=user).first()
    if employee is None:
        employee = Employee.objects.filter(active=True, user__isnull=True).order_by("pk").first()
        assert employee is not None, "the dataset has active employees"
        employee.user = user
        employee.save(update_fields=["user"])
    _row, token = ApiToken.objects.issue(user=user, name="scale benchmark")
    browser = TestClient()
    browser.force_login(user)  # a database session, as a sign-in through the page makes
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value

    own_project = Project.objects.filter(
        client=OuterRef("pk"), code=OuterRef("code"), status="active"
    )
    any_active = Project.objects.filter(client=OuterRef("pk"), status="active")
    with_project = list(
        Client.objects.filter(Exists(own_project)).order_by("pk").values_list("pk", "code")
    )
    without_project = list(
        Client.objects.filter(~Exists(any_active)).order_by("pk").values_list("pk", "code")
    )
    sample = Client.objects.exclude(tax_id="").order_by("pk")[len(with_project) // 2]
    busiest = (
        Client.objects.filter(Exists(own_project))
        .order_by("pk")
        .values_list("code", flat=True)[len(with_project) // 3]
    )
    return {
        **result,
        "token": token,
        "session_cookie": [settings.SESSION_COOKIE_NAME, cookie],
        "with_project": with_project,
        "without_project": without_project,
        "sample": {
            "code": busiest,
            "name": sample.name,
            "code_prefix": sample.code[:-2],
            "tax_id": sample.tax_id,
            "employee": employee.code,  # the benchmark's own: one person's agenda and reports
        },
        # Who logs in the concurrent load's "several people" run: one active employee each.
        "people": list(
            Employee.objects.filter(active=True).order_by("pk").values_list("code", flat=True)
        ),
        "counts": {
            "clients": Client.objects.count(),
            "dedications": _estimate("crm_dedication"),
        },
    }


def _vacuum_earlier_runs() -> dict[str, Any] | None:
    """Earlier runs' quick logs left dead rows behind: every log updates its client's row,
    often its task's. A server vacuums them as they come (autovacuum, on by default); one
    that runs with it off (this machine's) keeps them all, and after ten runs the tasks list
    and the agendas read 86,000 dead clients and 70,000 dead tasks (82 / 113 ms instead of
    42 / 44 for the tasks list). VACUUM ANALYZE what quick logs write, as autovacuum would
    have (PostgreSQL; SQLite keeps no dead rows). The dead rows it found, and its time."""
    import time

    from django.db import connection

    from hexa.crm.models import (
        Client,
        Dedication,
        DedicationTotal,
        EmployeeDayTotal,
        IdempotencyKey,
        MonthTotal,
        Project,
        Task,
        YearTotal,
    )

    if connection.vendor != "postgresql":
        return None
    tables = [
        model._meta.db_table
        for model in (
            Client,
            Project,
            Task,
            Dedication,
            DedicationTotal,
            MonthTotal,
            YearTotal,
            EmployeeDayTotal,
            IdempotencyKey,
        )
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [tables],
        )
        dead = int(cursor.fetchone()[0])
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
    return {"dead_rows": dead, "seconds": round(time.perf_counter() - started, 1)}


def _estimate(table: str) -> int:
    """Rows in `table`: PostgreSQL's estimate (a count of 10 million rows takes seconds)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            if row and row[0] > 0:
                return int(row[0])
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return int(cursor.fetchone()[0])


if __name__ == "__main__":
    main(sys.argv)
