"""The schema helper itself: official examples pass, broken documents fail and say where, refs
resolve offline (local files, remote beacon-v2 URLs, VRS 1.3), and missing inputs skip."""

from __future__ import annotations

import copy
import importlib.metadata
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import beacon_schemas
import pytest
from beacon_schemas import schemas_dir, validate_framework, validate_model

RESPONSE_EXAMPLES = Path("framework", "json", "responses", "examples-fullDocuments")
REQUEST_EXAMPLES = Path("framework", "json", "requests", "examples-fullDocuments")
VRS_INSTALL_COMMAND = "pip install --no-deps ga4gh.vrs==0.8.5"
GENOMIC_VARIATION_EXAMPLES = beacon_schemas.DEFAULT_MODEL / "genomicVariations" / "examples"

# Official examples that are valid under their own schema at the pinned commit (SOURCE.txt).
VALID_FRAMEWORK_EXAMPLES = [
    (RESPONSE_EXAMPLES / "beaconInfo-MAX-example.json", "responses/beaconInfoResponse.json"),
    (RESPONSE_EXAMPLES / "beaconInfo-MIN-example.json", "responses/beaconInfoResponse.json"),
    (RESPONSE_EXAMPLES / "beaconMapResponse-example.json", "responses/beaconMapResponse.json"),
    (
        RESPONSE_EXAMPLES / "beaconConfigurationResponse-example.json",
        "responses/beaconConfigurationResponse.json",
    ),
    (
        RESPONSE_EXAMPLES / "beaconEntryTypesResponse-example.json",
        "responses/beaconEntryTypesResponse.json",
    ),
    (
        RESPONSE_EXAMPLES / "beaconFilteringTermsResponse-example.json",
        "responses/beaconFilteringTermsResponse.json",
    ),
    (REQUEST_EXAMPLES / "beaconRequestBody-MIN-example.json", "requests/beaconRequestBody.json"),
    (REQUEST_EXAMPLES / "beaconRequestBody-MAX-example.json", "requests/beaconRequestBody.json"),
]
# Official examples their own schemas reject; written before `returnedGranularity` and
# `requestedGranularity` became required (and the result-set one also lacks `response`).
# Kept to prove the validator catches real-world mistakes, not only ones we planted.
INVALID_FRAMEWORK_EXAMPLES = [
    (
        RESPONSE_EXAMPLES / "beaconResultsetResponse-MIN-example.json",
        "responses/beaconResultsetsResponse.json",
        ["'response' is a required property", "'returnedGranularity' is a required property"],
    ),
    (
        RESPONSE_EXAMPLES / "beaconCountResponse-example.json",
        "responses/beaconCountResponse.json",
        ["$.meta.receivedRequestSummary: 'requestedGranularity' is a required property"],
    ),
    (
        RESPONSE_EXAMPLES / "beaconErrorResponse_example.json",
        "responses/beaconErrorResponse.json",
        ["$.meta.receivedRequestSummary.requestParameters: ", "is not of type 'object'"],
    ),
]
LEGACY_SNV = {
    "variantInternalId": "v1",
    "variation": {
        "variantType": "SNP",
        "referenceBases": "A",
        "alternateBases": "G",
        "location": {
            "type": "SequenceLocation",
            "sequence_id": "refseq:NC_000022.11",
            "interval": {
                "type": "SequenceInterval",
                "start": {"type": "Number", "value": 5},
                "end": {"type": "Number", "value": 6},
            },
        },
    },
}


def _official(relative: Path) -> Any:
    return json.loads((schemas_dir() / relative).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("example", "schema"),
    VALID_FRAMEWORK_EXAMPLES,
    ids=[e.name for e, _ in VALID_FRAMEWORK_EXAMPLES],
)
def test_official_framework_examples_pass(example: Path, schema: str) -> None:
    validate_framework(_official(example), schema)


@pytest.mark.parametrize(
    ("example", "schema", "expected"),
    INVALID_FRAMEWORK_EXAMPLES,
    ids=[e.name for e, _, _ in INVALID_FRAMEWORK_EXAMPLES],
)
def test_official_examples_their_schemas_reject_fail(
    example: Path, schema: str, expected: list[str]
) -> None:
    with pytest.raises(AssertionError) as failure:
        validate_framework(_official(example), schema)
    for fragment in expected:
        assert fragment in str(failure.value)


def test_a_removed_required_key_is_named() -> None:
    info = _official(RESPONSE_EXAMPLES / "beaconInfo-MAX-example.json")
    del info["response"]["organization"]
    with pytest.raises(AssertionError, match=r"\$\.response: 'organization' is a required"):
        validate_framework(info, "responses/beaconInfoResponse.json")


def test_a_wrong_type_is_named_with_its_path() -> None:
    beacon_map = _official(RESPONSE_EXAMPLES / "beaconMapResponse-example.json")
    beacon_map["meta"]["apiVersion"] = 2
    with pytest.raises(AssertionError, match=r"\$\.meta\.apiVersion: 2 is not of type 'string'"):
        validate_framework(beacon_map, "responses/beaconMapResponse.json")


