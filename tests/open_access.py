"""Configuration for tests of what queries answer rather than who may see it: every level
answers records and the re-identification protections are off, so answers can be compared with
the data itself. The access rules have their own tests (tests/access)."""

from __future__ import annotations

from typing import Any

OPEN_ACCESS: dict[str, Any] = {
    "TESTING": True,
    "ACCESS_GRANULARITY": {"PUBLIC": "record", "REGISTERED": "record", "CONTROLLED": "record"},
    "SMALL_COUNT_THRESHOLD": 0,
    "RARE_ALLELE_FREQUENCY": 0,
    "QUERY_BUDGET": 0,
}
