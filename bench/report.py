"""The final table, and the same results as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# The targets. Throughput and latency targets are set for SQLite only; the
# domain/floor ratio and zero failed requests hold for both engines.
MAX_DOMAIN_FLOOR_RATIO = 3.0
SQLITE_MIN_HTTP_PER_SECOND = 300.0
SQLITE_MAX_HTTP_P99_MS = 50.0
# Exports stream: whatever the number of rows, they take no more memory than this.
MAX_EXPORT_GROWTH_MB = 100.0


@dataclass(frozen=True)
class Row:
    database: str
    measurement: str
    per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    figure: str = ""  # anything that is not a rate or a latency
    # CPUs that other processes used meanwhile (PostgreSQL's server counts as other): a busy
    # neighbour lowers the figures.
    others_cpus: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target


def rows_for(engine: str, result: dict[str, Any]) -> list[Row]:
    """The table's rows for one engine's results (see bench.cli for their shape)."""
    data = result["dataset"]
    counts = data["counts"]
    rows = [
        Row(
            engine,
            f"dataset build ({counts['clients']:,} clients, {counts['dedications']:,} ded.)",
            figure=f"{data['seconds']['total']:.1f} s",
        ),
        _rate_row(engine, "domain quick_log(), in-process", result["domain"]),
        _rate_row(engine, f"SQL floor ({_driver(engine)}), in-process", result["floor"]),
        Row(
            engine,
            "domain / floor, time per quick log",
            figure=f"{result['ratio']:.1f}x",
            target=f"<= {MAX_DOMAIN_FLOOR_RATIO:.0f}x",
            met=result["ratio"] <= MAX_DOMAIN_FLOOR_RATIO,
        ),
    ]
    if "reports" in result:
        rows += _report_rows(engine, result["reports"])
    rows += [_http_row(engine, run) for run in result["http_runs"]]
    return rows


def _report_rows(engine: str, reports: dict[str, Any]) -> list[Row]:
    """Grouped totals, the chart and the report page (median of 5, `p50 ms`), then the
    exports of every dedication (one run each; time, size and peak memory in `other`)."""
    grouped = reports["grouped"]
    count = grouped["dedications"]
    rows = [
        Row(
            engine,
            f"report totals by {group_by} ({count:,} ded.)",
            p50_ms=figures["median_ms"],
            figure=f"{figures['queries']} query, {figures['groups']:,} groups",
        )
        for group_by, figures in grouped["totals"].items()
    ]
    chart = grouped["chart"]
    rows.append(
        Row(
            engine,
            "report chart, months x clients",
            p50_ms=chart["median_ms"],
            figure=f"{chart['queries']} queries",
        )
    )
    rows += [
        Row(
            engine,
            f"report page, {label}",
            p50_ms=figures["median_ms"],
            figure=f"{figures['queries']} queries",
        )
        for label, figures in grouped["pages"].items()
    ]
    for kind in ("csv", "xlsx"):
        if kind not in reports:
            continue
        export = reports[kind]
        rows.append(
            Row(
                engine,
                f"{kind.upper()} export, {export['rows']:,} rows",
                figure=(
                    f"{export['seconds']:.1f} s ({export['rows_per_second']:,.0f} rows/s), "
                    f"{export['megabytes']:.0f} MB, first byte "
                    f"{export['first_byte_ms']:.0f} ms, peak RSS {export['peak_rss_mb']:.0f} MB "
                    f"({export['peak_growth_mb']:+.0f})"
                ),
                target=f"peak RSS growth < {MAX_EXPORT_GROWTH_MB:.0f} MB",
                met=export["peak_growth_mb"] < MAX_EXPORT_GROWTH_MB,
            )
        )
    return rows


def _driver(engine: str) -> str:
    return "sqlite3" if engine == "sqlite" else "psycopg"


def _rate_row(engine: str, label: str, figures: dict[str, Any]) -> Row:
    return Row(
        engine,
        label,
        per_second=figures["per_second"],
        p50_ms=figures["p50_ms"],
        p99_ms=figures["p99_ms"],
        others_cpus=_others(figures),
    )


def _others(figures: dict[str, Any]) -> float | None:
    return figures["cpu"]["other_cpus"] if figures.get("cpu") else None


def _http_row(engine: str, run: dict[str, Any]) -> Row:
    label = f"HTTP, {run['workers']} workers, {run['concurrency']} clients"
    failures = run["non_201"]
    if engine == "sqlite":
        target = (
            f">= {SQLITE_MIN_HTTP_PER_SECOND:.0f}/s, p99 < {SQLITE_MAX_HTTP_P99_MS:.0f} ms, "
            "0 non-201"
        )
        met = (
            run["per_second"] >= SQLITE_MIN_HTTP_PER_SECOND
            and run["p99_ms"] is not None  # None: not a single answer
            and run["p99_ms"] < SQLITE_MAX_HTTP_P99_MS
            and failures == 0
        )
    else:
        target, met = "0 non-201", failures == 0
    return Row(
        engine,
        label,
        per_second=run["per_second"],
        p50_ms=run["p50_ms"],
        p99_ms=run["p99_ms"],
        figure=f"{failures} non-201",
        target=target,
        met=met,
        others_cpus=_others(run),
    )


def table(rows: list[Row]) -> str:
    header = (
        "database",
        "measurement",
        "logs/s",
        "p50 ms",
        "p99 ms",
        "CPUs others",
        "other",
        "target",
        "met",
    )
    lines = [
        (
            row.database,
            row.measurement,
            _number(row.per_second, "{:,.0f}"),
            _number(row.p50_ms, "{:.2f}"),
            _number(row.p99_ms, "{:.2f}"),
            _number(row.others_cpus, "{:.2f}"),
            row.figure,
            row.target or "-",
            {True: "yes", False: "NO", None: "-"}[row.met],
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    numeric = {2, 3, 4, 5}  # right-aligned columns

    def render(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(cells) for cells in lines)])


def _number(value: float | None, spec: str) -> str:
    return "" if value is None else spec.format(value)


def write_json(path: Path, results: dict[str, Any], rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**results, "table": [asdict(row) for row in rows]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
