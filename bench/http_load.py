"""Quick logs through HTTP: `hexa serve` (gunicorn) and concurrent httpx clients.

The server runs as a deployment runs it; the clients are threads of this process, each with
its own keep-alive httpx.Client, posting to /api/v1/clients/{code}/quick-log for a fixed
time. (gunicorn's sync workers answer `Connection: close`, so each request still opens a
connection, as real API clients of `hexa serve` do.) Latency is what a client sees: queueing
for a free worker included.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import signal
import socket
import subprocess
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import cpu
from bench.cpu import Usage
from bench.databases import Target
from bench.options import HEXA
from bench.stats import Summary, summarize
from bench.workload import OUTCOMES, Op, Workload

START_TIMEOUT = 60.0  # seconds for gunicorn to load Hexa and answer
REQUEST_TIMEOUT = 30.0  # gunicorn's own --timeout: a slower answer is a failure anyway


@dataclass
class _Tally:
    """One client thread's results, merged after the run."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # a few bodies of non-201 answers


@dataclass(frozen=True)
class HttpResult:
    workers: int
    summary: Summary
    statuses: dict[str, int]
    outcomes: dict[str, int]
    errors: list[str]
    client_cpu_s: float  # CPU this process spent being the clients
    cpu: Usage | None  # the machine's CPUs during the run: ours (clients + gunicorn), others

    @property
    def failures(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != "201")

    def as_dict(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            **self.summary.as_dict(),
            "non_201": self.failures,
            "statuses": self.statuses,
            "outcomes": self.outcomes,
            "error_samples": self.errors,
            "client_cpu_s": round(self.client_cpu_s, 2),
            "cpu": self.cpu.as_dict() if self.cpu else None,
        }


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    pid: int  # gunicorn's master (serve execs it); its workers are its children


@contextmanager
def serve(target: Target, workers: int) -> Iterator[Server]:
    """`hexa serve` on a free port, yielded once it answers, stopped after."""
    port = free_port()
    log_path = target.data_dir / f"serve-{workers}w.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own `hexa` command, fixed arguments
            [
                str(HEXA),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-access-log",
            ],
            env=target.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base_url, process, log_path.name)
        yield Server(base_url, process.pid)
    finally:
        _stop(process)


def _wait_until_answering(base_url: str, process: subprocess.Popen[bytes], log: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hexa serve exited with {process.returncode}; see {log}")
        try:
            # Any answer (401 here) means a worker took the request: the app is loaded.
            httpx.get(f"{base_url}/api/v1/clients", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"hexa serve did not answer within {START_TIMEOUT:.0f} s; see {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM is gunicorn's graceful stop; the process is gunicorn itself (serve execs it)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_load(
    server: Server,
    token: str,
    *,
    workers: int,
    with_project: list[tuple[int, str]],
    without_project: deque[tuple[int, str]],
    seconds: float,
    concurrency: int,
    seed: int,
    people: Sequence[str] = (),
) -> HttpResult:
    """`concurrency` threads posting quick logs for `seconds`, after an untimed warm-up.
    With `people` (employee codes), thread n logs as people[n % len(people)], as several
    people do at once; without, every thread is the token's own employee."""
    # Warm-up: every worker opens its database connection and fills its caches.
    warm_up = min(1.0, seconds / 4)
    drive = functools.partial(_drive, server.url, token, with_project, people=people)
    drive(deque(), warm_up, concurrency, seed)
    cpu_before, client_before = cpu.read([server.pid]), time.process_time()
    started = time.perf_counter()
    tallies = drive(without_project, seconds, concurrency, seed)
    elapsed = time.perf_counter() - started
    cpu_after, client_cpu = cpu.read([server.pid]), time.process_time() - client_before
    merged = _Tally()
    for tally in tallies:
        merged.latencies += tally.latencies
        merged.statuses.update(tally.statuses)
        merged.outcomes.update(tally.outcomes)
        merged.errors += tally.errors[: 5 - len(merged.errors)]
    return HttpResult(
        workers=workers,
        summary=summarize(merged.latencies, elapsed),
        statuses=dict(merged.statuses),
        outcomes=dict(merged.outcomes),
        errors=merged.errors,
        client_cpu_s=client_cpu,
        cpu=cpu.usage(cpu_before, cpu_after),
    )


def _drive(
    base_url: str,
    token: str,
    with_project: list[tuple[int, str]],
    without_project: deque[tuple[int, str]],
    seconds: float,
    concurrency: int,
    seed: int,
    *,
    people: Sequence[str] = (),
) -> list[_Tally]:
    deadline = time.perf_counter() + seconds
    tallies = [_Tally() for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=_client_loop,
            args=(
                base_url,
                token,
                # Per-thread random streams; the project-less clients are shared (each once).
                Workload(random.Random(seed * 1000 + n), with_project, without_project),  # noqa: S311
                deadline,
                tallies[n],
                people[n % len(people)] if people else None,
            ),
            name=f"bench-client-{n}",
        )
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tallies


def _client_loop(
    base_url: str,
    token: str,
    workload: Workload,
    deadline: float,
    tally: _Tally,
    employee: str | None,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT) as client:
        while time.perf_counter() < deadline:
            op = workload.next()
            before = time.perf_counter()
            try:
                response = client.post(
                    f"/api/v1/clients/{op.code}/quick-log", json=_body(op, employee)
                )
            except httpx.HTTPError as error:
                tally.latencies.append(time.perf_counter() - before)
                tally.statuses[type(error).__name__] += 1
                continue
            tally.latencies.append(time.perf_counter() - before)
            tally.statuses[str(response.status_code)] += 1
            if response.status_code == 201:
                tally.outcomes[_outcome(response.json())] += 1
            elif len(tally.errors) < 5:
                tally.errors.append(f"{response.status_code} {response.text[:300]}")


def _body(op: Op, employee: str | None = None) -> dict[str, Any]:
    """Without `employee`, the API takes the token user's employee, as callers do."""
    body: dict[str, Any] = {"text": op.text}
    if employee is not None:
        body["employee"] = employee
    if op.minutes is not None:
        body["minutes"] = op.minutes
    if op.follow_up_days is not None:
        body["next_follow_up"] = _days_from_today(op.follow_up_days)
    return body


def _days_from_today(days: int) -> str:
    # Hexa's "today" is in its time zone (Europe/Madrid by default), at most a day ahead of
    # UTC's, so a day or more after UTC's today is never before Hexa's.
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def _outcome(body: dict[str, Any]) -> str:
    return OUTCOMES[(body["project"]["created"], body["task"]["created"])]
