"""``asia-beacon serve`` as an operator runs it: a real gunicorn master with two workers on a
free local port, answering, logging a JSON access line per request, and stopping cleanly on
SIGTERM (what Docker and Kubernetes send)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# the console script's entry point, run from this checkout whatever is installed
ASIA_BEACON = [sys.executable, "-c", "from app.cli import main; main(prog_name='asia-beacon')"]
START_SECONDS = 30
STOP_SECONDS = 30


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    stdout: Path
    stderr: Path

    def lines(self, path: Path) -> list[dict]:
        """The JSON lines written so far (the CLI's plain warning line is skipped)."""
        return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.status, dict(answer.headers), json.loads(answer.read())


def start_serve(directory: Path, **settings: str) -> Server:
    """``asia-beacon serve`` with two workers on a free port, with extra environment settings
    and none of the machine's."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ASIA_BEACON_")
        and key not in ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(settings)
    stdout, stderr = directory / "stdout.log", directory / "stderr.log"
    command = [
        *ASIA_BEACON,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--mongo-uri",
        "mongomock://localhost/x",
    ]
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=out, stderr=err)
    return Server(process, f"http://127.0.0.1:{port}", stdout, stderr)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = start_serve(tmp_path)
    try:
        _wait_until_it_answers(running)
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def _wait_until_it_answers(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"serve exited with {server.process.returncode}: {server.stderr.read_text()}"
            )
        try:
            get(f"{server.url}/healthz")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"serve did not answer within {START_SECONDS} s: {server.stderr.read_text()}")


def test_serve_answers_logs_and_stops_on_sigterm(server):
    status, _, health = get(f"{server.url}/healthz")
    assert (status, health) == (200, {"status": "ok"})
    assert get(f"{server.url}/readyz")[2] == {"status": "ready"}
    status, headers, info = get(f"{server.url}/info", {"X-Request-ID": "deploy-test-1"})
    assert status == 200
    assert headers["X-Request-ID"] == "deploy-test-1"
    assert info["response"]["id"] == info["meta"]["beaconId"]

    access = _access_line(server, "deploy-test-1")
    assert access["path"] == "/info"
    assert access["status"] == 200
    assert access["method"] == "GET"
    assert access["bytes"] > 0
    assert access["milliseconds"] >= 0

    errors = server.lines(server.stderr)
    booted = {line["message"] for line in errors if line["message"].startswith("Booting worker")}
    assert len(booted) == 2
    assert {line["logger"] for line in errors} >= {"gunicorn.error", "asia_beacon.requests"}

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=STOP_SECONDS) == 0
    messages = [line["message"] for line in server.lines(server.stderr)]
    assert messages[-1] == "Shutting down: Master"


def _access_line(server: Server, request_id: str) -> dict:
    """gunicorn writes the access line once the answer is sent: wait a moment for it."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [line for line in server.lines(server.stdout) if line["requestId"] == request_id]
        if found:
            (line,) = found
            return line
        time.sleep(0.1)
    pytest.fail(f"no access line with request id {request_id}: {server.stdout.read_text()}")


def test_a_worker_that_cannot_start_stops_the_server(tmp_path):
    """Contradicting settings fail in each worker; gunicorn then exits (code 3) rather than
    restarting workers forever, so an orchestrator sees the failure."""
    server = start_serve(
        tmp_path, ASIA_BEACON_MAX_GRANULARITY="count", ASIA_BEACON_DEFAULT_GRANULARITY="record"
    )
    try:
        assert server.process.wait(timeout=START_SECONDS) == 3
    finally:
        if server.process.poll() is None:
            server.process.kill()
    errors = server.stderr.read_text()
    assert "DEFAULT_GRANULARITY must not exceed MAX_GRANULARITY" in errors
    assert "Worker failed to boot" in errors
    plain = [line for line in errors.splitlines() if not line.startswith("{")]
    assert not any(line.startswith("Traceback") for line in plain)  # only gunicorn's JSON lines
