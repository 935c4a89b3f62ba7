"""Wildcard patterns on the demo: the pathological cases of a `%`-heavy pattern, with the
translation the server uses and with the naive one (each `%` a `.*`), in the same run.

    python tests/benchmarks/bench_wildcards.py [--budget 120] [--window 30]

The naive translation is the reference: the one the server used before wildcards became atomic
groups (app/query/wildcards.py). Each case runs the whole request through the real application
(Flask test client, embedded store in memory) with one translation or the other patched in; a
naive case that has not answered after ``--budget`` seconds is stopped (it runs in a child
process) and reported as such.

1. Data Connect: ``LIKE '%%%%QQ'`` on the privacy-law table's longest text column.
2. Beacon: an alphanumeric filter of 8 ``%`` (``%%%%%%%%QQ``) on ``/individuals``.
3. Liveness under load: a threaded server in a child process gets 8 concurrent requests of 10
   ``%`` (and then, with the server's translation, of 8 ``%``, the most it takes) while
   ``/healthz`` is probed every half second for ``--window`` seconds; prints how many probes
   failed (no answer within 2 s) and the longest a probe waited.
4. Python's ``re`` over texts of 10k to 1M characters: the server's translation of the
   8-wildcard pattern, to show the time growing with the text, not with its power.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

from measure import load_line, machine_line  # noqa: E402
from served import free_port  # noqa: E402

from app import create_app  # noqa: E402
from app.dataconnect import sql_pipeline  # noqa: E402
from app.query import filters as beacon_filters  # noqa: E402
from app.query.wildcards import wildcard_regex  # noqa: E402
from app.store import open_store  # noqa: E402
from loaders.demo.load import load_demo  # noqa: E402

LAWS = "asia_beacon.catalog.privacy_laws"
LONGEST_COLUMN = "cross_border_transfer"  # about 330 characters a row
SEARCH = f"SELECT id FROM {LAWS} WHERE {LONGEST_COLUMN} LIKE '%%%%QQ'"
FILTER_VALUE = "%" * 8 + "QQ"
OVER_THE_BOUND = "%" * 10 + "QQ"
CONFIG = {"TESTING": True, "AUDIT_LOG": False}


def naive_regex(pattern: str, *, any_character: str | None = None, escape: str | None = None):
    """The reference: every ``%`` a ``[\\s\\S]*``, no atomic group, no bound."""
    pieces = []
    characters = iter(pattern)
    for character in characters:
        if character == escape:
            pieces.append(re.escape(next(characters)))
        elif character == "%":
            pieces.append(r"[\s\S]*")
        elif character == any_character:
            pieces.append(r"[\s\S]")
        else:
            pieces.append(re.escape(character))
    return "^" + "".join(pieces) + r"(?![\s\S])"


@contextmanager
def translation(naive: bool):
    """The server's translation, or the naive one in its place on both surfaces."""
    if not naive:
        yield
        return
    with (
        mock.patch.object(beacon_filters, "wildcard_regex", naive_regex),
        mock.patch.object(sql_pipeline, "wildcard_regex", naive_regex),
    ):
        yield


def search_request(client) -> int:
    return client.post("/data-connect/search", json={"query": SEARCH}).status_code


def filter_request(client, value: str = FILTER_VALUE) -> int:
    filters = [{"id": "diseases.diseaseCode.label", "operator": "=", "value": value}]
    body = {"query": {"filters": filters, "requestedGranularity": "count"}}
    return client.post("/individuals", json=body).status_code


def _timed_in_child(app, request: Callable, naive: bool, answer) -> None:
    with translation(naive):
        began = time.perf_counter()
        status = request(app.test_client())
        answer.put((time.perf_counter() - began, status))


def timed(app, request: Callable, naive: bool, budget: float) -> str:
    """Seconds one request takes, run in a child process stopped after ``budget`` seconds."""
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    child = context.Process(target=_timed_in_child, args=(app, request, naive, answer))
    child.start()
    child.join(budget)
    if child.is_alive():
        child.kill()
        child.join()
        return f"> {budget:.0f} s (stopped)"
    seconds, status = answer.get()
    return f"{seconds:.3f} s (HTTP {status})"


