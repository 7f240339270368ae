"""A real Hexa: gunicorn with several worker processes on a fresh database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import HEXA, live_database, run_hexa


@dataclass
class GunicornServer:
    url: str
    token: str
    env: dict[str, str]

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hexa serve exited with {process.returncode}")
        try:
            httpx.get(f"{url}/api/v1/openapi.json", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"hexa serve did not answer at {url} within {seconds} s")


@contextmanager
def serving(
    env: dict[str, str], *, workers: int, log: Path | None = None, access_log: bool = False
) -> Iterator[str]:
    """`hexa serve` on `env`'s database while the block runs; yields its address. Its output
    (with the access log if asked) goes to the file `log`, else nowhere."""
    port = _free_port()
    argv = [str(HEXA), "serve", "--port", str(port), "--workers", str(workers)]
    if not access_log:
        argv.append("--no-access-log")
    with open(log or os.devnull, "wb") as output:
        process = subprocess.Popen(
            argv, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory) -> Iterator[GunicornServer]:
    with live_database(tmp_path_factory.mktemp("server")) as env:
        run_hexa(
            {**env, "DJANGO_SUPERUSER_PASSWORD": "pw-Secret-123"},
            "createsuperuser", "--noinput", "--username", "admin", "--email", "a@example.com",
        )  # fmt: skip
        token = run_hexa(env, "token", "create", "admin").stdout.strip()
        with serving(env, workers=8) as url:
            yield GunicornServer(url=url, token=token, env=env)
