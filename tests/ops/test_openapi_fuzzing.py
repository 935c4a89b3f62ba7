"""Schemathesis over every operation of ``/openapi.json``, against the demo store: no answer is
a 5xx, statuses, content types and bodies are those the document declares, every 4xx carries
its surface's error body, and requests the document forbids are refused. Beside it, the
regression tests of what the run found."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import ValidationError
from openapi_document import validate_error_body
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

EXAMPLES_PER_OPERATION = 20  # on top of schemathesis's deterministic coverage cases
# The WSGI transport hands back bodies as sent; a real client would undo gzip itself.
PLAIN_BODIES = {"Accept-Encoding": "identity"}


@schemathesis.check
def error_body_of_its_surface(ctx, response, case) -> bool | None:
    """Any 4xx, documented or not, carries the Beacon or the Data Connect error body."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        validate_error_body(case.operation.schema.raw_schema, case.path, response.json())
    except (ValueError, ValidationError) as error:
        raise AssertionError(f"{response.status_code} without its error body: {error}") from None
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
    error_body_of_its_surface,
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


api = schemathesis.pytest.from_fixture("api_schema")


@api.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_holds_to_the_document(case):
    case.call_and_validate(headers=PLAIN_BODIES, checks=CHECKS)


# Regressions found by the run above.


@pytest.mark.parametrize(
    ("path", "allowed", "body_of"),
    [("/map", {"GET"}, "/map"), ("/data-connect/tables", {"GET"}, "/data-connect/tables")],
)
def test_a_wrong_method_names_the_allowed_ones(client, path, allowed, body_of):
    """A 405 kept its error body but lost werkzeug's Allow header (RFC 9110 requires it)."""
    answer = client.open(path, method="TRACE")
    assert answer.status_code == 405
    assert allowed <= {method.strip() for method in answer.headers["Allow"].split(",")}
    assert answer.mimetype == "application/json"
    document = client.get("/openapi.json").json
    validate_error_body(document, body_of, answer.json)


@pytest.mark.parametrize("path", ["/cohorts", "/datasets", "/g_variants"])
@pytest.mark.parametrize("parameters", [False, 0, [], ""])
def test_request_parameters_that_are_not_an_object_are_refused(client, path, parameters):
    """Collections took any falsy requestParameters (false, 0, [], "") as "none given"."""
    answer = client.post(path, json={"query": {"requestParameters": parameters}})
    assert answer.status_code == 400
    assert "requestParameters: must be an object" in answer.json["error"]["errorMessage"]
