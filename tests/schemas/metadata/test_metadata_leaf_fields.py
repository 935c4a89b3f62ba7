"""What the query side reads from the model: every value field's dot path and kind."""

from __future__ import annotations

import pytest
from metadata_records import ENTRIES

from schemas.metadata import LEAF_KINDS, leaf_fields, scalar_list_paths


@pytest.mark.parametrize(
    ("entry", "path", "kind"),
    [
        ("individuals", "id", "string"),
        ("individuals", "sex.id", "ontology-id"),
        ("individuals", "sex.label", "string"),
        ("individuals", "diseases.ageOfOnset.iso8601duration", "duration"),
        ("individuals", "diseases.ageOfOnset.start.iso8601duration", "duration"),
        ("individuals", "diseases.ageOfOnset.start", "datetime"),
        ("individuals", "diseases.ageOfOnset.weeks", "integer"),
        ("individuals", "diseases.familyHistory", "boolean"),
        ("individuals", "measures.measurementValue.value", "number"),
        ("individuals", "measures.measurementValue.id", "ontology-id"),
        ("individuals", "measures.measurementValue.typedQuantities.quantity.value", "number"),
        ("individuals", "measures.date", "date"),
        ("individuals", "pedigrees.members.role.id", "ontology-id"),
        ("individuals", "treatments.doseIntervals.interval.start", "datetime"),
        ("biosamples", "collectionDate", "date"),
        ("biosamples", "collectionMoment", "duration"),
        ("biosamples", "sampleOriginType.id", "ontology-id"),
        ("runs", "runDate", "date"),
        ("runs", "libraryLayout", "string"),
        ("analyses", "pipelineName", "string"),
        ("cohorts", "cohortSize", "integer"),
        ("cohorts", "inclusionCriteria.locations.id", "ontology-id"),
        ("cohorts", "collectionEvents.eventGenders.availabilityCount", "integer"),
        ("cohorts", "collectionEvents.eventTimeline.end", "datetime"),
    ],
)
def test_leaf_paths_and_kinds(entry, path, kind):
    assert leaf_fields(entry)[path] == kind


@pytest.mark.parametrize("entry", ENTRIES)
def test_paths_have_no_indices_and_kinds_are_known(entry):
    fields = leaf_fields(entry)
    assert fields["id"] == "string"
    assert set(fields.values()) <= set(LEAF_KINDS)
    assert not any("[" in path for path in fields)


@pytest.mark.parametrize("entry", ENTRIES)
def test_free_objects_are_not_leaves(entry):
    assert not any(path == "info" or path.startswith("info.") for path in leaf_fields(entry))
    assert "collectionEvents.eventDiseases.distribution" not in leaf_fields(entry)


@pytest.mark.parametrize("entry", ENTRIES)
def test_the_default_model_has_no_lists_of_scalars(entry):
    assert scalar_list_paths(entry) == frozenset()
