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
from slow_clients import slowloris

REPO_ROOT = Path(__file__).resolve().parents[2]
# the console script's entry point, run from this checkout whatever is installed
ASIA_BEACON = [sys.executable, "-c", "from app.cli import main; main(prog_name='asia-beacon')"]
START_SECONDS = 30
STARTUP_LOGGER = "asia_beacon.startup"
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


def start_command(
    directory: Path, arguments: list[str], workers: int = 2, **settings: str
) -> Server:
    """``asia-beacon <arguments>`` (serve or hub) with ``workers`` workers on a free port, with
    extra environment settings and none of the machine's; its data directory is in
    ``directory``."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ASIA_BEACON_")
        and key not in ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["ASIA_BEACON_DATA_DIR"] = str(directory / "data")
    env.update(settings)
    stdout, stderr = directory / "stdout.log", directory / "stderr.log"
    command = [
        *ASIA_BEACON,
        *arguments,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=out, stderr=err)
    return Server(process, f"http://127.0.0.1:{port}", stdout, stderr)


def start_serve(directory: Path, workers: int = 2, **settings: str) -> Server:
    arguments = ["serve", "--mongo-uri", "mongomock://localhost/x"]
    return start_command(directory, arguments, workers, **settings)


def stopped(server: Server) -> None:
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = start_serve(tmp_path)
    try:
        _wait_until_it_answers(running)
        yield running
    finally:
        stopped(running)


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
    beacon_id = info["response"]["id"]
    assert beacon_id == info["meta"]["beaconId"]
    # no identity was configured: a placeholder, said on stderr and in the server log
    assert beacon_id.startswith("unconfigured.")
    plain = [line for line in server.stderr.read_text().splitlines() if not line.startswith("{")]
    assert [line for line in plain if line.startswith("warning: identity not configured")]

    access = _access_line(server, "deploy-test-1")
    assert access["path"] == "/info"
    assert access["status"] == 200
    assert access["method"] == "GET"
    assert access["bytes"] > 0
    assert access["milliseconds"] >= 0

    errors = server.lines(server.stderr)
    booted = {line["message"] for line in errors if line["message"].startswith("Booting worker")}
    assert len(booted) == 2
    loggers = {line["logger"] for line in errors}
    # one line per request: gunicorn's access line, not a second one of the application's
    assert "gunicorn.error" in loggers and "asia_beacon.requests" not in loggers
    logged = _startup_lines(server, workers=2)  # each worker says it
    assert all(beacon_id in line["message"] and line["level"] == "warning" for line in logged)

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=STOP_SECONDS) == 0
    messages = [line["message"] for line in server.lines(server.stderr)]
    assert messages[-1] == "Shutting down: Master"


def _startup_lines(server: Server, workers: int) -> list[dict]:
    """The start-up warnings, once every worker (the second may still be starting) wrote its."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        lines = [line for line in server.lines(server.stderr) if line["logger"] == STARTUP_LOGGER]
        if len(lines) >= workers or time.monotonic() > deadline:
            assert len(lines) == workers, lines
            return lines
        time.sleep(0.1)


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


def test_a_bad_setting_stops_serve_before_the_port_is_bound(tmp_path):
    """A partial ACCESS_GRANULARITY is found by serve itself, before gunicorn starts: one line
    naming the variable, exit code 2, no worker traceback, nothing ever listening."""
    server = start_serve(tmp_path, ASIA_BEACON_ACCESS_GRANULARITY="PUBLIC=count")
    try:
        assert server.process.wait(timeout=START_SECONDS) == 2
    finally:
        stopped(server)
    assert server.stderr.read_text().splitlines() == [
        "error: ASIA_BEACON_ACCESS_GRANULARITY: must give each of PUBLIC, REGISTERED, "
        "CONTROLLED (as PUBLIC=count,REGISTERED=count,CONTROLLED=record); it gives PUBLIC"
    ]
    assert server.stdout.read_text() == ""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(server.url.rpartition(":")[2])), timeout=2)


