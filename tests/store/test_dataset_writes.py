"""What loads write and read, in our own terms, on every backend: a dataset's documents of one
collection, its filtering terms of some scopes, its summaries, all of it; a release reading
what it wrote so far while the served store reads the release before it."""

from __future__ import annotations

import pytest

from app.store import Store
from app.store.collections import (
    BIOSAMPLES,
    DATASETS,
    FILTERING_TERMS,
    INDIVIDUALS,
    METADATA_STATS,
    VARIANT_STATS,
)
from app.store.query import EVERYTHING, EntryIds, HasLink, in_dataset


def _people(dataset_id: str, *ids: str) -> list[dict]:
    return [{"datasetId": dataset_id, "id": ident, "record": {"id": ident}} for ident in ids]


def _term(dataset_id: str, scope: str, term: str) -> dict:
    return {"datasetId": dataset_id, "scope": scope, "kind": "ontology", "id": term}


def _two_datasets(store: Store) -> None:
    with store.release("two datasets") as release:
        release.replace_dataset(INDIVIDUALS, "a", _people("a", "a1", "a2"))
        release.replace_dataset(INDIVIDUALS, "b", _people("b", "b1"))
        release.put_stats(VARIANT_STATS, "a", {"variantCount": 3, "sampleIds": ["a1", "a2"]})
        release.put_stats(METADATA_STATS, "b", {"individualCount": 1})
        release.replace_terms(
            "a",
            ["individual", "biosample"],
            [_term("a", "individual", "NCIT:C1"), _term("a", "genomicVariation", "SO:1")],
        )


def _ids(store: Store, collection_name: str, dataset_id: str) -> list[str]:
    return sorted(store.distinct(collection_name, "id", in_dataset(dataset_id)))


def test_replace_dataset_replaces_that_datasets_documents_only(any_store):
    _two_datasets(any_store)
    with any_store.release("a again") as release:
        written = release.replace_dataset(INDIVIDUALS, "a", _people("a", "a3"))
        # the release reads its own writes; the served store still reads the release before
        assert written == 1
        assert release.count(INDIVIDUALS, in_dataset("a")) == 1
        assert any_store.count(INDIVIDUALS, in_dataset("a")) == 2
    assert _ids(any_store, INDIVIDUALS, "a") == ["a3"]
    assert _ids(any_store, INDIVIDUALS, "b") == ["b1"]


def test_an_error_inside_the_release_leaves_the_served_data_as_it_was(any_store):
    _two_datasets(any_store)
    before = any_store.releases()
    with pytest.raises(RuntimeError, match="killed"), any_store.release("failing") as release:
        release.replace_dataset(INDIVIDUALS, "a", [])
        release.drop_dataset("b")
        raise RuntimeError("killed")
    assert any_store.releases() == before
    assert _ids(any_store, INDIVIDUALS, "a") == ["a1", "a2"]
    assert any_store.collections_holding("b") == [INDIVIDUALS, METADATA_STATS]


def test_replace_terms_keeps_the_other_scopes_and_datasets(any_store):
    _two_datasets(any_store)
    with any_store.release("b terms") as release:
        release.replace_terms("b", ["individual"], [_term("b", "individual", "NCIT:C9")])
    with any_store.release("a terms") as release:
        written = release.replace_terms("a", ["individual", "biosample"], [])
    assert written == 0
    kept = any_store.project(FILTERING_TERMS, EVERYTHING, ("datasetId", "scope", "id"), ["id"])
    assert list(kept) == [
        {"datasetId": "b", "scope": "individual", "id": "NCIT:C9"},
        {"datasetId": "a", "scope": "genomicVariation", "id": "SO:1"},
    ]


def test_put_stats_keeps_one_summary_per_dataset_read_by_its_id(any_store):
    _two_datasets(any_store)
    with any_store.release("a stats") as release:
        release.put_stats(VARIANT_STATS, "a", {"variantCount": 5})
    (stats,) = any_store.project(VARIANT_STATS, in_dataset("a"), ("variantCount", "sampleIds"))
    assert stats == {"variantCount": 5}  # the whole row replaced
    assert any_store.exists(METADATA_STATS, in_dataset("b"))
    assert not any_store.exists(METADATA_STATS, in_dataset("a"))
    assert any_store.collection(VARIANT_STATS).find_one({}, {"_id": 1}) == {"_id": "a"}
    with any_store.release("not a summary") as release:
        with pytest.raises(ValueError, match="individuals holds no summaries of datasets"):
            release.put_stats(INDIVIDUALS, "a", {"n": 1})
        with pytest.raises(ValueError, match="things holds no documents of datasets"):
            release.replace_dataset("things", "a", [])


def test_drop_dataset_removes_it_from_every_collection_in_one_release(any_store):
    _two_datasets(any_store)
    with any_store.release("drop a") as release:
        assert release.drop_dataset("a") == [VARIANT_STATS, INDIVIDUALS, FILTERING_TERMS]
        assert release.collections_holding("a") == []
        assert release.drop_dataset("a") == []
    assert any_store.collections_holding("a") == []
    assert any_store.collections_holding("b") == [INDIVIDUALS, METADATA_STATS]
    any_store.rollback()
    assert any_store.collections_holding("a") == [VARIANT_STATS, INDIVIDUALS, FILTERING_TERMS]


def test_reads_name_the_dataset_by_whichever_field_holds_it(any_store):
    """The descriptions and summaries are keyed by the dataset's id, the entries carry it in
    a field of their own: the same predicate selects both."""
    _two_datasets(any_store)
    any_store.upsert_by_id(DATASETS, [{"_id": "a", "id": "a", "name": "A"}])
    assert any_store.exists(VARIANT_STATS, in_dataset("a"))
    assert not any_store.exists(VARIANT_STATS, in_dataset("b"))
    assert any_store.count(DATASETS, in_dataset("a")) == 1
    assert sorted(any_store.distinct(VARIANT_STATS, "sampleIds", in_dataset("a"))) == ["a1", "a2"]
    assert [row["name"] for row in any_store.project(DATASETS, in_dataset("a"), ["name"])] == ["A"]


def test_projections_and_links_of_one_dataset(any_store):
    with any_store.release("biosamples") as release:
        release.replace_dataset(
            BIOSAMPLES,
            "a",
            [
                {"datasetId": "a", "id": "s1", "individualId": "a1"},
                {"datasetId": "a", "id": "s2"},
                {"datasetId": "a", "id": "s3", "individualId": "a2"},
            ],
        )
        release.replace_dataset(BIOSAMPLES, "b", [{"datasetId": "b", "id": "s1"}])
    linked = any_store.distinct(
        BIOSAMPLES, "individualId", in_dataset("a", HasLink("individualId"))
    )
    assert sorted(linked) == ["a1", "a2"]
    chosen = in_dataset("a", EntryIds(("s1", "s2")))
    assert sorted(
        any_store.project(BIOSAMPLES, chosen, ("id", "individualId")), key=lambda row: row["id"]
    ) == [{"id": "s1", "individualId": "a1"}, {"id": "s2"}]
