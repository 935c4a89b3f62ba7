"""Granularity capping, page sizes and result-set inclusion, as plain functions."""

from __future__ import annotations

import pytest

from app.query.request import included_result_sets, page_limit, page_offset, returned_granularity


@pytest.mark.parametrize(
    ("requested", "default", "maximum", "expected"),
    [
        (None, "boolean", "record", "boolean"),
        ("record", "boolean", "record", "record"),
        ("record", "boolean", "count", "count"),
        ("count", "boolean", "boolean", "boolean"),
        (None, "count", "boolean", "boolean"),
    ],
)
def test_granularity_is_the_request_capped_at_the_configured_maximum(
    requested, default, maximum, expected
):
    assert returned_granularity(requested, default, maximum) == expected


def test_page_limit_defaults_and_caps():
    assert page_limit(None, 10, 100) == 10
    assert page_limit(0, 10, 100) == 100, "0 asks for all results, up to the beacon's maximum"
    assert page_limit(25, 10, 100) == 25
    assert page_limit(1000, 10, 100) == 100


def test_skip_counts_pages():
    assert page_offset(0, 10) == 0
    assert page_offset(3, 25) == 75


def test_result_set_inclusion():
    exists = {"a": True, "b": False, "c": True}
    assert included_result_sets(exists, "HIT") == ["a", "c"]
    assert included_result_sets(exists, "MISS") == ["b"]
    assert included_result_sets(exists, "ALL") == ["a", "b", "c"]
    assert included_result_sets(exists, "NONE") == []