def _serve(app, port: int, naive: bool) -> None:
    from werkzeug.serving import make_server

    with translation(naive):
        make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def liveness(app, value: str, naive: bool, window: float) -> str:
    """8 concurrent filter requests of ``value`` to a threaded server while /healthz is probed."""
    port = free_port()
    context = multiprocessing.get_context("fork")
    server = context.Process(target=_serve, args=(app, port, naive), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}"
    _wait_for(f"{base}/healthz")
    statuses: list[int | str] = []

    def query() -> None:
        filters = [{"id": "diseases.diseaseCode.label", "operator": "=", "value": value}]
        data = json.dumps({"query": {"filters": filters, "requestedGranularity": "count"}})
        request = urllib.request.Request(
            f"{base}/individuals", data.encode(), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=window + 5) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
        except OSError:
            statuses.append("no answer")

    senders = [threading.Thread(target=query, daemon=True) for _ in range(8)]
    for sender in senders:
        sender.start()
    failed, probes, longest = 0, 0, 0.0
    ends = time.perf_counter() + window
    while time.perf_counter() < ends:
        probes += 1
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                answer.read()
        except OSError:
            failed += 1
        longest = max(longest, time.perf_counter() - began)
        if all(not sender.is_alive() for sender in senders):
            break
        time.sleep(max(0.0, 0.5 - (time.perf_counter() - began)))
    server.kill()
    server.join()
    for sender in senders:  # a request still running when the server stops gets no answer
        sender.join(5)
    answered = ", ".join(str(status) for status in sorted(statuses, key=str)) or "none yet"
    return (
        f"{failed} of {probes} probes failed, longest wait {longest:.2f} s; "
        f"query answers: {answered}"
    )


def _wait_for(url: str) -> None:
    deadline = time.perf_counter() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.perf_counter() > deadline:
                raise
            time.sleep(0.05)


def text_sizes() -> list[str]:
    regex = re.compile(wildcard_regex(FILTER_VALUE), re.IGNORECASE)
    lines = []
    for size in (10_000, 100_000, 1_000_000):
        text = "QQ" + "a" * size + "Qx"
        began = time.perf_counter()
        assert regex.search(text) is None
        lines.append(f"{size:>9,} characters: {(time.perf_counter() - began) * 1000:.2f} ms")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per naive request")
    parser.add_argument("--window", type=float, default=30.0, help="seconds of /healthz probes")
    arguments = parser.parse_args()
    print(machine_line())
    print(load_line("at the start"))
    store = open_store("mongomock://memory/bench_wildcards")
    load_demo(store)
    app = create_app(CONFIG, store=store)
    budget, window = arguments.budget, arguments.window

    print(f"\n1. Data Connect, {len(SEARCH)}-byte query: {SEARCH}")
    print(f"   naive:  {timed(app, search_request, True, budget)}")
    print(f"   server: {timed(app, search_request, False, budget)}")

    print(f"\n2. Beacon filter diseases.diseaseCode.label = {FILTER_VALUE!r} on /individuals")
    print(f"   naive:  {timed(app, filter_request, True, budget)}")
    print(f"   server: {timed(app, filter_request, False, budget)}")

    print("\n3. /healthz during 8 concurrent filter requests (threaded server)")
    print(f"   naive,  {OVER_THE_BOUND!r}: {liveness(app, OVER_THE_BOUND, True, window)}")
    print(f"   server, {OVER_THE_BOUND!r}: {liveness(app, OVER_THE_BOUND, False, window)}")
    print(f"   server, {FILTER_VALUE!r}: {liveness(app, FILTER_VALUE, False, window)}")

    print(f"\n4. Python re, the server's regex for {FILTER_VALUE!r}, no match:")
    for line in text_sizes():
        print(f"   {line}")
    print(f"\n{load_line('at the end')}")


if __name__ == "__main__":
    main()
