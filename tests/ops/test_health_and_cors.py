"""Health checks for load balancers, and CORS for browser clients on other origins."""

from __future__ import annotations

import gzip
import io
import json
import logging

import pytest
from open_access import OPEN_ACCESS

from app import create_app
from app.ops.logs import REQUEST_LOGGER, JsonFormatter
from app.store import open_store

SNV = "assemblyId=GRCh38&referenceName=12&start=111803961&referenceBases=G&alternateBases=A"


class UnreachableStore:
    """A store whose database does not answer, as when MongoDB is down."""

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def ping(self) -> None:
        raise ConnectionError("server selection timed out")


def test_liveness_and_readiness(demo_store):
    client = create_app(OPEN_ACCESS, store=demo_store).test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ready"}
    down = create_app(OPEN_ACCESS, store=UnreachableStore(demo_store)).test_client()
    assert down.get("/healthz").status_code == 200  # the process itself is alive
    answer = down.get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "detail": "the database does not answer"}


def test_any_origin_by_default_and_preflight_allows_tokens(demo_store):
    client = create_app(OPEN_ACCESS, store=demo_store).test_client()
    origin = {"Origin": "https://network.example.org"}
    answer = client.get(f"/g_variants?{SNV}", headers=origin)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/g_variants",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get(f"/g_variants?{SNV}").headers


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("https://catalog.example.org", True), ("https://elsewhere.example.com", False)],
)
def test_listed_origins_only(demo_store, origin, allowed):
    config = {**OPEN_ACCESS, "CORS_ORIGINS": "https://catalog.example.org"}
    client = create_app(config, store=demo_store).test_client()
    answer = client.get("/info", headers={"Origin": origin})
    if allowed:
        assert answer.headers["Access-Control-Allow-Origin"] == origin
        assert "Origin" in answer.headers["Vary"]
    else:
        assert "Access-Control-Allow-Origin" not in answer.headers


def test_preflights_are_not_audited():
    store = open_store("mongomock://memory/preflight_audit")
    client = create_app({"TESTING": True}, store=store).test_client()
    client.options("/g_variants", headers={"Origin": "https://x.example.org"})
    client.get(f"/g_variants?{SNV}")
    assert [entry.method for entry in store.audit.entries()] == ["GET"]


def test_request_ids_are_kept_when_safe_and_made_up_otherwise():
    store = open_store("mongomock://memory/request_ids")
    client = create_app({"TESTING": True}, store=store).test_client()
    given = client.get(f"/g_variants?{SNV}", headers={"X-Request-ID": "lb-7f3a.42"})
    assert given.headers["X-Request-ID"] == "lb-7f3a.42"
    forged = client.get("/info", headers={"X-Request-ID": "x FAKE LOG LINE=<b>"})
    made_up = forged.headers["X-Request-ID"]
    assert len(made_up) == 32 and made_up.isalnum()
    (entry,) = store.audit.entries()
    assert entry.request_id == "lb-7f3a.42"  # the audit record names the same query


def test_large_answers_are_gzipped_for_clients_that_accept_it(demo_store):
    client = create_app(OPEN_ACCESS, store=demo_store).test_client()
    path = "/data-connect/table/asia_beacon.beacon.individuals/data"
    plain = client.get(path)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) * 4 < len(plain.data)
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


def test_each_request_is_one_json_log_line_with_its_request_id(demo_store):
    client = create_app({**OPEN_ACCESS, "LOG_FORMAT": "json"}, store=demo_store).test_client()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    requests = logging.getLogger(REQUEST_LOGGER)
    requests.addHandler(handler)
    try:
        client.get(f"/g_variants?{SNV}", headers={"X-Request-ID": "req-1"})
        client.get("/nothing-here", headers={"X-Request-ID": "req-2"})
    finally:
        requests.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["requestId"], line["path"], line["status"]) for line in lines] == [
        ("req-1", "/g_variants", 200),
        ("req-2", "/nothing-here", 404),
    ]
    assert all(line["level"] == "info" and line["milliseconds"] >= 0 for line in lines)
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app({**OPEN_ACCESS, "LOG_FORMAT": "xml"}, store=demo_store)


def test_no_request_line_where_the_server_writes_it(demo_store):
    """serve's access log writes the request's line: the application then writes none."""
    client = create_app({**OPEN_ACCESS, "REQUEST_LOG": False}, store=demo_store).test_client()
    stream = io.StringIO()
    requests = logging.getLogger(REQUEST_LOGGER)
    handler = logging.StreamHandler(stream)
    requests.addHandler(handler)
    try:
        answer = client.get(f"/g_variants?{SNV}", headers={"X-Request-ID": "req-3"})
    finally:
        requests.removeHandler(handler)
    assert answer.status_code == 200
    assert answer.headers["X-Request-ID"] == "req-3"  # still the id the access line carries
    assert stream.getvalue() == ""
