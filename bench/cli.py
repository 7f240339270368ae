"""`python -m bench`: run every measurement on every engine, print the table, write JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections import deque
from importlib.metadata import version
from typing import Any

from bench import report
from bench.cpu import Usage
from bench.databases import Target, Unavailable, fresh_database, postgres_answers
from bench.http_load import run_load, serve
from bench.options import RESULTS_DIR, ROOT, Options, parse
from bench.workload import describe_mix

REPORT_TASKS = ("grouped", "csv", "xlsx")


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    started = time.perf_counter()
    RESULTS_DIR.mkdir(exist_ok=True)
    environment = _environment(options)
    print(_heading(options, environment), flush=True)
    if (load := environment["load_average_at_start"][0]) >= 0.5:
        print(
            f"Note: other processes are busy (load average {load:.2f} on "
            f"{environment['cpus']} CPUs): figures will be lower than on a quiet machine.",
            flush=True,
        )
    results: dict[str, Any] = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "options": json.loads(options.to_json()),
        "environment": environment,
        "workload_mix": describe_mix(),
        "databases": {},
    }
    rows: list[report.Row] = []
    for engine in options.databases:
        print(f"\n== {engine} ==", flush=True)
        outcome = _measure_engine(engine, options)
        results["databases"][engine] = outcome
        if outcome["status"] == "measured":
            rows += report.rows_for(engine, outcome)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    report.write_json(options.output, results, rows)
    print(f"\n{report.table(rows)}" if rows else "\nNothing was measured.")
    for engine, outcome in results["databases"].items():
        if outcome["status"] != "measured":
            print(f"{engine}: {outcome['status']}: {outcome['reason']}")
    print(
        "\nCPUs others: CPUs used meanwhile by other processes (for PostgreSQL, its server "
        "included).\n"
        f"Workload: {describe_mix()}.\n"
        f"Whole run: {results['total_seconds']:.0f} s. JSON: {_shown(options.output)}"
    )


def _shown(path: os.PathLike[str]) -> str:
    try:
        return str(os.path.relpath(path, ROOT))
    except ValueError:
        return str(path)


def _heading(options: Options, environment: dict[str, Any]) -> str:
    return (
        f"Hexa benchmark{' (--quick)' if options.quick else ''}: "
        f"{options.clients:,} clients, {options.dedications:,} dedications, "
        f"{options.logs:,} in-process logs, HTTP {options.seconds:g} s x "
        f"{'/'.join(map(str, options.workers))} workers x {options.concurrency} clients\n"
        f"{environment['cpus']} CPUs, Python {environment['python']}, "
        f"Django {environment['django']}, SQLite {environment['sqlite']}, "
        f"PostgreSQL {environment.get('postgresql') or 'not answering'}; "
        f"load average {environment['load_average_at_start'][0]:.2f}"
    )


def _environment(options: Options) -> dict[str, Any]:
    environment: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        # Other processes on the machine (a test run, a build) take CPU from the benchmark:
        # the load average says whether they did.
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }
    if "postgresql" in options.databases and postgres_answers(options.postgres_url) is None:
        import psycopg

        with psycopg.connect(options.postgres_url) as admin:
            row = admin.execute("SHOW server_version").fetchone()
            environment["postgresql"] = row[0] if row else None
    return environment


def _measure_engine(engine: str, options: Options) -> dict[str, Any]:
    """All measurements on a fresh database of `engine`; a skip or failure is reported, not
    raised, so that the other engine still gets measured."""
    try:
        with fresh_database(engine, options.postgres_url) as target:
            print(f"  fresh database migrated: {target.url}", flush=True)
            result = _in_process(target, options)
            if options.reports:
                result["reports"] = _reports(target)
            # Time per quick log, one caller at a time: how much the layers above SQL cost.
            result["ratio"] = result["domain"]["mean_ms"] / result["floor"]["mean_ms"]
            result["http_runs"] = _http_runs(target, options, result.pop("http"))
    except Unavailable as reason:
        print(f"  SKIPPED: {reason}", flush=True)
        return {"status": "skipped", "reason": str(reason)}
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        print(f"  FAILED: {error}", flush=True)
        return {"status": "failed", "reason": str(error)}
    return {"status": "measured", **result}


def _in_process(target: Target, options: Options) -> dict[str, Any]:
    """Dataset, domain function and SQL floor, in a Django child process (bench.inprocess)."""
    out = target.data_dir / "in-process.json"
    completed = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "bench.inprocess", options.to_json(), str(out)],
        env=target.env(),
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench.inprocess failed with exit code {completed.returncode}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def _reports(target: Target) -> dict[str, Any]:
    """The grouped report and the exports (bench.reports), each in a fresh child process so
    that its peak memory is its own."""
    results = {}
    for task in REPORT_TASKS:
        out = target.data_dir / f"reports-{task}.json"
        completed = subprocess.run(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "bench.reports", task, str(out)],
            env=target.env(),
            cwd=ROOT,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"bench.reports {task} failed with exit code {completed.returncode}")
        results[task] = json.loads(out.read_text())
    return results


def _http_runs(target: Target, options: Options, http: dict[str, Any]) -> list[dict[str, Any]]:
    with_project = [(pk, code) for pk, code in http["with_project"]]
    # Shared by the runs: a client's first quick log gives it a project, so each is used once.
    without_project = deque((pk, code) for pk, code in http["without_project"])
    runs = []
    for workers in options.workers:
        load = os.getloadavg()[0]
        with serve(target, workers) as server:
            result = run_load(
                server,
                http["token"],
                workers=workers,
                with_project=with_project,
                without_project=without_project,
                seconds=options.seconds,
                concurrency=options.concurrency,
                seed=options.seed + workers,
            )
        summary = result.summary
        print(
            f"  HTTP {workers} workers, {options.concurrency} clients: "
            f"{summary.per_second:,.0f} requests/s, p50 {summary.p50_ms:.1f} ms, "
            f"p99 {summary.p99_ms:.1f} ms, {result.failures} non-201 "
            f"({summary.count:,} requests in {summary.elapsed:.1f} s; "
            f"{_outcomes(result.outcomes)}; client threads used "
            f"{result.client_cpu_s / summary.elapsed:.0%} of a CPU)",
            flush=True,
        )
        if result.cpu:
            print(f"    {_cpu_line(result.cpu, target.engine)}", flush=True)
        for sample in result.errors:
            print(f"    non-201: {sample}", flush=True)
        runs.append(
            {
                **result.as_dict(),
                "concurrency": options.concurrency,
                "load_average_before": round(load, 2),
            }
        )
    return runs


def _cpu_line(usage: Usage, engine: str) -> str:
    others = "other processes" + (" (PostgreSQL included)" if engine == "postgresql" else "")
    return (
        f"CPUs busy: {usage.machine:.2f} of {usage.cpus}; clients + gunicorn "
        f"{usage.ours:.2f}, {others} {usage.others:.2f}"
    )


def _outcomes(outcomes: dict[str, int]) -> str:
    ordered = sorted(outcomes.items(), key=lambda item: -item[1])
    return ", ".join(f"{count:,} {name}" for name, count in ordered)
