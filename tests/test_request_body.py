"""Request bodies, read one way by every endpoint that takes one: a body not JSON or nested too
deeply is a 400, in the error body of the API surface asked (Beacon or Data Connect)."""

from __future__ import annotations

import json

import pytest
from beacon_schemas import validate_framework

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
