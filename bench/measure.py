"""In-process measurements on one database: the domain function and the SQL floor.

Imported by bench.inprocess after django.setup(), in a process whose HEXA_DATABASE_URL names
the benchmark's fresh database.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import pstats
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import cpu, dataset
from bench.floor import open_floor
from bench.options import RESULTS_DIR, Options
from bench.stats import summarize
from bench.workload import OUTCOMES, Op, Workload
from hexa.api.models import ApiToken
from hexa.crm.models import Client, Dedication, Employee
from hexa.crm.services import UNCHANGED, quick_log

BENCH_USERNAME = "bench"

LogOne = Callable[[Op], tuple[bool, bool]]


def run(options: Options) -> dict[str, Any]:
    engine = connection.vendor
    data = dataset.build(
        clients=options.clients, dedications=options.dedications, seed=options.seed
    )
    seconds = data.seconds
    print(
        f"  dataset: {_counts(data.counts)}; built in {seconds['total']:.1f} s "
        f"(rows in memory {seconds['generate']:.1f} s, "
        f"{'COPY' if engine == 'postgresql' else 'executemany'} {seconds['insert']:.1f} s, "
        f"sequences/analyze {seconds['analyze']:.1f} s)",
        flush=True,
    )
    user_id, token = _api_user(data.employee_ids[0])
    with_project = [(pk, data.codes[pk]) for pk in data.with_project]
    without_project = deque((pk, data.codes[pk]) for pk in data.without_project)
    rng = random.Random(options.seed + 1)  # noqa: S311 - a repeatable workload
    domain = _domain_logger(data.employee_ids, user_id, rng)
    statements = _statements(domain, with_project, without_project)

    result: dict[str, Any] = {
        "dataset": {"counts": data.counts, "seconds": seconds},
        "statements_per_quick_log": statements,
    }
    workload = Workload(rng, with_project, without_project)
    result["domain"] = _timed("domain quick_log()", domain, workload, options.logs, with_project)
    floor = open_floor(connection.settings_dict)
    try:
        floor_log = _floor_logger(floor.log, data.employee_ids, user_id, rng)
        result["floor"] = _timed("SQL floor", floor_log, workload, options.logs, with_project)
    finally:
        floor.close()
    if options.profile:
        result["profile"] = _profile(engine, domain, workload, options.logs // 2)
    # For the HTTP runs, which happen in other processes: who to log on, and as whom.
    result["http"] = {
        "token": token,
        "with_project": with_project,
        "without_project": list(without_project),
    }
    return result


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{value:,} {name}" for name, value in counts.items())


def _api_user(employee_id: int) -> tuple[int, str]:
    """A user linked to an employee, as API callers are, and a token for it."""
    user = get_user_model().objects.create_user(BENCH_USERNAME)  # no password: no hashing
    Employee.objects.filter(pk=employee_id).update(user=user)
    _row, token = ApiToken.objects.issue(user=user, name="benchmark")
    return user.pk, token


def _domain_logger(employee_ids: list[int], user_id: int, rng: random.Random) -> LogOne:
    """quick_log() as an in-process caller uses it: client and employee objects at hand."""
    clients = Client.objects.in_bulk()
    employees = list(Employee.objects.filter(pk__in=employee_ids))
    user = get_user_model().objects.get(pk=user_id)
    today = timezone.localdate()

    def log(op: Op) -> tuple[bool, bool]:
        result = quick_log(
            client=clients[op.client_id],
            employee=rng.choice(employees),
            text=op.text,
            next_follow_up=(
                UNCHANGED
                if op.follow_up_days is None
                else today + dt.timedelta(days=op.follow_up_days)
            ),
            minutes=op.minutes,
            recorded_by=user,
            via=Dedication.Via.API,
        )
        return result.project_created, result.task_created

    return log


def _floor_logger(
    floor_log: Callable[[Op, int, int, dt.date], tuple[bool, bool]],
    employee_ids: list[int],
    user_id: int,
    rng: random.Random,
) -> LogOne:
    today = timezone.localdate()

    def log(op: Op) -> tuple[bool, bool]:
        return floor_log(op, rng.choice(employee_ids), user_id, today)

    return log


def _statements(
    log: LogOne, with_project: list[tuple[int, str]], without_project: deque[tuple[int, str]]
) -> dict[str, int]:
    """SQL statements one quick log runs (BEGIN/COMMIT included), untimed."""
    counts = {}
    for kind, (pk, code) in (
        ("with project", with_project[0]),
        ("creating project", without_project.popleft()),
    ):
        with CaptureQueriesContext(connection) as queries:
            log(Op(pk, code, fresh=True, text="Recuento.", minutes=None, follow_up_days=3))
        counts[kind] = len(queries.captured_queries)
    print(f"  SQL statements per domain quick log: {counts}", flush=True)
    return counts


def _timed(
    label: str, log: LogOne, workload: Workload, count: int, with_project: list[tuple[int, str]]
) -> dict[str, Any]:
    """`count` quick logs one after another; latency of each, throughput of all."""
    # A short warm-up on clients with projects: caches, prepared statements, first imports.
    warm = Workload(random.Random(0), with_project, deque())  # noqa: S311 - not secrets
    for _ in range(max(10, count // 20)):
        log(warm.next())
    ops = [workload.next() for _ in range(count)]  # planned first: the loop times only logs
    before_count = Dedication.objects.count()
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    cpu_before = cpu.read()
    started = time.perf_counter()
    for op in ops:
        before = time.perf_counter()
        outcome = log(op)
        latencies.append(time.perf_counter() - before)
        outcomes[OUTCOMES[outcome]] += 1
    summary = summarize(latencies, time.perf_counter() - started)
    usage = cpu.usage(cpu_before, cpu.read())
    # Not a timing check: a logger that wrote too little would make its figures meaningless.
    if (written := Dedication.objects.count() - before_count) != count:
        raise RuntimeError(f"{label}: {count} quick logs wrote {written} dedications")
    print(
        f"  {label}: {summary.per_second:,.0f} quick logs/s, p50 {summary.p50_ms:.2f} ms, "
        f"p99 {summary.p99_ms:.2f} ms ({count:,} logs: {_outcomes(outcomes)})",
        flush=True,
    )
    if usage:
        print(
            f"    CPUs busy: {usage.machine:.2f} of {usage.cpus}; this process {usage.ours:.2f}, "
            f"other processes{_database_server()} {usage.others:.2f}",
            flush=True,
        )
    return {
        **summary.as_dict(),
        "outcomes": dict(outcomes),
        "cpu": usage.as_dict() if usage else None,
    }


def _database_server() -> str:
    return " (PostgreSQL included)" if connection.vendor == "postgresql" else ""


def _outcomes(outcomes: Counter[str]) -> str:
    return ", ".join(f"{count:,} {name}" for name, count in outcomes.most_common())


def _profile(engine: str, log: LogOne, workload: Workload, count: int) -> str:
    """cProfile of `count` more domain quick logs (apart from the timed ones: it slows them)."""
    profiler = cProfile.Profile()
    ops = [workload.next() for _ in range(count)]
    profiler.enable()
    for op in ops:
        log(op)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    path = RESULTS_DIR / f"profile-{engine}.txt"
    path.write_text(text.getvalue())
    print(f"  profile of {count:,} domain quick logs: {path}", flush=True)
    return str(path)
