"""`python -m bench.reports TASK RESULT_PATH`: the reports at the benchmark dataset's size.

bench.cli runs it after bench.inprocess, on the same database (the dataset and the quick
logs just timed), once per TASK, each in a fresh process: its peak memory (ru_maxrss, which
only grows) is then its own, not the dataset build's.

- `grouped`: the totals per client, project, employee, week and month over every dedication
  (one query each), the chart, and the report page as a signed-in browser gets it, with its
  number of queries;
- `csv`: every dedication exported as CSV through the report's download, streamed;
- `xlsx`: the same download as an XLSX workbook.

Pages and downloads go through Django's test client: URL routing, middleware, the view and
its template, as a request to the server would, minus the network.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

REPEATS = 5
GROUPINGS = ("client", "project", "employee", "week", "month")
USERNAME = "bench-reports"
# The report page as one opens it, over the current year and over all time.
PAGES = {
    "this year": "/reports/?period=this_year&group_by=client&stack=client",
    "all time, by month": "/reports/?period=all&group_by=month&chart=month&stack=employee",
}
EXPORTS = {
    "csv": "/reports/export/?period=all&format=csv",
    "xlsx": "/reports/export/?period=all&format=xlsx",
}


def peak_rss_mb() -> float:
    """The most memory this process has held so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(work: Callable[[], Any], repeats: int = REPEATS) -> dict[str, float]:
    """Median and slowest of `repeats` runs after one untimed warm-up (caches, imports)."""
    work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(times), "max_ms": max(times)}


class QueryCount:
    """Counts the SQL statements run inside it, requests included (CaptureQueriesContext
    cannot: each request empties the connection's log when it starts)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCount:
        from django.db import connection

        self._wrapping = connection.execute_wrapper(self)
        self._wrapping.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapping.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def _web_client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def grouped() -> dict[str, Any]:
    from hexa.crm.models import Dedication
    from hexa.crm.services import reports

    everything = reports.ReportFilters()
    result: dict[str, Any] = {"dedications": Dedication.objects.count(), "totals": {}}
    for group_by in GROUPINGS:
        with QueryCount() as queries:
            groups = len(reports.totals(everything, group_by=group_by).rows)
        figures = _timed(lambda group_by=group_by: reports.totals(everything, group_by=group_by))
        result["totals"][group_by] = {**figures, "groups": groups, "queries": len(queries)}
        print(
            f"  report totals by {group_by}: {figures['median_ms']:.0f} ms "
            f"({groups:,} groups, {len(queries)} query)",
            flush=True,
        )
    with QueryCount() as queries:
        reports.chart(everything, stack_by="client")
    result["chart"] = {
        **_timed(lambda: reports.chart(everything, stack_by="client")),
        "queries": len(queries),
    }
    print(
        f"  report chart by month and client: {result['chart']['median_ms']:.0f} ms "
        f"({len(queries)} queries)",
        flush=True,
    )
    client = _web_client()
    result["pages"] = {}
    for label, path in PAGES.items():

        def page(path: str = path) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")

        with QueryCount() as queries:
            page()
        figures = _timed(page)
        result["pages"][label] = {**figures, "queries": len(queries)}
        print(
            f"  report page, {label}: {figures['median_ms']:.0f} ms ({len(queries)} queries)",
            flush=True,
        )
    return result


def export(kind: str) -> dict[str, Any]:
    """One download of every dedication: its time, its size, and the memory it took."""
    from hexa.crm.models import Dedication

    client = _web_client()
    expected = Dedication.objects.count()
    client.get("/reports/export/?period=this_week&format=" + kind)  # imports, templates
    baseline = peak_rss_mb()
    # The workbook goes to disk to be checked, not to memory: this process's memory is what
    # is measured.
    with tempfile.TemporaryFile() as kept:
        started = time.perf_counter()
        response = client.get(EXPORTS[kind])
        first_byte: float | None = None
        size = 0
        lines = 0
        for piece in response.streaming_content:
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(piece)
            if kind == "xlsx":
                kept.write(piece)
            else:
                lines += piece.count(b"\n")
        elapsed = time.perf_counter() - started
        peak = peak_rss_mb()
        response.close()
        # Not a timing check: an export that lost rows would make its figures meaningless.
        if kind == "csv" and lines - 1 != expected:
            raise RuntimeError(f"the CSV has {lines - 1} rows for {expected} dedications")
        if kind == "xlsx":
            with zipfile.ZipFile(kept) as workbook:
                if workbook.testzip() is not None:
                    raise RuntimeError("the XLSX download is not a valid workbook")
    result = {
        "rows": expected,
        "seconds": elapsed,
        "first_byte_ms": (first_byte or 0) * 1000,
        "megabytes": size / 1e6,
        "rows_per_second": expected / elapsed if elapsed else 0,
        "peak_rss_mb": peak,
        "baseline_rss_mb": baseline,
        "peak_growth_mb": peak - baseline,
    }
    print(
        f"  {kind.upper()} export of {expected:,} rows: {elapsed:.1f} s "
        f"({result['rows_per_second']:,.0f} rows/s, first byte after "
        f"{result['first_byte_ms']:.0f} ms), {result['megabytes']:.1f} MB; peak memory "
        f"{peak:.0f} MB, {result['peak_growth_mb']:+.0f} MB over the {baseline:.0f} MB before it",
        flush=True,
    )
    return result


def main(argv: list[str]) -> None:
    task, out = argv[1], Path(argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexa.settings")
    django.setup()
    from django.conf import settings

    # Static addresses without collectstatic's manifest (which `hexa serve` makes), as in
    # the tests: what a page costs does not depend on it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    result = grouped() if task == "grouped" else export(task)
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
