"""`python -m bench.scale` (`make bench-scale`): Hexa's pages and endpoints at scale.

Issue 11's dataset: on PostgreSQL 100,000 clients and 10,000,000 dedications, on SQLite
100,000 / 1,000,000 (bench.dataset's shape: ~277,000 tasks, ~70,000 with a follow-up). The
database is built once and kept (PostgreSQL database `hexa_scale`, SQLite file under
bench-results/scale-sqlite/) because building it takes many minutes; `--rebuild` starts over.
Each run migrates it first (timed: what a migration costs at that size), serves it with
`hexa serve` and 2 workers, then asks each page and endpoint one request at a time (after a
warm-up), up to `--requests` times or `--budget` seconds, and prints p50 / p95 / max and the
size of the answer, against the goal of issue 11. Then the quick log over HTTP: one at a time,
and under `--concurrency` concurrent clients for `--seconds`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.databases import Target, Unavailable, postgres_answers
from bench.http_load import run_load, serve
from bench.options import ENGINES, HEXA, POSTGRES_ADMIN_URL, RESULTS_DIR
from bench.stats import percentile

SIZES = {"postgresql": (100_000, 10_000_000), "sqlite": (100_000, 1_000_000)}
DATABASE = "hexa_scale"
TIMEOUT = 120.0  # seconds; `hexa serve` kills a request after 60 s anyway
PAGE_GOAL = 100.0  # ms at p95: every page and list endpoint
MONTH_GOAL = 300.0  # a month's report
YEAR_GOAL = 500.0  # a year's report


@dataclass(frozen=True)
class Probe:
    """One page or endpoint: what issue 11's table calls it, and its goal at p95 (ms)."""

    name: str
    path: str
    goal: float = PAGE_GOAL
    api: bool = False


@dataclass
class Measured:
    probe: Probe
    latencies: list[float] = field(default_factory=list)  # seconds
    sizes: list[int] = field(default_factory=list)  # bytes of the body
    statuses: dict[str, int] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        ms = sorted(1000 * value for value in self.latencies)
        p50 = percentile(ms, 0.50)
        p95 = percentile(ms, 0.95)
        ok = bool(ms) and set(self.statuses) <= {"200"}
        return {
            "name": self.probe.name,
            "path": self.probe.path,
            "requests": len(ms),
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "max_ms": round(ms[-1], 1) if ms else None,
            "kib": round(max(self.sizes, default=0) / 1024, 1),
            "statuses": self.statuses,
            "goal_ms": self.probe.goal,
            "meets": ok and p95 < self.probe.goal,
        }


