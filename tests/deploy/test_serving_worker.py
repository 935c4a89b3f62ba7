"""How much of a request body the serving worker's event loop waits for before a thread
serves the request (app/serving_worker.py); the worker itself runs for real in
test_serve_process.py."""

from __future__ import annotations

import pytest

from app.serving_worker import body_bytes_to_buffer

HEAD = b"POST /g_variants HTTP/1.1\r\nHost: beacon\r\n"


@pytest.mark.parametrize(
    ("headers", "room", "expected"),
    [
        (b"Content-Length: 120\r\n", 1000, 120),
        (b"content-length:0\r\n", 1000, 0),
        (b"CONTENT-LENGTH:  999 \r\n", 999, 999),
        (b"", 1000, 0),  # no body
        (b"Content-Length: 1001\r\n", 1000, 0),  # too long to hold: the thread reads it
        # left to the thread, where gunicorn's parser decides (and refuses the malformed)
        (b"Content-Length: 12\r\nContent-Length: 12\r\n", 1000, 0),
        (b"Content-Length: 12\r\nTransfer-Encoding: chunked\r\n", 1000, 0),
        (b"Transfer-Encoding: chunked\r\n", 1000, 0),
        (b"Content-Length: -5\r\n", 1000, 0),
        (b"Content-Length: 1e3\r\n", 1000, 0),
        (b"Content-Length: 0x10\r\n", 1000, 0),
        (b"Content-Length: 99999999999999999999\r\n", 10**30, 0),
        # the client waits for "100 Continue" before it sends the body
        (b"Expect: 100-continue\r\nContent-Length: 12\r\n", 1000, 0),
    ],
)
def test_the_body_waited_for(headers, room, expected):
    assert body_bytes_to_buffer(HEAD + headers + b"\r\n", room) == expected


def test_a_request_line_is_no_header():
    head = b"GET /x?Content-Length:5 HTTP/1.1\r\nHost: beacon\r\n\r\n"
    assert body_bytes_to_buffer(head, 1000) == 0
