"""Which node answers the hub refuses to merge (app/network/validation.py)."""

from __future__ import annotations

import copy

import pytest
from beacon_schemas import schemas_dir

from app.network.validation import OfficialSchemas, answer_problems, query_answer_schema

GOOD = {
    "meta": {
        "beaconId": "org.jp",
        "apiVersion": "v2.0.1",
        "returnedGranularity": "count",
        "returnedSchemas": [],
        "receivedRequestSummary": {
            "apiVersion": "v2.0.1",
            "requestedSchemas": [],
            "pagination": {"skip": 0, "limit": 10},
            "requestedGranularity": "count",
        },
    },
    "responseSummary": {"exists": True, "numTotalResults": 2},
    "response": {
        "resultSets": [
            {"id": "a", "setType": "dataset", "exists": True, "resultsCount": 2, "results": []}
        ]
    },
}


def with_change(path: tuple, value) -> dict:
    changed = copy.deepcopy(GOOD)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


def test_a_good_answer_has_no_problems_under_either_layer():
    assert answer_problems(GOOD) == []
    assert OfficialSchemas(str(schemas_dir())).problems(GOOD, query_answer_schema(GOOD)) == []


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("responseSummary", "exists"), "yes", "responseSummary.exists is not true or false"),
        (("meta",), KeyError, "meta.beaconId is missing"),
        (("meta", "returnedGranularity"), "all", "meta.returnedGranularity is not"),
        (("responseSummary", "numTotalResults"), -1, "numTotalResults is not a count"),
        (("response", "resultSets"), {}, "response.resultSets is not a list"),
        (("response", "resultSets", 0, "resultsCount"), "2", "resultSets[0]: resultsCount"),
        (("response", "resultSets", 0, "exists"), None, "resultSets[0]: exists"),
        (("response", "resultSets", 0, "id"), 7, "resultSets[0]: id is not a text"),
    ],
)
def test_what_merging_reads_is_checked_even_without_the_official_schemas(path, value, problem):
    problems = answer_problems(with_change(path, value))
    assert any(problem in found for found in problems), problems


def test_the_official_schemas_catch_what_the_shape_checks_do_not_read():
    schemas = OfficialSchemas(str(schemas_dir()))
    broken = with_change(("meta", "apiVersion"), 2)
    assert answer_problems(broken) == []
    problems = schemas.problems(broken, query_answer_schema(broken))
    assert problems and "apiVersion" in problems[0]


def test_without_schemas_only_the_shape_checks_run():
    schemas = OfficialSchemas("")
    assert not schemas.enabled
    assert schemas.problems({"anything": 1}, "responses/beaconInfoResponse.json") == []
    with pytest.raises(ValueError, match="has no framework"):
        OfficialSchemas("/")
