"""Real serving processes for the HTTP benchmarks: ``asia-beacon serve`` (gunicorn) and any
other command, started, timed until they answer, inspected for memory, and stopped.

Servers run with this checkout on ``PYTHONPATH`` (never an installed copy), their output goes
to a log file, and only the processes started here are ever signalled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from measure import process_memory

REPO = Path(__file__).resolve().parents[2]
sys.path.append(str(REPO / "tests"))  # worker_cpu is tested with the test suite

from worker_cpu import CpuWindow, WorkersCpu, cpu_between, read_workers_cpu  # noqa: E402

BEACON_CLI = [sys.executable, "-c", "from app.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int, workers: int) -> list[str]:
    """The options every serving command takes: where to listen, how many workers."""
    return ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


def beacon_command(uri: str, port: int, workers: int) -> list[str]:
    """``asia-beacon serve`` as a user runs it (gunicorn, its request-buffering gthread
    workers: app/serving.py)."""
    return [*BEACON_CLI, "serve", *listening(port, workers), "--mongo-uri", uri]


def hub_command(nodes_file: Path, port: int, workers: int) -> list[str]:
    """``asia-beacon hub`` over the registry of nodes in ``nodes_file``."""
    return [*BEACON_CLI, "hub", "--nodes", str(nodes_file), *listening(port, workers)]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    started_at: float  # time.perf_counter() just before the process was started
    log_path: Path

    def seconds_until(self, path: str, timeout: float = 120.0, interval: float = 0.005) -> float:
        """Seconds from the process start until ``GET path`` answers 200 (polled)."""
        deadline = time.perf_counter() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=5) as answer:
                    if answer.status == 200:
                        answer.read()
                        return time.perf_counter() - self.started_at
            except (OSError, urllib.error.URLError):
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no answer from {path} after {timeout} s; see {self.log_path}")
            time.sleep(interval)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the master process (the one started here)."""
        return children_of(self.process.pid)

    def worker_memory(self) -> dict[int, dict[str, int]]:
        return {pid: process_memory(pid) for pid in self.worker_pids()}

    def workers_cpu(self) -> WorkersCpu:
        """CPU time of the workers so far, those already replaced included: over a window,
        per request, it is what the server spent on each request however loaded the machine
        was (:meth:`cpu_since`)."""
        return read_workers_cpu(self.process.pid, self.worker_pids)

    def cpu_since(self, before: WorkersCpu) -> CpuWindow:
        """The workers' CPU seconds since ``before``, and the workers replaced meanwhile."""
        return cpu_between(before, self.workers_cpu())

    def workers_cpu_seconds(self) -> float:
        """CPU seconds the workers used so far, those already replaced included."""
        return self.workers_cpu().total

    def wait_until_idle(self, quiet: float = 0.3, timeout: float = 300.0) -> float:
        """Wait until the workers spend under a clock tick of CPU in ``quiet`` seconds, and
        return the seconds waited. wrk stops at the end of its duration without waiting for
        the answers in flight, which the workers still compute: a run of slow queries would
        otherwise bill them to the next run."""
        began = time.perf_counter()
        last = self.workers_cpu_seconds()
        while True:
            time.sleep(quiet)
            now = self.workers_cpu_seconds()
            if now - last < 0.01:
                return time.perf_counter() - began
            if time.perf_counter() - began > timeout:
                raise RuntimeError(f"the workers were still busy after {timeout} s")
            last = now


def children_of(pid: int) -> list[int]:
    children: list[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as handle:
            return sorted(int(child) for child in handle.read().split())
    except OSError:
        pass
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return sorted(children)


@contextmanager
def serving(
    command: list[str],
    port: int,
    log_path: Path,
    environment: Mapping[str, str] | None = None,
    ready_path: str | None = "/healthz",
) -> Iterator[Server]:
    """Start ``command`` (which listens on ``port``), wait for ``ready_path`` (unless None),
    and stop it after."""
    env = {**os.environ, **(environment or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        started_at = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", started_at, log_path)
    try:
        if ready_path is not None:
            server.seconds_until(ready_path)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn stops its workers gracefully), SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
