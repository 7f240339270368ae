"""Latency samples summarised as throughput and percentiles."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    count: int
    elapsed: float  # seconds of wall time for all of them
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    @property
    def mean_ms(self) -> float:
        """Wall time per operation (for one caller at a time, the mean latency)."""
        return self.elapsed / self.count * 1000 if self.count else math.nan

    def as_dict(self) -> dict[str, float | None]:
        # Unrounded: the table and the progress lines format these same numbers, so they
        # always agree. No samples: None (JSON has no NaN).
        figures = {
            "count": self.count,
            "elapsed_s": self.elapsed,
            "per_second": self.per_second,
            "mean_ms": self.mean_ms,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
        }
        return {name: None if math.isnan(value) else value for name, value in figures.items()}


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (no interpolation: a real sample)."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize(latencies: list[float], elapsed: float) -> Summary:
    """`latencies` in seconds; `elapsed` is the wall time the whole batch took."""
    ordered = sorted(latencies)
    return Summary(
        count=len(ordered),
        elapsed=elapsed,
        p50_ms=percentile(ordered, 0.50) * 1000,
        p99_ms=percentile(ordered, 0.99) * 1000,
        max_ms=(ordered[-1] * 1000) if ordered else math.nan,
    )
