"""Fresh, migrated databases for the benchmark, one per engine, removed afterwards."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.options import HEXA, RESULTS_DIR

# Another name (HEXA_BENCH_DATABASE) lets several people measure on one server at once.
BENCH_DATABASE = os.environ.get("HEXA_BENCH_DATABASE") or "hexa_bench"
if not re.fullmatch(r"[a-z_][a-z0-9_]*", BENCH_DATABASE):
    raise SystemExit("HEXA_BENCH_DATABASE: small letters, digits and _ only")


@dataclass(frozen=True)
class Target:
    """One database under test and the folder its `hexa` processes keep their files in."""

    engine: str  # "sqlite" or "postgresql"
    url: str
    data_dir: Path

    def env(self) -> dict[str, str]:
        """The environment a `hexa` process (or a Django child) needs to use this database."""
        env = {
            **os.environ,
            "HEXA_DATABASE_URL": self.url,
            "HEXA_DATA_DIR": str(self.data_dir),
            "HEXA_LOG_LEVEL": "ERROR",
        }
        # The child picks hexa.settings itself; an inherited value could point elsewhere.
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env


class Unavailable(Exception):
    """The engine cannot be measured here (e.g. no PostgreSQL server answers)."""


def postgres_answers(admin_url: str) -> str | None:
    """None if a server answers at `admin_url`, else why not (one line)."""
    import psycopg

    try:
        psycopg.connect(admin_url, connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


@contextmanager
def fresh_database(engine: str, admin_url: str) -> Iterator[Target]:
    """A new, migrated database of `engine`, dropped (or deleted) on the way out."""
    data_dir = RESULTS_DIR / f"run-{engine}"
    # On the same disk as the project, not /tmp, so fsyncs cost what they cost in production.
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    try:
        if engine == "sqlite":
            target = Target(engine, f"sqlite:///{data_dir / 'hexa.sqlite3'}", data_dir)
            migrate(target)
            yield target
        else:
            with _postgres_database(admin_url) as url:
                target = Target(engine, url, data_dir)
                migrate(target)
                yield target
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    import psycopg

    if reason := postgres_answers(admin_url):
        raise Unavailable(f"no PostgreSQL server answers at {admin_url}: {reason}")
    base = admin_url.rsplit("/", 1)[0]
    # The name is a constant of ours, never user input; identifiers cannot be parameters.
    drop = f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(drop)  # left over by an interrupted run
        admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    try:
        yield f"{base}/{BENCH_DATABASE}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(drop)


def migrate(target: Target) -> None:
    """The schema, made the way a deployment makes it."""
    completed = subprocess.run(  # noqa: S603 - our own `hexa` command, fixed arguments
        [str(HEXA), "migrate", "--noinput", "-v0"],
        env=target.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"hexa migrate failed on {target.engine}:\n{completed.stderr}")
