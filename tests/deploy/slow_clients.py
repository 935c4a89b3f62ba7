"""A bounded slowloris against a local server, with health probes beside it: what the serve
test and tests/benchmarks/bench_slow_clients.py measure.

Slow clients come in two kinds. A slow head sends a request line, then one header line every
``interval`` seconds and never the blank line that ends the head. A slow body sends a whole
head announcing a 4 KiB JSON body, then one byte of it every ``interval`` seconds. Meanwhile
``GET /healthz`` is asked on a fresh connection every ``probe_every`` seconds, as a liveness
probe would. Only 127.0.0.1 is ever attacked, with at most :data:`MAX_CLIENTS` connections for
a bounded time.
"""

from __future__ import annotations

import http.client
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

MAX_CLIENTS = 64
MAX_SECONDS = 300.0
SLOW_HEAD = b"GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\n"
SLOW_BODY = (
    b"POST /datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4096\r\n\r\n"
)


@dataclass
class SlowClient:
    """One slow connection: what it sends slowly (``head`` or ``body``), how many pieces it
    sent, and when and how the server cut it off (None while the server let it go on)."""

    slow_part: str
    sock: socket.socket
    opened_at: float
    pieces_sent: int = 0
    cut_off_after: float | None = None
    answer: bytes = b""

    @property
    def status_line(self) -> str:
        return self.answer.split(b"\r\n", 1)[0].decode("latin-1")

    def next_piece(self) -> bytes:
        return (
            b"X-Slow-%d: still sending\r\n" % self.pieces_sent if self.slow_part == "head" else b" "
        )


@dataclass
class Probe:
    answered: bool  # 200 within the probe's timeout
    seconds: float


@dataclass
class SlowlorisRun:
    clients: list[SlowClient]
    probes: list[Probe] = field(default_factory=list)

    @property
    def probes_answered(self) -> int:
        return sum(probe.answered for probe in self.probes)

    def cut_off(self, slow_part: str) -> list[SlowClient]:
        return [
            client
            for client in self.clients
            if client.slow_part == slow_part and client.cut_off_after is not None
        ]


def slowloris(
    port: int,
    heads: int,
    bodies: int,
    interval: float,
    seconds: float,
    probe_every: float = 1.0,
    probe_timeout: float = 3.0,
) -> SlowlorisRun:
    """``heads`` slow heads and ``bodies`` slow bodies to 127.0.0.1:``port`` for ``seconds``,
    probing /healthz meanwhile."""
    if not 0 < heads + bodies <= MAX_CLIENTS or not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"at most {MAX_CLIENTS} clients for at most {MAX_SECONDS} s")
    run = SlowlorisRun([_open(port, "head") for _ in range(heads)])
    run.clients += [_open(port, "body") for _ in range(bodies)]
    ends_at = time.monotonic() + seconds
    trickling = threading.Thread(target=_trickle, args=(run.clients, interval, ends_at))
    trickling.start()
    try:
        while time.monotonic() < ends_at:
            began = time.monotonic()
            run.probes.append(probe_health(port, probe_timeout))
            time.sleep(max(0.0, probe_every - (time.monotonic() - began)))
    finally:
        trickling.join()
        for client in run.clients:
            client.sock.close()
    return run


def _open(port: int, slow_part: str) -> SlowClient:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    opened_at = time.monotonic()
    sock.sendall(SLOW_HEAD if slow_part == "head" else SLOW_BODY)
    sock.setblocking(False)
    return SlowClient(slow_part, sock, opened_at)


def _trickle(clients: list[SlowClient], interval: float, ends_at: float) -> None:
    """One piece per client every ``interval``; note what each hears and when the server
    closes it."""
    selector = selectors.DefaultSelector()
    for client in clients:
        selector.register(client.sock, selectors.EVENT_READ, client)
    next_piece_at = time.monotonic() + interval
    try:
        while (now := time.monotonic()) < ends_at:
            for key, _ in selector.select(timeout=max(0.0, min(next_piece_at, ends_at) - now)):
                _hear(key.data, selector)
            if time.monotonic() >= next_piece_at:
                for client in clients:
                    if client.cut_off_after is None:
                        _send_piece(client, selector)
                next_piece_at += interval
    finally:
        selector.close()


def _hear(client: SlowClient, selector: selectors.BaseSelector) -> None:
    try:
        data = client.sock.recv(4096)
    except BlockingIOError:
        return
    except OSError:
        data = b""
    client.answer += data
    if not data:
        _cut_off(client, selector)


def _send_piece(client: SlowClient, selector: selectors.BaseSelector) -> None:
    try:
        client.sock.send(client.next_piece())
        client.pieces_sent += 1
    except OSError:
        _cut_off(client, selector)


def _cut_off(client: SlowClient, selector: selectors.BaseSelector) -> None:
    client.cut_off_after = time.monotonic() - client.opened_at
    selector.unregister(client.sock)


def probe_health(port: int, timeout: float) -> Probe:
    """``GET /healthz`` on a fresh connection, as a liveness probe asks it."""
    began = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        answered = answer.status == 200
    except (OSError, http.client.HTTPException):
        answered = False
    finally:
        connection.close()
    return Probe(answered, time.monotonic() - began)
