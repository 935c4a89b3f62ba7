"""Any WSGI application served over real HTTP on 127.0.0.1, and a URL where nothing listens.

The network hub talks HTTP to its nodes, so its tests need nodes on a real socket rather than a
Flask test client. ``ServedApp`` runs werkzeug's threaded server in a daemon thread on a port the
system picks, and records every request it receives (``seen``) so a test can check what the hub
sent: the path, the query string, the body and the headers it forwarded.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from werkzeug.datastructures import EnvironHeaders
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wsgi import get_input_stream

HOST = "127.0.0.1"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class NodeRequestHandler(WSGIRequestHandler):
    """One request per connection, so that once ``stop()`` returns no client reaches the app
    through a kept-alive connection (a stopped node is down for a pooling client too); and no
    access-log line per request (``seen`` records them), while errors are still logged."""

    protocol_version = "HTTP/1.0"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass(frozen=True)
class SeenRequest:
    """One request as it reached the served application."""

    method: str
    path: str
    query_string: str  # as sent, without the leading "?"
    headers: dict[str, str]  # names as werkzeug spells them: "Authorization", "X-Beacon-..."
    body: bytes
    received_at: float = field(default_factory=time.monotonic)  # to tell parallel from serial

    def header(self, name: str) -> str | None:
        """A header by name, whatever its case."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    @property
    def authorization(self) -> str | None:
        return self.header("Authorization")

    @property
    def beacon_headers(self) -> dict[str, str]:
        """The ``X-Beacon-*`` headers a hub may add."""
        return {
            key: value for key, value in self.headers.items() if key.lower().startswith("x-beacon-")
        }

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SeenRequests:
    """The requests a server received, appended from its request threads, read from the test's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[SeenRequest] = []

    def append(self, request: SeenRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def snapshot(self) -> list[SeenRequest]:
        with self._lock:
            return list(self._requests)

    def to(self, path_prefix: str) -> list[SeenRequest]:
        """The requests whose path starts with ``path_prefix`` (``/g_variants``, ``/info``)."""
        return [request for request in self.snapshot() if request.path.startswith(path_prefix)]

    def __len__(self) -> int:
        with self._lock:
            return len(self._requests)

    def __iter__(self) -> Iterator[SeenRequest]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> SeenRequest:
        with self._lock:
            return self._requests[index]


def recording(app: WsgiApp, seen: SeenRequests) -> WsgiApp:
    """``app``, recording each request in ``seen`` before it answers.

    The body is read whole and handed on as a fresh stream, so the application reads it as sent.
    """

    def recorded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = dict(EnvironHeaders(environ).items())  # before the body is read and reset
        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        seen.append(
            SeenRequest(
                method=environ["REQUEST_METHOD"],
                path=environ.get("PATH_INFO", ""),
                query_string=environ.get("QUERY_STRING", ""),
                headers=headers,
                body=body,
            )
        )
        return app(environ, start_response)

    return recorded


class ServedApp:
    """A WSGI application on ``http://127.0.0.1:<port>`` until ``stop()``; the port is one
    the system picks, unless given (one :func:`release_closed_port` freed).

    Use it as a context manager, or call ``stop()`` from a fixture's teardown.
    """

    def __init__(self, app: WsgiApp, port: int = 0) -> None:
        self.app = app
        self.seen = SeenRequests()
        self._server: BaseWSGIServer = make_server(
            HOST, port, recording(app, self.seen), threaded=True, request_handler=NodeRequestHandler
        )
        self.port: int = self._server.server_port
        self.url = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"served-app-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting requests and free the port; requests in flight finish on their own."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> ServedApp:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ServedApp({self.url})"


# Sockets bound and never listening: a connection to their port is refused (no listener), and
# no other server can take the port while they are held, which is for the rest of the run
# (unless released); and the listening sockets of silent ports.
_HELD_CLOSED_PORTS: list[socket.socket] = []


def closed_port_url() -> str:
    """``http://127.0.0.1:<port>`` where nothing listens: a node that is down.

    Connections are refused at once (not timed out), as for a stopped server.
    """
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind((HOST, 0))
    _HELD_CLOSED_PORTS.append(held)
    return f"http://{HOST}:{held.getsockname()[1]}"


def release_closed_port(url: str) -> int:
    """The port of a :func:`closed_port_url`, no longer held, for a server to take: a node
    that was down comes up at the very URL a hub knows."""
    port = int(url.rsplit(":", 1)[1])
    for held in _HELD_CLOSED_PORTS:
        if held.getsockname()[1] == port:
            _HELD_CLOSED_PORTS.remove(held)
            held.close()
            return port
    raise ValueError(f"{url} is not a held closed port")


def silent_port_url() -> str:
    """``http://127.0.0.1:<port>`` where connections are taken and never answered: a node that
    hangs on every request, its /info too, until the caller's timeout."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind((HOST, 0))
    listening.listen(64)  # never accepted: the kernel completes the connections, nobody reads
    _HELD_CLOSED_PORTS.append(listening)
    return f"http://{HOST}:{listening.getsockname()[1]}"
