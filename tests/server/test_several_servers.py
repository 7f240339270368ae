"""Several app servers, proven: three `hexa serve` processes on one PostgreSQL database
behind a real haproxy (Debian's, started by the test), as DESIGN.md's "app processes keep no
state" promises.

Quick logs go through the proxy with Idempotency-Key retries while one app process is killed
and started again: every one ends in exactly one dedication. Sessions, sign-in lockouts and
import jobs work whichever process answers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import HEXA, database_vendor, live_database, live_query, run_hexa
from tests.server.conftest import _free_port, _wait_until_up
from tests.server.quick_logs import PASSWORD, Load, assert_each_once, prepare, sign_in

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        not os.access(HAPROXY, os.X_OK),
        reason="haproxy is not installed (apt-get install haproxy; .ci/run installs it)",
    ),
    pytest.mark.skipif(
        database_vendor() != "postgresql",
        reason="several app servers share one PostgreSQL database (PostgreSQL run)",
    ),
]

# The client's own address, distinct from the proxy's (127.0.0.1): the app must count this
# one for lockouts, which it reads from X-Forwarded-For because HEXA_PROXIES=1.
CLIENT_ADDRESS = "127.0.0.3"


@dataclass
class App:
    """One `hexa serve` (one worker), which the test can kill and start again."""

    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        argv = [str(HEXA), "serve", "--port", str(self.port), "--workers", "1", "--no-access-log"]
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                argv, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        _wait_until_up(self.url, self.process)

    def kill(self) -> None:
        """SIGKILL: no graceful end for the requests it is answering."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


HAPROXY_CONFIG = """\
global
    maxconn 256
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # The client's address in X-Forwarded-For, for HEXA_PROXIES=1.
    option forwardfor
listen hexa
    bind 127.0.0.1:{port}
    balance roundrobin
    # Only ready processes get requests; a killed one is out after two failed checks.
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 300ms fall 2 rise 1
{servers}
"""


@dataclass
class Cluster:
    url: str
    apps: list[App]
    env: dict[str, str]
    token: str

    def browser(self, url: str | None = None) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS)
        return httpx.Client(
            base_url=url or self.url,
            transport=transport,
            headers={"Accept-Language": "en"},
            timeout=30,
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    with live_database(folder) as env:
        env.update(HEXA_PROXIES="1", HEXA_LANGUAGE="en")
        token = prepare(env)
        apps = [App(env, _free_port(), folder / f"app{n}.log") for n in (1, 2, 3)]
        port = _free_port()
        config = folder / "haproxy.cfg"
        servers = "\n".join(
            f"    server app{n} 127.0.0.1:{app.port} check" for n, app in enumerate(apps, 1)
        )
        config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
        proxy = None
        try:
            for app in apps:
                app.start()
            proxy = subprocess.Popen(
                [HAPROXY, "-f", str(config), "-db"],
                stdout=open(folder / "haproxy.log", "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
            _wait_until_up(f"http://127.0.0.1:{port}", proxy)
            yield Cluster(url=f"http://127.0.0.1:{port}", apps=apps, env=env, token=token)
        finally:
            if proxy:
                proxy.terminate()
                proxy.wait(timeout=20)
            for app in apps:
                app.stop()


def test_quick_logs_through_the_proxy_survive_an_app_process_killed_and_restarted(cluster):
    victim = cluster.apps[1]

    with Load(cluster.url, cluster.token, threads=4) as load:
        load.wait_for(201, more=40)
        victim.kill()
        load.wait_for(201, more=40)  # the other two answer meanwhile
        victim.start()
        load.wait_for(201, more=40)
    load.finish()

    assert load.unexpected == [] or all(u.startswith("50") for u in load.unexpected)
    assert len(load.sent) >= 120
    assert_each_once(cluster.env, load.sent)
    # The restarted process answers again, through the proxy too.
    assert httpx.get(f"{victim.url}/readyz").json() == {"status": "ready"}
    print(f"\n{len(load.sent)} quick logs, answers {dict(load.summary())}, 1 kill and restart")


def csrf(browser: httpx.Client, path: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(path).text)[1]


def test_a_session_made_on_one_process_works_on_the_others(cluster):
    one, two, three = cluster.apps
    with cluster.browser(one.url) as browser:
        sign_in(browser)
        pages = [browser.get(f"{app.url}/clients/ACME/") for app in (two, three)]
        through_the_proxy = [browser.get(f"{cluster.url}/clients/ACME/") for _ in range(6)]

    assert [p.status_code for p in pages + through_the_proxy] == [200] * 8
    assert all("ACME S.L." in p.text for p in pages + through_the_proxy)


def test_a_lockout_holds_whichever_process_answers_and_counts_the_forwarded_address(cluster):
    attempts = []
    for n in range(6):
        with cluster.browser() as browser:
            token = csrf(browser, "/accounts/login/")
            guess = {"username": "ana", "password": f"guess-{n}", "csrfmiddlewaretoken": token}
            attempts.append(browser.post("/accounts/login/", data=guess))
    with cluster.browser() as browser:
        token = csrf(browser, "/accounts/login/")
        right = browser.post(
            "/accounts/login/",
            data={"username": "ana", "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
    listed = run_hexa(cluster.env, "lockout", "list").stdout
    run_hexa(cluster.env, "lockout", "lift", "--user", "ana", "--address", CLIENT_ADDRESS)

    assert [a.status_code for a in attempts] == [200, 200, 200, 200, 429, 429]
    assert right.status_code == 429
    assert re.search(rf"address\s+{re.escape(CLIENT_ADDRESS)}\s+5 failures", listed), listed
    assert "127.0.0.1 " not in listed  # the proxy's address is not the one counted


def test_an_import_uploaded_on_one_process_is_previewed_and_applied_on_others(cluster):
    one, two, three = cluster.apps
    data = "Código;Nombre\nNUEVA;Nueva Distribución S.L.\nOTRA;Otra S.A.\n".encode()
    with cluster.browser(one.url) as browser:
        sign_in(browser)
        uploaded = browser.post(
            "/imports/clients/",
            data={"csrfmiddlewaretoken": csrf(browser, "/imports/clients/")},
            files={"file": ("clientes.csv", data, "text/csv")},
        )
        job = uploaded.headers["Location"]
        preview = browser.get(f"{two.url}{job}")
        applied = browser.post(
            f"{three.url}{job}apply/", data={"csrfmiddlewaretoken": csrf(browser, job)}
        )
        result = browser.get(f"{cluster.url}{job}")

    assert uploaded.status_code == 302, uploaded.text[:2000]
    assert preview.status_code == 200
    assert "NUEVA" in preview.text
    assert applied.status_code == 302
    assert "Import finished." in result.text
    codes = live_query(cluster.env, "SELECT code FROM crm_client ORDER BY code")
    assert codes == [("ACME",), ("NUEVA",), ("OTRA",)]
