"""CPU time of a gunicorn server's workers over a window, counting the workers replaced in it.

Summing the CPU of the master's live children before and after a window undercounts, and can
go negative, when gunicorn replaces a worker in between (after ``max_requests``, or a crash):
the old worker's time leaves the sum. Once the master has reaped a child, the kernel adds the
child's CPU time to the master's ``cutime``/``cstime`` (``/proc/<pid>/stat``), so the live
workers' time plus the master's reaped children's time only grows. The benchmarks
(``tests/benchmarks/served.py``) take a :class:`WorkersCpu` before and after each window.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# fields of /proc/<pid>/stat after the command name, counted from 0 (proc(5) numbers them
# from 1 with the pid and the name first): utime, stime, cutime, cstime
_UTIME, _STIME, _CUTIME, _CSTIME = 11, 12, 13, 14
READ_ATTEMPTS = 20


@dataclass(frozen=True)
class WorkersCpu:
    """One reading: CPU seconds of each live worker by PID, and of the workers the master has
    already reaped (all of them together)."""

    live: Mapping[int, float] = field(default_factory=dict)
    reaped: float = 0.0

    @property
    def total(self) -> float:
        return self.reaped + sum(self.live.values())


@dataclass(frozen=True)
class CpuWindow:
    """What the workers spent between two readings, and which of them came and went."""

    seconds: float
    replaced: frozenset[int]  # workers live at the first reading and gone at the second
    started: frozenset[int]  # workers live at the second reading only


def cpu_between(before: WorkersCpu, after: WorkersCpu) -> CpuWindow:
    """The workers' CPU seconds from ``before`` to ``after``, replaced workers included.

    A worker live at both readings counts its growth; one replaced in between counts what it
    spent after ``before`` (its final time arrived in ``reaped``); one started in between
    counts all of its time. Raises ValueError if the readings go backwards, which consistent
    readings of one server in order never do."""
    spent = after.total - before.total
    if spent < 0 or after.reaped < before.reaped:
        raise ValueError(f"CPU time went backwards between readings ({spent:+.3f} s)")
    return CpuWindow(
        seconds=spent,
        replaced=frozenset(before.live.keys() - after.live.keys()),
        started=frozenset(after.live.keys() - before.live.keys()),
    )


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process (all its threads) has used so far (0 if gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[_UTIME]) + int(fields[_STIME])) / os.sysconf("SC_CLK_TCK")


def reaped_children_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the children a process has waited for (0 if gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[_CUTIME]) + int(fields[_CSTIME])) / os.sysconf("SC_CLK_TCK")


def read_workers_cpu(master: int, workers: Callable[[], Iterable[int]]) -> WorkersCpu:
    """A consistent reading of the workers of ``master`` (``workers()`` lists its live
    children): read again while the master reaps a child in the middle of a reading, which
    would count that child twice or not at all."""
    for _ in range(READ_ATTEMPTS):
        reaped = reaped_children_cpu_seconds(master)
        live = {pid: process_cpu_seconds(pid) for pid in workers()}
        if reaped_children_cpu_seconds(master) == reaped:
            return WorkersCpu(live, reaped)
    raise RuntimeError(f"process {master} reaped children during {READ_ATTEMPTS} readings")
