"""A total deadline for each HTTP call to a node, enforced by cutting its connection.

A socket timeout bounds each read, not the call: a node sending one byte every few seconds,
in its headers or its body, would hold the calling thread for as long as it likes. So every
call registers with a :class:`Watchdog`, one thread per client that shuts down the sockets of
each call still running at its deadline, which ends whatever read or write is waiting on them.

The call holds its own duplicate of each socket it uses (taken as the connection opens, before
a TLS handshake, or as a kept-alive connection is reused): only the call closes it, so a shutdown
at the deadline can never reach a socket that was closed meanwhile and its number given to
another connection.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_running = threading.local()  # the call the current thread is making, if any
TICK_SECONDS = 0.05  # how late after its deadline a call may be cut, at most


class Call:
    """One HTTP call with its deadline (``time.monotonic()`` seconds)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._ended = False

    def hold(self, sock: socket.socket) -> None:
        """Shut ``sock``'s connection down at the deadline (at once if it has passed)."""
        try:
            duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:
            return  # already closed: nothing left to cut
        with self._lock:
            if self._ended:
                duplicate.close()
                return
            self._sockets.append(duplicate)
            if self._expired:
                _shut_down(duplicate)

    @property
    def holds_a_socket(self) -> bool:
        with self._lock:
            return bool(self._sockets)

    def expire(self) -> None:
        with self._lock:
            if self._ended:
                return
            self._expired = True
            for duplicate in self._sockets:
                _shut_down(duplicate)

    def end(self) -> bool:
        """The call is over; whether its deadline cut it (what it read may then be partial)."""
        with self._lock:
            self._ended = True
            for duplicate in self._sockets:
                duplicate.close()
            self._sockets.clear()
            return self._expired

    def __enter__(self) -> Call:
        _running.call = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        _running.call = None


class Watchdog:
    """Expires each watched call at its deadline, from one daemon thread started on first use."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._due: list[tuple[float, int, Call]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def watch(self, call: Call) -> None:
        with self._condition:
            sooner = not self._due or call.deadline < self._due[0][0]
            heapq.heappush(self._due, (call.deadline, next(self._order), call))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hub-deadlines", daemon=True)
                self._thread.start()
            elif sooner:
                self._condition.notify()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                if self._closed:
                    return
                now = time.monotonic()
                due = []
                while self._due and self._due[0][0] <= now:
                    due.append(heapq.heappop(self._due)[2])
                if not due:
                    wait = self._due[0][0] - now if self._due else None
                    # calls due within a tick are expired together: one wake-up, not one a call
                    self._condition.wait(None if wait is None else max(wait, TICK_SECONDS))
                    continue
            for call in due:
                call.expire()  # a call that ended already ignores it


def _shut_down(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected (any more)
        sock.shutdown(socket.SHUT_RDWR)


def _hold(sock: socket.socket | None) -> None:
    call = getattr(_running, "call", None)
    if call is not None and sock is not None:
        call.hold(sock)


class _HeldSockets:
    """A connection whose socket the running call holds: from its opening (before any TLS
    handshake), or from the request when a kept-alive connection is reused."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        _hold(sock)
        return sock

    def request(self, *args, **kwargs) -> None:
        call = getattr(_running, "call", None)
        if call is not None and not call.holds_a_socket:
            _hold(self.sock)  # type: ignore[attr-defined]  # None: it opens in the request
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_HeldSockets, HTTPConnection):
    pass


class _HTTPSConnection(_HeldSockets, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


# for urllib3.PoolManager.pool_classes_by_scheme
POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}
