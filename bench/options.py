"""The benchmark's knobs, from the command line, and the paths it works in."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench-results"  # git-ignored
HEXA = Path(sys.executable).with_name("hexa")
ENGINES = ("sqlite", "postgresql")
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# The workload's mix: this share of quick logs goes to a client with no active project (the
# quick log creates a project and a task); the rest to a client whose project exists.
FRESH_SHARE = 0.10


@dataclass(frozen=True)
class Options:
    clients: int = 10_000
    dedications: int = 200_000
    logs: int = 2_000
    seconds: float = 10.0
    workers: tuple[int, ...] = (2, 4)
    concurrency: int = 8
    databases: tuple[str, ...] = ENGINES
    postgres_url: str = POSTGRES_ADMIN_URL
    seed: int = 1
    profile: bool = False
    quick: bool = False
    reports: bool = True
    output: Path = field(default=RESULTS_DIR / "latest.json")

    def to_json(self) -> str:
        data = asdict(self)
        data["output"] = str(self.output)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Options:
        data = json.loads(text)
        data["workers"] = tuple(data["workers"])
        data["databases"] = tuple(data["databases"])
        data["output"] = Path(data["output"])
        return cls(**data)


def _int_list(text: str) -> tuple[int, ...]:
    values = tuple(int(item) for item in text.split(",") if item.strip())
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("give positive whole numbers, comma-separated")
    return values


def _engines(text: str) -> tuple[str, ...]:
    names = tuple(item.strip() for item in text.split(",") if item.strip())
    unknown = [name for name in names if name not in ENGINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(ENGINES)}")
    return names


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Quick-log throughput and latency (domain function, raw-SQL floor, HTTP), "
        "and the reports: grouped totals, the report page, CSV and XLSX exports.",
    )
    parser.add_argument("--clients", type=int, help="clients in the dataset (default 10,000)")
    parser.add_argument(
        "--dedications", type=int, help="dedications in the dataset (default 200,000)"
    )
    parser.add_argument("--logs", type=int, help="in-process quick logs timed (default 2,000)")
    parser.add_argument("--seconds", type=float, help="seconds of HTTP load per run (default 10)")
    parser.add_argument(
        "--workers", type=_int_list, help="gunicorn worker counts to try (default 2,4)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="concurrent HTTP clients (default 8)"
    )
    parser.add_argument(
        "--databases",
        type=_engines,
        default=ENGINES,
        help="engines to measure, comma-separated (default sqlite,postgresql)",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_ADMIN_URL,
        help="a PostgreSQL server's maintenance database; hexa_bench is created beside it",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of dataset and load")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also write a cProfile of the in-process quick logs to bench-results/",
    )
    parser.add_argument(
        "--no-reports",
        action="store_true",
        help="skip the reports: grouped totals and the CSV and XLSX exports of every dedication",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1,000 clients, 10,000 dedications, 200 logs, 2 s, 2 workers",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "latest.json", help="JSON results file"
    )
    args = parser.parse_args(argv)
    # --quick only changes the defaults: explicit sizes still win.
    defaults = (
        {"clients": 1_000, "dedications": 10_000, "logs": 200, "seconds": 2.0, "workers": (2,)}
        if args.quick
        else {"clients": 10_000, "dedications": 200_000, "logs": 2_000, "seconds": 10.0}
    )
    chosen = {name: getattr(args, name) for name in ("clients", "dedications", "logs", "seconds")}
    chosen["workers"] = args.workers
    sizes = {name: value for name, value in chosen.items() if value is not None}
    options = Options(
        **{**defaults, **sizes},
        concurrency=args.concurrency,
        databases=args.databases,
        postgres_url=args.postgres_url,
        seed=args.seed,
        profile=args.profile,
        quick=args.quick,
        reports=not args.no_reports,
        output=args.output,
    )
    if options.clients < 100 or options.dedications < 0 or options.logs < 10:
        parser.error("use at least 100 clients and 10 logs")
    if options.seconds <= 0 or options.concurrency < 1:
        parser.error("--seconds and --concurrency must be positive")
    return options
