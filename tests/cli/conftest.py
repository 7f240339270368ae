"""What the command-line tests share: `hexa` run as a user runs it, in English, on a
database of the test module's own (tests/conftest.py's `live_database`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import live_database, run_hexa


@contextmanager
def english_database(folder: Path) -> Iterator[dict[str, str]]:
    """The environment of `hexa` processes on a fresh, migrated database, in English."""
    with live_database(folder) as env:
        env["HEXA_LANGUAGE"] = "en"
        yield env


@pytest.fixture(scope="module")
def env(request, tmp_path_factory) -> Iterator[dict[str, str]]:
    """The module's `hexa` environment: its own database with the demo loaded. Given a
    parameter (indirectly, as `sql_mode` does), it is HEXA_PREPARED_SQL."""
    with english_database(tmp_path_factory.mktemp("cli")) as env:
        if hasattr(request, "param"):
            env["HEXA_PREPARED_SQL"] = request.param
        run_hexa(env, "demo")
        yield env


# The quick log's statements compiled once (hexa.lib.prepared) and through the plain ORM, each
# on a database of its own: the command-line side of tests/conftest.py's `sql_modes`.
sql_modes = pytest.mark.parametrize(
    "env", ["true", "false"], ids=["prepared", "orm"], indirect=True, scope="module"
)
