"""Quick logs sent under load through real HTTP, for the fault, backup and several-server tests.

Each quick log carries an Idempotency-Key of its own and a text of its own, so that what the
database holds can be matched against what was sent: every key must end in exactly one
dedication, whatever the answers on the way were (503 while the database is away, a dropped
connection while an app process is killed).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from tests.conftest import live_query, run_hexa

PASSWORD = "pw-Secret-123"


@dataclass
class Sent:
    key: str
    text: str
    answers: list[int | str] = field(default_factory=list)  # status codes, or the error's name

    @property
    def body(self) -> dict[str, str]:
        return {"text": self.text, "employee": "ANA"}


def prepare(env: dict[str, str], client_code: str = "ACME") -> str:
    """A manager `ana` (password PASSWORD) with her employee ANA, a client; her API token."""
    run_hexa(
        {**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        "createsuperuser", "--noinput", "--username", "ana", "--email", "ana@example.com",
    )  # fmt: skip
    token = run_hexa(env, "token", "create", "ana").stdout.strip()
    script = (
        "from django.contrib.auth.models import User; "
        "from hexa.crm.models import Client, Employee; "
        "Employee.objects.create(code='ANA', name='Ana', user=User.objects.get(username='ana')); "
        f"Client.objects.create(code='{client_code}', name='{client_code} S.L.')"
    )
    run_hexa(env, "shell", "--no-imports", "-c", script)
    return token


def api(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def send(client: httpx.Client, sent: Sent, client_code: str = "ACME") -> httpx.Response | None:
    try:
        response = client.post(
            f"/clients/{client_code}/quick-log",
            json=sent.body,
            headers={"Idempotency-Key": sent.key},
        )
    except httpx.TransportError as error:  # an app process killed mid-request
        sent.answers.append(type(error).__name__)
        return None
    sent.answers.append(response.status_code)
    return response


class Load:
    """`threads` threads sending new quick logs one after another until stop()."""

    def __init__(self, url: str, token: str, threads: int = 3, client_code: str = "ACME") -> None:
        self.url, self.token, self.client_code = url, token, client_code
        self.sent: list[Sent] = []
        self.unexpected: list[str] = []
        self._stop = threading.Event()
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        with api(self.url, self.token) as client:
            while not self._stop.is_set():
                with self._lock:
                    sent = Sent(key=uuid.uuid4().hex, text=f"Call {next(self._numbers)}")
                    self.sent.append(sent)
                response = send(client, sent, self.client_code)
                if response is not None and response.status_code not in (201, 503):
                    self.unexpected.append(f"{response.status_code} {response.text[:300]}")
                if response is None or response.status_code != 201:
                    time.sleep(0.05)

    def count(self, answer: int | str) -> int:
        with self._lock:
            return sum(sent.answers.count(answer) for sent in self.sent)

    def wait_for(self, answer: int | str, more: int = 1, seconds: float = 60) -> None:
        """Until `more` answers `answer` have come back from now on."""
        target = self.count(answer) + more
        deadline = time.monotonic() + seconds
        while self.count(answer) < target:
            assert time.monotonic() < deadline, f"no {answer} within {seconds} s: {self.summary()}"
            time.sleep(0.05)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def summary(self) -> Counter:
        return Counter(answer for sent in self.sent for answer in sent.answers)

    def finish(self, url: str | None = None, seconds: float = 60) -> None:
        """Send every quick log that got no 201 again, with its key, until it gets one (as a
        client retrying would): a replay if its first try was written after all."""
        deadline = time.monotonic() + seconds
        with api(url or self.url, self.token) as client:
            for sent in self.sent:
                while 201 not in sent.answers:
                    assert time.monotonic() < deadline, f"{sent} never succeeded"
                    if (response := send(client, sent, self.client_code)) is None or (
                        response.status_code != 201
                    ):
                        time.sleep(0.2)


def assert_each_once(env: dict[str, str], sent: list[Sent]) -> None:
    """Every quick log sent is in the database exactly once, with its key, and nothing else
    is: no dedication lost, none doubled, none half-written."""
    texts = Counter(text for (text,) in live_query(env, "SELECT text FROM crm_dedication"))
    keys = dict(live_query(env, "SELECT key, dedication_id FROM crm_idempotencykey"))
    doubled = {text: n for text, n in texts.items() if n > 1}
    assert not doubled, f"doubled: {doubled}"
    assert set(texts) == {s.text for s in sent}
    assert set(keys) == {s.key for s in sent}
    assert len(set(keys.values())) == len(sent)
    # Each dedication is whole: on a task of a project of the client, by the employee.
    broken = live_query(
        env,
        "SELECT COUNT(*) FROM crm_dedication d "
        "LEFT JOIN crm_task t ON t.id = d.task_id LEFT JOIN crm_project p ON p.id = t.project_id "
        "LEFT JOIN crm_employee e ON e.id = d.employee_id "
        "WHERE t.id IS NULL OR p.client_id <> d.client_id OR e.code <> 'ANA'",
    )
    assert broken == [(0,)]


@contextmanager
def signed_in(url: str, username: str = "ana", password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A browser signed in through `url` (its session cookie works on any app process)."""
    with httpx.Client(base_url=url, headers={"Accept-Language": "en"}, timeout=30) as browser:
        yield sign_in(browser, username, password)


def sign_in(browser: httpx.Client, username: str = "ana", password: str = PASSWORD):
    page = browser.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = browser.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
    )
    assert answer.status_code == 302, answer.text
    return browser