def test_gunicorn_with_the_config_file_refuses_a_bad_setting_before_binding(tmp_path):
    """``gunicorn -c deploy/gunicorn.conf.py`` checks the settings as serve does."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASIA_BEACON_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        ASIA_BEACON_DATA_DIR=str(tmp_path / "data"),
        ASIA_BEACON_BIND=f"127.0.0.1:{port}",
        ASIA_BEACON_DEFAULT_PAGE_SIZE="ten",
    )
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: ASIA_BEACON_DEFAULT_PAGE_SIZE: must be a whole number, not 'ten'"
    ]


def test_two_nodes_and_a_hub_on_one_machine_without_identities_are_three_beacons(tmp_path):
    """The first hour: two nodes over their own data directories and a hub over both, none of
    them configured. Each presents its own placeholder id, so the hub asks both nodes instead
    of taking them for itself."""
    started: list[Server] = []
    try:
        for name in ("first", "second"):
            (tmp_path / name).mkdir()
            started.append(start_serve(tmp_path / name, workers=1))
            # one after the other: a port is free for the next only once this one holds its own
            _wait_until_it_answers(started[-1])
        registry = tmp_path / "nodes.json"
        entries = [
            {"id": name, "url": node.url, "country": "JP"}
            for name, node in zip(("first", "second"), started, strict=True)
        ]
        registry.write_text(json.dumps({"nodes": entries}))
        (tmp_path / "hub").mkdir()
        hub = start_command(tmp_path / "hub", ["hub", "--nodes", str(registry)], workers=1)
        started.append(hub)
        _wait_until_it_answers(hub)
        assert all(server.process.poll() is None for server in started)  # each bound its port
        node_ids = [get(f"{node.url}/info")[2]["meta"]["beaconId"] for node in started[:2]]
        deadline = time.monotonic() + START_SECONDS
        while True:
            info = get(f"{hub.url}/info")[2]
            reports = info["response"]["info"]["network"]["nodes"]
            if all(report["metadataReadAt"] for report in reports):
                break
            assert time.monotonic() < deadline, reports
            time.sleep(0.2)
    finally:
        for server in started:
            stopped(server)
    hub_id = info["meta"]["beaconId"]
    assert len({*node_ids, hub_id}) == 3
    assert all(beacon_id.startswith("unconfigured.") for beacon_id in (*node_ids, hub_id))
    assert [(report["beaconId"], report["status"]) for report in reports] == [
        (node_ids[0], "healthy"),
        (node_ids[1], "healthy"),
    ]


def test_slow_requests_hold_no_thread_and_are_cut_off(tmp_path):
    """A bounded slowloris: 32 connections (four times the 2 x 4 threads), half sending one
    header line every half second, half a whole head and then one byte of the body. /healthz
    answers throughout, and each slow client is answered 408 and closed once its request is
    overdue, not before."""
    read_timeout = 2
    server = start_serve(tmp_path, ASIA_BEACON_REQUEST_READ_TIMEOUT=str(read_timeout))
    try:
        _wait_until_it_answers(server)
        _startup_lines(server, workers=2)  # both workers serve: the clients reach each
        run = slowloris(
            _port(server), heads=16, bodies=16, interval=0.5, seconds=4.5, probe_every=0.25
        )
    finally:
        stopped(server)
    assert len(run.probes) >= 10
    assert [probe for probe in run.probes if not probe.answered] == []
    assert (len(run.cut_off("head")), len(run.cut_off("body"))) == (16, 16)
    for client in run.clients:
        assert client.status_line == "HTTP/1.1 408 Request Timeout"
        # the sweep runs at least once a second; allow for a loaded machine
        assert read_timeout - 0.25 <= client.cut_off_after < read_timeout + 3


def _port(server: Server) -> int:
    return int(server.url.rpartition(":")[2])


def test_requests_in_pieces_kept_alive_and_pipelined_are_served(server):
    """Reading requests in the worker's event loop changes nothing for ordinary clients: a
    head and a body sent in pieces, requests on one kept-alive connection, two pipelined in
    one packet, bodies the thread reads; a head larger than the worker holds is refused with
    431."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
        body = b'{"meta": {"apiVersion": "v2.0"}, "query": {}}'
        sock.sendall(b"POST /datasets HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.3)
        sock.sendall(b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        time.sleep(0.3)
        sock.sendall(body)
        reader = sock.makefile("rb")
        assert _answer(reader)[0] == 200
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # the same connection
        assert _answer(reader) == (200, b'{"status":"ok"}\n')
        sock.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        assert _answer(reader) == (200, b'{"status":"ok"}\n')
        assert _answer(reader) == (200, b'{"status":"ready"}\n')
        # bodies the thread reads, as gunicorn does: one longer than the worker holds, one
        # chunked
        large = body + b" " * 70_000
        sock.sendall(b"POST /datasets HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % len(large))
        sock.sendall(b"Content-Type: application/json\r\n\r\n" + large[:30_000])
        time.sleep(0.3)
        sock.sendall(large[30_000:])
        assert _answer(reader)[0] == 200
        sock.sendall(
            b"POST /datasets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        )
        assert _answer(reader)[0] == 200
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
        headers = b"".join(b"X-Large-%d: %s\r\n" % (n, b"a" * 4000) for n in range(20))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        assert sock.makefile("rb").readline() == b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    assert get(f"{server.url}/healthz")[2] == {"status": "ok"}


def _answer(reader) -> tuple[int, bytes]:
    """The status and body of the next answer on a kept-alive connection."""
    status = int(reader.readline().split()[1])
    length = 0
    while (line := reader.readline()) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, reader.read(length)
