"""HEXA_PROXIES: the address that sign-in protection counts, behind reverse proxies or not."""

from __future__ import annotations

import os

from tests.conftest import run_hexa

SCRIPT = """
from django.test import RequestFactory
from hexa.crm.services.lockouts import client_address
for forwarded in ({forwarded}):
    meta = {{"REMOTE_ADDR": "10.0.0.2"}}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    print(client_address(RequestFactory().get("/", **meta)))
"""

FORWARDED = ["", "203.0.113.7", "198.51.100.1, 203.0.113.7"]


def addresses(tmp_path, proxies: str | None) -> list[str]:
    env = {**os.environ, "HEXA_DATA_DIR": str(tmp_path)}
    env.pop("HEXA_PROXIES", None)
    if proxies is not None:
        env["HEXA_PROXIES"] = proxies
    script = SCRIPT.format(forwarded=", ".join(repr(value) for value in FORWARDED))
    done = run_hexa(env, "shell", "--no-imports", "-c", script)
    return done.stdout.split()


def test_without_proxies_the_address_is_the_connections_and_the_header_is_ignored(tmp_path):
    # Anyone can write X-Forwarded-For: trusting it would let a guesser pick a new address
    # for every attempt.
    assert addresses(tmp_path, None) == ["10.0.0.2", "10.0.0.2", "10.0.0.2"]


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(tmp_path):
    # The proxy appends the address it got the request from; what the client wrote itself
    # (198.51.100.1) is to its left and is ignored.
    assert addresses(tmp_path, "1") == ["10.0.0.2", "203.0.113.7", "203.0.113.7"]


def test_behind_two_proxies_the_address_is_the_one_the_first_proxy_saw(tmp_path):
    assert addresses(tmp_path, "2")[2] == "198.51.100.1"
