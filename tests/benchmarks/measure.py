"""What every benchmark prints besides its numbers: the machine, how loaded it was, percentiles.

Our machines are shared, so a number means little without the load it was measured under: each
benchmark prints :func:`machine_line` at the start and :func:`load_line` before and after.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0..100) percentile, nearest rank: p99 of 500 values is the 495th."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 100)))  # ceil without floats drifting
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed_calls(call: Callable[[int], object], times: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each of ``call(0)`` ... ``call(times - 1)``.

    On a shared machine a process waits for a core as well as working: CPU time is what the
    call itself costs, wall time what a caller waited.
    """
    wall, cpu = [], []
    for index in range(times):
        began, began_cpu = time.perf_counter(), time.process_time()
        call(index)
        cpu.append(time.process_time() - began_cpu)
        wall.append(time.perf_counter() - began)
    return wall, cpu


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The shortest wall-clock seconds of ``runs`` calls of ``work()``."""
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        timings.append(time.perf_counter() - began)
    return min(timings)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def machine_line() -> str:
    """One line naming the machine, so a reader can compare runs across machines."""
    return (
        f"machine: {os.cpu_count()} x {cpu_model()}, {memory_gib():.0f} GiB RAM, "
        f"Linux {platform.release()}, Python {sys.version.split()[0]}; "
        f"{datetime.now(UTC).isoformat(timespec='seconds').replace('+00:00', 'Z')}"
    )


def load_line(moment: str) -> str:
    """The 1/5/15-minute load averages (what ``uptime`` shows), labelled with ``moment``."""
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {moment}: {one:.2f} {five:.2f} {fifteen:.2f} "
        f"(on {os.cpu_count()} cores; other jobs share this machine)"
    )


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def process_memory(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon and RssFile of a process, in KiB (empty if it is gone).

    RssFile counts pages of mapped files (the store's segments) that the page cache shares
    between processes; RssAnon is what the process holds privately.
    """
    wanted = ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem")
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in wanted:
                    found[key] = int(value.split()[0])
    except OSError:
        return {}
    return found
