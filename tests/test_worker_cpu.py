"""The benchmarks' accounting of gunicorn workers' CPU time when workers are replaced
(tests/worker_cpu.py), on readings made up and on real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from worker_cpu import WorkersCpu, cpu_between, process_cpu_seconds, read_workers_cpu

# A master that forks a worker burning CPU, reaps it when it exits, then starts another and
# waits: what gunicorn does when it replaces a worker after max_requests.
MASTER = """
import os, sys, time

def worker(seconds):
    began = time.process_time()
    while time.process_time() - began < seconds:
        pass
    os._exit(0)

first = os.fork()
if first == 0:
    worker(0.6)
print(first, flush=True)
sys.stdin.readline()
os.waitpid(first, 0)
second = os.fork()
if second == 0:
    worker(0.2)
print(second, flush=True)
sys.stdin.readline()
"""


def test_a_replaced_worker_still_counts_what_it_spent() -> None:
    before = WorkersCpu({101: 2.0, 102: 3.0}, reaped=0.5)
    # 101 spent 0.5 s more, exited and was reaped (2.5 s in all); 103 replaced it
    after = WorkersCpu({102: 4.0, 103: 0.25}, reaped=3.0)

    window = cpu_between(before, after)

    assert window.seconds == pytest.approx(0.5 + 1.0 + 0.25)
    assert window.replaced == {101}
    assert window.started == {103}


def test_no_replacement_counts_the_growth_of_each_worker() -> None:
    window = cpu_between(WorkersCpu({7: 1.0, 8: 1.0}), WorkersCpu({7: 1.5, 8: 1.25}))

    assert window.seconds == pytest.approx(0.75)
    assert window.replaced == window.started == frozenset()


def test_readings_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="backwards"):
        cpu_between(WorkersCpu({7: 2.0}, reaped=1.0), WorkersCpu({7: 1.0}, reaped=1.0))


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the worker took over a minute"
        time.sleep(0.01)


def exited(pid: int) -> bool:
    """Whether a child has exited (a zombie until its parent waits for it)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] == "Z"


def test_real_processes_a_worker_replaced_mid_window() -> None:
    master = subprocess.Popen(
        [sys.executable, "-c", MASTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert master.stdin is not None and master.stdout is not None
    try:
        first = int(master.stdout.readline())
        workers = {first}
        wait_for(lambda: process_cpu_seconds(first) >= 0.4)
        before = read_workers_cpu(master.pid, lambda: sorted(workers))
        master.stdin.write("\n")  # the master reaps the first worker when it is done
        master.stdin.flush()
        second = int(master.stdout.readline())
        workers = {second}
        wait_for(lambda: exited(second))
        after = read_workers_cpu(master.pid, lambda: sorted(workers))
        master.stdin.write("\n")
        master.stdin.flush()
        master.wait(timeout=30)
    finally:
        master.kill()
        master.wait()

    window = cpu_between(before, after)

    # the sum over live workers, as the benchmarks took it, went negative (0.2 s - 0.4 s)
    assert sum(after.live.values()) - sum(before.live.values()) < 0
    assert window.replaced == {first}
    assert window.started == {second}
    # what the first worker spent after the reading, and all of the second's, within the
    # clock's ticks (10 ms) and what a forked interpreter spends exiting
    expected = 0.6 - before.live[first] + 0.2
    assert window.seconds == pytest.approx(expected, abs=0.15)
