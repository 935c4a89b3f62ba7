"""The gunicorn worker ``asia-beacon serve`` runs: gunicorn's threaded worker, except that a
request gets a thread only once it has arrived.

gunicorn's own threaded worker hands a connection to a thread as soon as its first byte
arrives; the thread then reads the rest of the request with no deadline. A client that sends
one header line every few seconds holds that thread for as long as it likes, and a few dozen
such clients hold every thread of every worker: the server stops answering, ``/healthz``
included. Here the worker's event loop, which already waits on idle kept-alive connections
without a thread, also reads each request's head, and its body when the head declares one of
a known length that fits in :data:`MAX_BUFFERED_BYTES`. A request not in within
``read_timeout`` seconds of its connection opening (or, on a kept-alive connection, of its
first byte) is answered 408 and closed; a head larger than :data:`MAX_BUFFERED_BYTES` is
answered 431 and closed. Either way it never held a thread. Threads, keep-alive and everything
else are gunicorn's (docs/deployment.md#slow-clients).
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import time
from dataclasses import dataclass, field
from functools import partial

from gunicorn import util
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import TConn, ThreadWorker

# The most the event loop holds of one request, head and body. A worker holds up to
# worker_connections (1,000) requests at once: this keeps them under 64 MiB, and has room for
# gunicorn's longest request line (4 KiB), a bearer token and a passport, and a Beacon or
# Data Connect request body. A longer body is read by the thread, as gunicorn does.
MAX_BUFFERED_BYTES = 64 * 1024
END_OF_HEAD = b"\r\n\r\n"
# How long a stopping worker still waits for the rest of a request already begun
STOP_LINGER_SECONDS = 2.0
RECEIVE_BYTES = 16 * 1024
REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\n"
HEAD_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\n"


def body_bytes_to_buffer(head: bytes, room: int) -> int:
    """How much of the body announced by ``head`` (request line and headers) to read before
    the request gets a thread: its Content-Length when that fits in ``room``; 0 when it does
    not, when there is no body, and when the length is not a single plain number. Chunked
    bodies and ``Expect: 100-continue`` (the client waits for a go-ahead) are left to the
    thread. gunicorn's parser still reads the request from these same bytes and decides
    what it means: this only decides when to hand it over."""
    lengths = []
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        name = name.strip().lower()
        if colon and name in (b"transfer-encoding", b"expect"):
            return 0
        if colon and name == b"content-length":
            lengths.append(value.strip())
    if len(lengths) != 1 or not lengths[0].isdigit() or len(lengths[0]) > 9:
        return 0
    length = int(lengths[0])
    return length if length <= room else 0


@dataclass
class _Arrival:
    """The bytes of one request read so far, and when the rest is due."""

    deadline: float
    received: bytearray = field(default_factory=bytearray)
    searched: int = 0  # bytes already searched for the end of the head
    expected: int | None = None  # head and buffered body, once the head is in

    def complete(self) -> bool:
        if self.expected is None:
            start = max(0, self.searched - len(END_OF_HEAD) + 1)
            end = self.received.find(END_OF_HEAD, start, MAX_BUFFERED_BYTES)
            self.searched = len(self.received)
            if end < 0:
                return False
            head = bytes(self.received[: end + len(END_OF_HEAD)])
            self.expected = len(head) + body_bytes_to_buffer(head, MAX_BUFFERED_BYTES - len(head))
        return len(self.received) >= self.expected

    def head_too_large(self) -> bool:
        return self.expected is None and len(self.received) >= MAX_BUFFERED_BYTES


class RequestBufferingWorker(ThreadWorker):
    """gunicorn's gthread worker whose event loop reads each request before a thread serves
    it. ``read_timeout``: seconds a client has to send a request."""

    read_timeout: float = 20.0

    def init_process(self) -> None:
        self.arriving: dict[TConn, _Arrival] = {}  # in order of deadline: all wait alike
        self.stop_deadline: float | None = None
        super().init_process()

    def enqueue_req(self, conn: TConn) -> None:
        """Every connection with a request to serve comes here from the event loop: just
        accepted, a kept-alive one that became readable, or one with bytes read ahead."""
        if self.cfg.is_ssl or negotiation.prior_knowledge_allowed(self.cfg, conn.client):
            # TLS handshakes and HTTP/2 prefaces are read by the thread, as gunicorn does
            super().enqueue_req(conn)
            return
        conn.init()  # without TLS or HTTP/2, only makes the HTTP/1 parser
        arrival = _Arrival(deadline=time.monotonic() + self.read_timeout)
        arrival.received += conn.parser.unreader.take_buffered()
        conn.sock.setblocking(False)
        self.arriving[conn] = arrival
        self._receive(conn, registered=False)

    def _on_readable(self, conn: TConn, _sock: socket.socket) -> None:
        self._receive(conn, registered=True)

    def _receive(self, conn: TConn, registered: bool) -> None:
        arrival = self.arriving[conn]
        while not arrival.complete():
            if arrival.head_too_large():
                self._refuse(conn, HEAD_TOO_LARGE, registered)
                return
            try:
                chunk = conn.sock.recv(RECEIVE_BYTES)
            except (BlockingIOError, InterruptedError):
                if not registered:
                    self.poller.register(
                        conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn)
                    )
                return
            except OSError as error:
                if error.errno not in (errno.ECONNRESET, errno.ENOTCONN, errno.EPIPE):
                    self.log.debug("Error reading a request: %s", error)
                self._close(conn, registered)
                return
            if not chunk:  # the client closed the connection
                self._close(conn, registered)
                return
            arrival.received += chunk
        if registered:
            self.poller.unregister(conn.sock)
        del self.arriving[conn]
        conn.parser.unreader.unread(bytes(arrival.received))
        conn.sock.setblocking(True)
        super().enqueue_req(conn)

    def murder_pending(self) -> None:
        """gunicorn's sweep of connections waiting for data, run by the event loop at least
        once a second: also cut off the requests that are overdue."""
        super().murder_pending()
        now = time.monotonic()
        if not self.alive and self.stop_deadline is None:
            self.stop_deadline = now + STOP_LINGER_SECONDS
        while self.arriving:
            conn, arrival = next(iter(self.arriving.items()))
            deadline = arrival.deadline
            if self.stop_deadline is not None:
                deadline = min(deadline, self.stop_deadline)
            if deadline > now:
                break
            self.log.debug("Closing a connection whose request did not arrive in time")
            self._refuse(conn, REQUEST_TIMEOUT, registered=True)

    def _refuse(self, conn: TConn, status_line: bytes, registered: bool) -> None:
        """Answer ``status_line`` as far as the socket takes it at once, and close."""
        answer = status_line + b"Connection: close\r\nContent-Length: 0\r\n\r\n"
        with contextlib.suppress(OSError):
            conn.sock.send(answer)
            conn.sock.shutdown(socket.SHUT_WR)
        self._close(conn, registered)

    def _close(self, conn: TConn, registered: bool) -> None:
        if registered:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(conn.sock)
        self.arriving.pop(conn, None)
        self.nr_conns -= 1
        util.close(conn.sock)


def request_buffering_worker(read_timeout: float) -> type[RequestBufferingWorker]:
    """The worker class with its read timeout: gunicorn takes a class, not its arguments."""
    name = RequestBufferingWorker.__name__
    return type(name, (RequestBufferingWorker,), {"read_timeout": read_timeout})
