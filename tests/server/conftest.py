"""A real Hexa: gunicorn with several worker processes on a fresh database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

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


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory) -> Iterator[GunicornServer]:
    with live_database(tmp_path_factory.mktemp("server")) as env:
        run_hexa(
            {**env, "DJANGO_SUPERUSER_PASSWORD": "pw-Secret-123"},
            "createsuperuser", "--noinput", "--username", "admin", "--email", "a@example.com",
        )  # fmt: skip
        token = run_hexa(env, "token", "create", "admin").stdout.strip()
        port = _free_port()
        process = subprocess.Popen(
            [str(HEXA), "serve", "--port", str(port), "--workers", "8", "--no-access-log"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process)
            yield GunicornServer(url=url, token=token, env=env)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