def test_every_error_is_listed_not_only_the_first() -> None:
    info = _official(RESPONSE_EXAMPLES / "beaconInfo-MIN-example.json")
    del info["meta"]
    info["response"]["id"] = ["not", "a", "string"]
    with pytest.raises(AssertionError) as failure:
        validate_framework(info, "responses/beaconInfoResponse.json")
    message = str(failure.value)
    assert message.startswith("2 error(s) against framework/json/responses/beaconInfoResponse")
    assert "$: 'meta' is a required property" in message
    assert "$.response.id: ['not', 'a', 'string'] is not of type 'string'" in message


def test_formats_are_checked() -> None:
    """`format` is only an annotation unless a format checker is passed; ours is."""
    analysis = _official(
        beacon_schemas.DEFAULT_MODEL / "analyses/examples/analyses-MIN-example.json"
    )
    validate_model(analysis, "analyses")
    analysis["analysisDate"] = "2021-13-45"
    with pytest.raises(AssertionError, match=r"\$\.analysisDate: '2021-13-45' is not a 'date'"):
        validate_model(analysis, "analyses")


@pytest.mark.parametrize(
    "example", ["genomicVariant-MIN-example.json", "genomicVariant-MIN-VRS-example.json"]
)
def test_official_genomic_variation_examples_pass(example: str) -> None:
    validate_model(_official(GENOMIC_VARIATION_EXAMPLES / example), "genomicVariations")


def test_official_mid_genomic_variation_example_is_itself_invalid() -> None:
    """Upstream gives `variantAlternativeIds` as strings; the model wants identifier objects."""
    example = _official(GENOMIC_VARIATION_EXAMPLES / "genomicVariant-MID-example.json")
    with pytest.raises(AssertionError) as failure:
        validate_model(example, "genomicVariations")
    assert str(failure.value).startswith("2 error(s)")
    assert "$.identifiers.variantAlternativeIds[0]: 'dbSNP:rs3975092470' is not of type" in str(
        failure.value
    )


def test_official_dataset_examples_pass() -> None:
    for example in ("dataset-MIN-example.json", "dataset-Max-example.json"):
        document = _official(beacon_schemas.DEFAULT_MODEL / "datasets" / "examples" / example)
        validate_model(document, "datasets")


def test_minimal_legacy_variation_passes() -> None:
    validate_model(LEGACY_SNV, "genomicVariations")


def test_symbolic_reference_bases_fail_naming_the_field() -> None:
    document = copy.deepcopy(LEGACY_SNV)
    document["variation"]["referenceBases"] = "<DEL>"
    with pytest.raises(AssertionError) as failure:
        validate_model(document, "genomicVariations")
    assert "[oneOf 2 LegacyVariation] $.variation.referenceBases: '<DEL>' does not match" in str(
        failure.value
    )


def test_missing_location_fails() -> None:
    document = copy.deepcopy(LEGACY_SNV)
    del document["variation"]["location"]
    with pytest.raises(AssertionError, match="'location' is a required property"):
        validate_model(document, "genomicVariations")


def test_vrs_location_is_enforced_not_stubbed() -> None:
    """A location VRS 1.3 rejects must fail: the remote VRS schema really was resolved."""
    document = copy.deepcopy(LEGACY_SNV)
    del document["variation"]["location"]["interval"]
    with pytest.raises(AssertionError, match="'interval' is a required property"):
        validate_model(document, "genomicVariations")


def test_unknown_entry_type_is_refused() -> None:
    with pytest.raises(ValueError, match="genomicVariations"):
        validate_model({}, "genomicVariants")


def test_remote_beacon_urls_of_any_branch_resolve_to_the_local_file() -> None:
    root = schemas_dir()
    local = root / "framework" / "json" / "common" / "ontologyTerm.json"
    resolver = beacon_schemas._registry(root).resolver()
    for branch in ("main", "v2.0.0"):
        remote = f"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/{branch}/"
        resolved = resolver.lookup(remote + "framework/json/common/ontologyTerm.json")
        assert resolved.contents["$id"] == local.as_uri()


def test_an_unmapped_remote_schema_fails_loudly() -> None:
    with pytest.raises(
        beacon_schemas.UnmappedRemoteSchemaError, match=r"https://example\.org/schema\.json"
    ):
        beacon_schemas._retrieve_remote(schemas_dir(), "https://example.org/schema.json")


def test_a_missing_schema_folder_skips_and_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-schemas-here"
    monkeypatch.setenv(beacon_schemas.SCHEMAS_DIR_VARIABLE, str(missing))
    with pytest.raises(pytest.skip.Exception) as skipped:
        validate_framework({}, "responses/beaconInfoResponse.json")
    assert str(missing) in str(skipped.value)
    assert beacon_schemas.SCHEMAS_DIR_VARIABLE in str(skipped.value)


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """Registries are cached per process; rebuild around a test that changes what is installed."""
    caches = (beacon_schemas._registry, beacon_schemas._validator, beacon_schemas._vrs_resource)
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


@pytest.mark.usefixtures("fresh_registry")
def test_a_missing_vrs_package_skips_only_what_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    validate_framework(_official(VALID_FRAMEWORK_EXAMPLES[0][0]), VALID_FRAMEWORK_EXAMPLES[0][1])
    with pytest.raises(pytest.skip.Exception, match=re.escape(VRS_INSTALL_COMMAND)):
        validate_model(LEGACY_SNV, "genomicVariations")
