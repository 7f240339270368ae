"""Who used the CPUs during a measurement: the machine, our processes, everyone else.

On a small machine, a test run or a build next to the benchmark takes CPU from it and lowers
its figures; these readings (Linux /proc) show whether that happened.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Reading:
    wall: float
    machine_busy: float  # CPU seconds used by everything, all CPUs
    ours: float  # CPU seconds of this process and of the process trees we watch


@dataclass(frozen=True)
class Usage:
    """CPU use over an interval, in CPUs (1.0 = one CPU busy the whole time)."""

    machine: float
    ours: float
    cpus: int

    @property
    def others(self) -> float:
        return max(0.0, self.machine - self.ours)

    def as_dict(self) -> dict[str, float]:
        return {
            "machine_cpus_busy": self.machine,
            "benchmark_cpus": self.ours,
            "other_cpus": self.others,
            "cpus": self.cpus,
        }


def read(watched: list[int] | None = None) -> Reading | None:
    """Now; None where /proc is not there to tell."""
    if not (PROC / "stat").exists():
        return None
    ours = time.process_time() + sum(_tree_seconds(pid) for pid in watched or [])
    return Reading(wall=time.perf_counter(), machine_busy=_machine_busy(), ours=ours)


def usage(before: Reading | None, after: Reading | None) -> Usage | None:
    if before is None or after is None or after.wall <= before.wall:
        return None
    span = after.wall - before.wall
    return Usage(
        machine=(after.machine_busy - before.machine_busy) / span,
        ours=(after.ours - before.ours) / span,
        cpus=os.cpu_count() or 1,
    )


def _machine_busy() -> float:
    # cpu  user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    fields = [int(value) for value in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / TICKS


def _tree_seconds(pid: int) -> float:
    """CPU seconds of `pid` and its descendants that are alive now."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        # Fields after the parenthesised command: utime and stime are the 12th and 13th.
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICKS
        children = (PROC / str(pid) / "task" / str(pid) / "children").read_text().split()
    except (OSError, IndexError, ValueError):
        return 0.0
    return seconds + sum(_tree_seconds(int(child)) for child in children)
