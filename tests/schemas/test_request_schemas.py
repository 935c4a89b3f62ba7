"""GET and POST spell the same Beacon request; both must parse to the same object."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from app.query.request import Pagination
from schemas.requests import (
    MAX_FILTERS,
    request_from_body,
    request_from_query_string,
    variant_query_from_parameters,
)


def test_get_and_post_give_the_same_request_and_query():
    from_get = request_from_query_string(
        {
            "referenceName": "1",
            "start": "100,200",
            "end": "300,400",
            "requestedGranularity": "count",
            "includeResultsetResponses": "ALL",
            "skip": "5",
            "limit": "7",
        }
    )
    from_post = request_from_body(
        {
            "meta": {"apiVersion": "v2.0.1"},
            "query": {
                "requestParameters": {"referenceName": "1", "start": [100, 200], "end": [300, 400]},
                "requestedGranularity": "count",
                "includeResultsetResponses": "ALL",
                "pagination": {"skip": 5, "limit": 7},
            },
        }
    )
    for request in (from_get, from_post):
        assert request.requested_granularity == "count"
        assert request.include_resultset_responses == "ALL"
        assert request.pagination == Pagination(skip=5, limit=7)
    assert variant_query_from_parameters(from_get.request_parameters) == (
        variant_query_from_parameters(from_post.request_parameters)
    )


def test_bases_are_upper_cased_and_single_start_becomes_a_list():
    query, _ = variant_query_from_parameters(
        {"referenceName": "1", "start": 5, "alternateBases": "g"}
    )
    assert (query.start, query.alternate_bases) == ([5], "G")


def test_grouped_and_flat_parameters_are_the_same_query():
    flat = {"referenceName": "1", "start": [5], "alternateBases": "G"}
    grouped = {"g_variant": flat, "datasets": {"datasetIds": ["a", "b"]}}
    assert variant_query_from_parameters(grouped) == (
        variant_query_from_parameters(flat)[0],
        ["a", "b"],
    )
    assert variant_query_from_parameters(flat)[1] is None


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"g_variant": "1:5"}, "g_variant"),
        ({"datasets": {"datasetIds": []}}, "datasets"),
        ({"datasets": {"ids": ["a"]}}, "datasets"),
        ({"start": [5], "g_variant": {"start": [6]}}, "start"),
    ],
)
def test_malformed_grouped_parameters_name_the_group(parameters, field):
    with pytest.raises(ValidationError) as caught:
        variant_query_from_parameters(parameters)
    assert field in caught.value.messages


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"start": "abc"}, "start"),
        ({"start": [1, 2, 3]}, "start"),
        ({"start": -1}, "start"),
        ({"end": 0}, "end"),
        ({"alternateBases": "<DEL>"}, "alternateBases"),
        ({"variantMinLength": "x"}, "variantMinLength"),
        ({"chromosome": "1"}, "chromosome"),
    ],
)
def test_malformed_parameters_name_the_field(parameters, field):
    with pytest.raises(ValidationError) as caught:
        variant_query_from_parameters(parameters)
    assert field in caught.value.messages


@pytest.mark.parametrize(
    "body",
    [
        {"query": {"requestedGranularity": "everything"}},
        {"query": {"includeResultsetResponses": "SOME"}},
        {"query": {"pagination": {"limit": -1}}},
        {"query": {"unknownKey": 1}},
    ],
)
def test_malformed_bodies_are_refused(body):
    with pytest.raises(ValidationError):
        request_from_body(body)


def test_a_list_over_its_bound_is_refused_before_its_items_are_read():
    """One message for the count, not one per malformed item."""
    with pytest.raises(ValidationError) as caught:
        request_from_body({"query": {"filters": [{"colour": "red"}] * 100_000}})
    assert caught.value.messages == {
        "query": {"filters": [f"at most {MAX_FILTERS} items, not 100000"]}
    }
    with pytest.raises(ValidationError) as caught:
        request_from_body({"query": {"filters": [{"colour": "red"}] * MAX_FILTERS}})
    assert len(caught.value.messages["query"]["filters"]) == MAX_FILTERS