def probes(sample: dict[str, str]) -> list[Probe]:
    today = dt.date.today()
    month = f"date_from={today:%Y-%m}-01&date_to={today.isoformat()}"
    name_query = sample["name"].lower()  # one client's name, in small letters
    return [
        Probe("agenda, everyone's", "/agenda/?who=all"),
        Probe("agenda, mine", "/agenda/"),
        Probe("explorer, first page", "/"),
        Probe("explorer, follow-up due", "/?due=on"),
        Probe("explorer, no follow-up scheduled", "/?unscheduled=on"),
        Probe("explorer, page 2,000", "/?page=2000"),
        Probe("explorer, search by name", f"/?q={name_query}"),
        Probe("explorer, search for a common word", "/?q=hotel"),
        Probe("explorer, search by code prefix", f"/?q={sample['code_prefix']}"),
        Probe("explorer, search by tax id", f"/?q={sample['tax_id']}"),
        Probe("client page", f"/clients/{sample['code']}/"),
        Probe("a client's dedications", f"/reports/entries/?client={sample['code']}&period=all"),
        Probe("projects list", "/projects/"),
        Probe("tasks list", "/tasks/"),
        Probe("reports page, this month", "/reports/?period=this_month", goal=MONTH_GOAL),
        Probe("reports page, this year", "/reports/?period=this_year", goal=YEAR_GOAL),
        Probe("API clients ?q=", f"/api/v1/clients?q={name_query}", api=True),
        Probe("API agenda", "/api/v1/agenda", api=True),
        Probe(
            "API report by client, a month",
            f"/api/v1/reports/dedications?group_by=client&{month}",
            goal=MONTH_GOAL,
            api=True,
        ),
        Probe(
            "API report by month, the year",
            "/api/v1/reports/dedications?group_by=month&period=this_year",
            goal=YEAR_GOAL,
            api=True,
        ),
        Probe(
            "API report by employee, the year",
            "/api/v1/reports/dedications?group_by=employee&period=this_year",
            goal=YEAR_GOAL,
            api=True,
        ),
        Probe(
            "API report by week, the year",
            "/api/v1/reports/dedications?group_by=week&period=this_year",
            goal=YEAR_GOAL,
            api=True,
        ),
        Probe(
            "API report of one employee by client, the year",
            "/api/v1/reports/dedications?group_by=client&period=this_year"
            f"&employee={sample['employee']}",
            goal=YEAR_GOAL,
            api=True,
        ),
        Probe(
            "API dedications of a client", f"/api/v1/dedications?client={sample['code']}", api=True
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    RESULTS_DIR.mkdir(exist_ok=True)
    results: dict[str, Any] = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    }
    for engine in args.databases:
        clients, dedications = SIZES[engine]
        clients = args.clients or clients
        dedications = args.dedications if args.dedications is not None else dedications
        print(f"\n== {engine}: {clients:,} clients, {dedications:,} dedications ==", flush=True)
        try:
            results[engine] = _engine(engine, clients, dedications, args)
        except Unavailable as reason:
            print(f"{engine}: not measured: {reason}")
            results[engine] = {"status": "not measured", "reason": str(reason)}
    output = RESULTS_DIR / "scale.json"
    output.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nJSON: {output.relative_to(RESULTS_DIR.parent)}")


def _engine(
    engine: str, clients: int, dedications: int, args: argparse.Namespace
) -> dict[str, Any]:
    target = _target(
        engine,
        clients,
        dedications,
        rebuild=args.rebuild,
        admin_url=args.postgres_url,
        database=args.database,
    )
    started = time.perf_counter()
    _hexa(target, "migrate", "--noinput", "-v0")
    migrate_s = time.perf_counter() - started
    print(f"  migrate: {migrate_s:.1f} s", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        result_path = Path(folder) / "setup.json"
        size = json.dumps({"clients": clients, "dedications": dedications, "seed": args.seed})
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "bench.scale_setup", size, str(result_path)],
            env=target.env(),
            check=True,
            timeout=6 * 3600,
        )
        setup = json.loads(result_path.read_text())
    if setup["built"]:
        built = setup["built"]
        print(
            f"  built {', '.join(f'{v:,} {k}' for k, v in built['counts'].items())} "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        _remember(target, clients, dedications, args.seed)
    if vacuumed := setup.get("vacuumed"):
        print(
            f"  vacuum: {vacuumed['dead_rows']:,} dead rows of earlier runs, "
            f"{vacuumed['seconds']:.1f} s",
            flush=True,
        )
    print(
        f"  {setup['counts']['clients']:,} clients, ~{setup['counts']['dedications']:,} "
        "dedications",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    with serve(target, args.workers) as server:
        session = dict([setup["session_cookie"]])
        api_headers = {"Authorization": f"Bearer {setup['token']}"}
        with (
            httpx.Client(base_url=server.url, cookies=session, timeout=TIMEOUT) as web,
            httpx.Client(base_url=server.url, headers=api_headers, timeout=TIMEOUT) as api,
        ):
            for probe in probes(setup["sample"]):
                if args.only and not any(part in probe.name for part in args.only):
                    continue
                measured = _measure(api if probe.api else web, probe, args.requests, args.budget)
                rows.append(row := measured.row())
                print(_line(row), flush=True)
            rows.append(row := _sequential_logs(api, setup["with_project"], args.requests))
            print(_line(row), flush=True)
        # The same load twice: every client the benchmark's own employee (as earlier runs
        # measured it), then each client another person, as several people log at once.
        loads = {}
        for who, people in (
            ("one person", ()),
            ("several people", setup["people"][: args.concurrency]),
        ):
            load = run_load(
                server,
                setup["token"],
                workers=args.workers,
                with_project=[tuple(pair) for pair in setup["with_project"]],
                without_project=deque(tuple(pair) for pair in setup["without_project"]),
                seconds=args.seconds,
                concurrency=args.concurrency,
                seed=args.seed,
                people=people,
            )
            loads[who] = concurrent = load.as_dict()
            print(
                f"  quick log, {args.concurrency} concurrent clients ({who}) for "
                f"{args.seconds:g} s: {concurrent['count']} logs, "
                f"{concurrent['per_second']:.0f}/s, p50 {concurrent['p50_ms']:.0f} ms, "
                f"p99 {concurrent['p99_ms']:.0f} ms, non-201: {concurrent['non_201']}",
                flush=True,
            )
    print(_table(engine, rows))
    return {
        "status": "measured",
        "migrate_s": round(migrate_s, 1),
        "rows": rows,
        "quick_log_load": loads,
    }


def _measure(client: httpx.Client, probe: Probe, requests: int, budget: float) -> Measured:
    measured = Measured(probe)
    with contextlib.suppress(httpx.HTTPError):
        client.get(probe.path)  # warm-up: caches, the worker's connection
    deadline = time.perf_counter() + budget
    for _ in range(requests):
        before = time.perf_counter()
        try:
            response = client.get(probe.path)
            status, size = str(response.status_code), len(response.content)
        except httpx.HTTPError as error:
            status, size = type(error).__name__, 0
        measured.latencies.append(time.perf_counter() - before)
        measured.sizes.append(size)
        measured.statuses[status] = measured.statuses.get(status, 0) + 1
        if time.perf_counter() > deadline and len(measured.latencies) >= 3:
            break
    return measured


def _sequential_logs(
    api: httpx.Client, with_project: list[list[Any]], count: int
) -> dict[str, Any]:
    """Quick logs one at a time, each on another client that has its project."""
    probe = Probe("quick log over HTTP, one at a time", "/api/v1/clients/{code}/quick-log")
    measured = Measured(probe)
    step = max(1, len(with_project) // (count + 1))
    for _pk, code in with_project[step::step][:count]:
        before = time.perf_counter()
        response = api.post(
            f"/api/v1/clients/{code}/quick-log", json={"text": "Llamada", "minutes": 15}
        )
        measured.latencies.append(time.perf_counter() - before)
        measured.sizes.append(len(response.content))
        status = "200" if response.status_code == 201 else str(response.status_code)
        measured.statuses[status] = measured.statuses.get(status, 0) + 1
    return measured.row()


def _line(row: dict[str, Any]) -> str:
    mark = "ok " if row["meets"] else "-- "
    return (
        f"  {mark}{row['name']:<40} p50 {row['p50_ms']:>8.1f} p95 {row['p95_ms']:>8.1f} "
        f"max {row['max_ms'] or 0:>8.1f} ms  {row['kib']:>9,.1f} KiB  {row['statuses']}"
    )


def _table(engine: str, rows: list[dict[str, Any]]) -> str:
    lines = [
        f"\n{engine}: page or endpoint | p50 ms | p95 ms | max ms | KiB | goal p95 | meets",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['p50_ms']:,.0f} | {row['p95_ms']:,.0f} | "
            f"{row['max_ms'] or 0:,.0f} | {row['kib']:,.0f} | < {row['goal_ms']:,.0f} | "
            f"{'yes' if row['meets'] else '**no**'} |"
        )
    return "\n".join(lines)


def _target(
    engine: str, clients: int, dedications: int, *, rebuild: bool, admin_url: str, database: str
) -> Target:
    data_dir = RESULTS_DIR / (f"scale-{engine}" if database == DATABASE else f"scale-{database}")
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / "built.json"
    wanted = {"clients": clients, "dedications": dedications}
    stale = (
        rebuild
        or not marker.exists()
        or {key: json.loads(marker.read_text()).get(key) for key in wanted} != wanted
    )
    if engine == "sqlite":
        database = data_dir / "hexa.sqlite3"
        if stale:
            for path in data_dir.glob("hexa.sqlite3*"):
                path.unlink()
            marker.unlink(missing_ok=True)
        return Target(engine, f"sqlite:///{database}", data_dir)
    import psycopg

    if reason := postgres_answers(admin_url):
        raise Unavailable(f"no PostgreSQL server answers at {admin_url}: {reason}")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if stale and exists:
            admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = None
        if not exists:
            marker.unlink(missing_ok=True)
            admin.execute(f'CREATE DATABASE "{database}"')
    return Target(engine, f"{admin_url.rsplit('/', 1)[0]}/{database}", data_dir)


def _remember(target: Target, clients: int, dedications: int, seed: int) -> None:
    marker = target.data_dir / "built.json"
    marker.write_text(json.dumps({"clients": clients, "dedications": dedications, "seed": seed}))


def _hexa(target: Target, *args: str) -> None:
    completed = subprocess.run(  # noqa: S603 - our own `hexa` command, fixed arguments
        [str(HEXA), *args], env=target.env(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"hexa {' '.join(args)} failed on {target.engine}:\n{completed.stderr}")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--databases", default=",".join(ENGINES), type=lambda t: tuple(t.split(","))
    )
    parser.add_argument("--clients", type=int, help="clients (default 100,000)")
    parser.add_argument(
        "--dedications",
        type=int,
        help="dedications (default 10,000,000 on PostgreSQL, 1,000,000 on SQLite)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the dataset again")
    parser.add_argument("--requests", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per page at most (default 60)"
    )
    parser.add_argument("--workers", type=int, default=2, help="hexa serve workers (default 2)")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="concurrent quick logs (default 8)"
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="seconds of concurrent quick logs"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument(
        "--only",
        type=lambda text: tuple(part for part in text.split(",") if part),
        default=(),
        help="measure only the pages whose name holds one of these comma-separated words",
    )
    parser.add_argument(
        "--database",
        default=DATABASE,
        help=f"PostgreSQL database to build and keep (default {DATABASE}; another name lets "
        "several people measure on one server)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.databases) - set(ENGINES)
    if unknown:
        parser.error(f"--databases: choose among {', '.join(ENGINES)}")
    return args


if __name__ == "__main__":
    main()
