"""A document's record renders its own JSON text: json's text, whatever was done to it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import bson
import pytest

from loaders.vcf import iter_variant_documents
from loaders.vcf.record_text import BeaconRecord, CaseLevelEntry

CASES = Path(__file__).resolve().parents[1] / "data" / "vcf_loader_cases.vcf"


def _json(value: object) -> str:
    return json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)


@pytest.fixture(scope="module")
def records() -> list[BeaconRecord]:
    return [document["record"] for document in iter_variant_documents(CASES, "c", "GRCh38")]


def test_records_and_carriers_are_plain_dicts_to_everyone_else(records):
    for record in records:
        plain = json.loads(_json(record))
        assert record == plain and isinstance(record, dict)
        assert bson.decode(bson.encode(record)) == plain  # stored in MongoDB as any dict
    cases = [case for record in records for case in record.get("caseLevelData", [])]
    assert cases
    assert all(type(case) is CaseLevelEntry and case.json == _json(case) for case in cases)


def test_a_changed_record_still_renders_as_json_does(records):
    """Fields gained, lost or replaced by other shapes: the templates step aside."""
    record = BeaconRecord(json.loads(_json(records[0])))  # a copy, nested values too
    record["extra"] = {"nested": [1, 2.5, None, 'é\n"x"']}
    del record["variation"]["location"]["interval"]["end"]["type"]
    record["identifiers"] = {"genomicHGVSId": "NC_1:g.1A>G", "other": [{"id": 1}]}
    record["caseLevelData"] = [{"biosampleId": "plain dict", "zygosity": None}]
    record["frequencyInPopulations"][0]["frequencies"].append({"population": "X"})
    record["frequencyInPopulations"].append({"source": "only"})
    assert record.json_text() == _json(record)


def test_a_value_json_refuses_is_refused(records):
    counted = next(r for r in records if "frequencyInPopulations" in r)
    record = BeaconRecord(json.loads(_json(counted)))
    record["frequencyInPopulations"][0]["frequencies"][0]["alleleFrequency"] = math.nan
    with pytest.raises(ValueError):
        _json(record)
    with pytest.raises(ValueError):
        record.json_text()


def test_a_record_renders_apart_what_a_store_keeps_apart(records):
    for record in records:
        rest, cases = record.json_text_apart("caseLevelData")
        without = {key: value for key, value in record.items() if key != "caseLevelData"}
        assert rest == _json(without)
        assert cases == (_json(record["caseLevelData"]) if "caseLevelData" in record else None)
    assert any("caseLevelData" in record for record in records)
