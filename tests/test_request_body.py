"""Request bodies, read one way by every endpoint that takes one: a body over
MAX_CONTENT_LENGTH is a 413, one not JSON or nested too deeply a 400, each in the error body of
the API surface asked (Beacon or Data Connect)."""

from __future__ import annotations

import io
import json

import pytest
from beacon_schemas import validate_framework
from open_access import OPEN_ACCESS

from app import create_app
from app.config import DEFAULTS
from app.request_body import MAX_DEPTH, nested_deeper_than

# Every endpoint that reads a JSON body: Beacon queries (a root, an id, a nested path, a
# collection) and Data Connect's search.
BODY_READERS = [
    "/g_variants",
    "/individuals",
    "/individuals/IND-CN0001/biosamples",
    "/datasets",
    "/data-connect/search",
]
SMALL_LIMIT = 4096


def nested(depth: int) -> bytes:
    """A valid body nesting ``depth`` levels in all: arrays inside ``requestParameters.start``."""
    inner = "[" * (depth - 3) + "]" * (depth - 3)
    return f'{{"query": {{"requestParameters": {{"start": {inner}}}}}}}'.encode()


def error_message(path: str, answer) -> str:
    """The message of an error answer, checked against its surface's error shape."""
    if path.startswith("/data-connect"):
        (error,) = answer.json["errors"]
        assert set(error) == {"title", "detail"}
        return error["detail"]
    validate_framework(answer.json, "responses/beaconErrorResponse.json")
    assert answer.json["error"]["errorCode"] == answer.status_code
    return answer.json["error"]["errorMessage"]


@pytest.fixture(scope="module")
def small_limit_client(demo_store):
    """An application taking bodies of at most SMALL_LIMIT bytes, its audit log on."""
    config = {**OPEN_ACCESS, "MAX_CONTENT_LENGTH": SMALL_LIMIT, "AUDIT_LOG": True}
    return create_app(config, store=demo_store).test_client()


def test_nesting_is_measured_without_recursion():
    assert not nested_deeper_than({"a": [1, {"b": []}]}, 4)
    assert nested_deeper_than({"a": [1, {"b": []}]}, 3)
    assert not nested_deeper_than("text", 0)
    deep: list = []
    for _ in range(100_000):  # far past the interpreter's recursion limit
        deep = [deep]
    assert nested_deeper_than(deep, MAX_DEPTH)
    assert not nested_deeper_than(deep, 100_001)


@pytest.mark.parametrize("path", BODY_READERS)
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # beyond the parser's recursion: a RecursionError while parsing
        b'{"query": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",  # valid JSON, as deep
        nested(MAX_DEPTH + 1),  # parses, one level too deep for what reads it next
    ],
    ids=["unclosed", "closed", "one-too-deep"],
)
def test_a_body_nested_too_deeply_is_a_400(client, path, body):
    answer = client.post(path, data=body, content_type="application/json")
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert f"nested more than {MAX_DEPTH} levels deep" in error_message(path, answer)


@pytest.mark.parametrize("path", ["/g_variants", "/individuals"])
def test_a_body_nested_as_deep_as_allowed_is_read(client, path):
    answer = client.post(path, data=nested(MAX_DEPTH), content_type="application/json")
    assert answer.status_code == 400  # read, and refused for what it says
    assert "nested" not in error_message(path, answer)
    assert "start" in error_message(path, answer)


@pytest.mark.parametrize("path", BODY_READERS)
def test_a_body_that_is_not_json_is_a_400(client, path):
    answer = client.post(path, data=b"{bad", content_type="application/json")
    assert answer.status_code == 400
    assert "not valid JSON" in error_message(path, answer)


@pytest.mark.parametrize("path", BODY_READERS)
@pytest.mark.parametrize("body", [b"null", b"[]", b'"text"'])
def test_a_body_that_is_no_object_is_a_400(client, path, body):
    answer = client.post(path, data=body, content_type="application/json")
    assert answer.status_code == 400
    assert error_message(path, answer)


def test_an_empty_beacon_body_is_the_default_query(client):
    assert client.post("/g_variants", data=b"", content_type="application/json").status_code == 200


@pytest.mark.parametrize("path", ["/g_variants", "/data-connect/search"])
def test_a_json_body_is_read_whatever_its_declared_type(client, path):
    body = {"query": "SELECT id FROM asia_beacon.catalog.datasets"}
    if path == "/g_variants":
        body = {"query": {"requestParameters": {"geneId": "ALDH2"}}}
    answer = client.post(path, data=json.dumps(body), content_type="text/plain")
    assert answer.status_code == 200, answer.json


def test_the_default_body_limit_is_one_mebibyte(client):
    assert DEFAULTS["MAX_CONTENT_LENGTH"] == 1 << 20
    padding = {"query": {"filters": ["x" * (1 << 20)]}}
    answer = client.post("/g_variants", json=padding)
    assert answer.status_code == 413
    assert f"larger than {1 << 20} bytes" in error_message("/g_variants", answer)


@pytest.mark.parametrize("path", BODY_READERS)
def test_a_body_over_the_limit_is_a_413_in_the_surfaces_error_body(small_limit_client, path):
    """The audit log, on here, records the request without reading the body either."""
    answer = small_limit_client.post(
        path, data=b" " * (SMALL_LIMIT + 1), content_type="application/json"
    )
    assert answer.status_code == 413
    message = error_message(path, answer)
    assert f"larger than {SMALL_LIMIT} bytes, the most this server accepts" in message


@pytest.mark.parametrize("path", ["/g_variants", "/data-connect/search"])
def test_a_chunked_body_over_the_limit_is_read_no_further_than_the_limit(small_limit_client, path):
    """Without Content-Length the server counts what it reads (gunicorn marks such a stream
    terminated) and stops at the limit."""
    stream = io.BytesIO(b" " * (10 * SMALL_LIMIT))
    answer = small_limit_client.post(
        path,
        input_stream=stream,
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert answer.status_code == 413
    assert stream.tell() <= 2 * SMALL_LIMIT
    assert "larger than" in error_message(path, answer)


def test_a_body_within_the_limit_is_answered(small_limit_client):
    body = json.dumps({"query": {"requestParameters": {"geneId": "ALDH2"}}}).encode()
    body += b" " * (SMALL_LIMIT - len(body))  # exactly the limit
    answer = small_limit_client.post("/g_variants", data=body, content_type="application/json")
    assert answer.status_code == 200, answer.json
