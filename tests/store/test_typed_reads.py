"""The store's reads in our own terms (app.store.query), on every backend: the same selection
gives the same answer, whatever stores it."""

from __future__ import annotations

import pytest
from store_backends import variant_document

from app.store import Store
from app.store.collections import (
    DATASETS,
    FILTERING_TERMS,
    INDIVIDUALS,
    PRIVACY_LAWS,
    VARIANT_STATS,
    VARIANTS,
)
from app.store.query import (
    EVERYTHING,
    AnyOf,
    Chromosome,
    CommonAllele,
    EntryIds,
    HasOntologyTerm,
    InDatasets,
    LinkedTo,
    Overlaps,
    RareAllele,
    in_dataset,
)


def variant(dataset: str, chromosome: str, start: int, frequency: float | None) -> dict:
    internal = f"{chromosome}:{start}"
    return variant_document(
        dataset,
        internal,
        start,
        referenceName=chromosome,
        alleleFrequency=frequency,
        biosampleIds=[f"S{start}"],
    )


def individual(dataset: str, ident: str, *terms: str) -> dict:
    return {
        "datasetId": dataset,
        "id": ident,
        "ontologyTerms": list(terms),
        "record": {"id": ident},
    }


@pytest.fixture
def filled(any_store: Store) -> Store:
    variants = [variant("a", "1", start, start / 100) for start in (5, 1, 3)]
    variants += [variant("a", "2", 2, None), variant("b", "1", 3, 0.5)]
    any_store.replace_many(
        [
            (VARIANTS, {}, variants),
            (INDIVIDUALS, {}, [individual("a", "i2", "HP:1"), individual("a", "i1"),
                               individual("b", "i1", "HP:1")]),
            (FILTERING_TERMS, {}, [
                {"datasetId": "a", "scope": "individual", "kind": "ontology", "id": "HP:1"},
                {"datasetId": "b", "scope": "biosample", "kind": "alphanumeric", "id": "x"},
            ]),
        ]
    )  # fmt: skip
    any_store.upsert_by_id(DATASETS, [{"_id": "a", "name": "A"}, {"_id": "b", "name": "B"}])
    any_store.upsert_by_id(VARIANT_STATS, [{"_id": "a", "variantCount": 4, "sampleIds": ["S"]}])
    return any_store


def test_exists_count_and_records_in_the_collections_order(filled):
    on_one = in_dataset("a", Chromosome("1"))
    assert filled.exists(VARIANTS, on_one)
    assert not filled.exists(VARIANTS, in_dataset("c"))
    assert filled.count(VARIANTS, on_one) == 3
    assert filled.count(VARIANTS, in_dataset("a", Chromosome("1"), CommonAllele(0.03))) == 2
    starts = [r["variantInternalId"] for r in filled.records(VARIANTS, in_dataset("a"), 1, 2)]
    assert starts == ["1:3", "1:5"]  # by position, after the first
    people = filled.records(INDIVIDUALS, InDatasets(("a", "b")), 0, 10)
    assert [person["id"] for person in people] == ["i1", "i1", "i2"]


def test_a_count_also_says_whether_what_it_counted_meets_a_check(filled):
    """The count and the query budget's check of the variants counted, in one read: dataset
    a's chromosome 1 holds 0.01, 0.03 and 0.05; an unknown frequency (chromosome 2) is rare."""
    on_one = in_dataset("a", Chromosome("1"))
    assert filled.count_meeting(VARIANTS, on_one, RareAllele(0.02)) == (3, True)
    assert filled.count_meeting(VARIANTS, on_one, RareAllele(0.01)) == (3, False)
    assert filled.count_meeting(VARIANTS, on_one, CommonAllele(0.05)) == (3, True)
    assert filled.count_meeting(VARIANTS, in_dataset("a"), RareAllele(0.001)) == (4, True)
    assert filled.count_meeting(VARIANTS, in_dataset("b"), RareAllele(0.5)) == (1, False)
    assert filled.count_meeting(VARIANTS, in_dataset("c"), RareAllele(1.0)) == (0, False)
    either = AnyOf((EntryIds(("i2",)), HasOntologyTerm(("HP:1",))))
    assert filled.count_meeting(INDIVIDUALS, either, InDatasets(("b",))) == (2, True)
    assert filled.count_meeting(INDIVIDUALS, either, EntryIds(("i1",))) == (2, True)
    assert filled.count_meeting(INDIVIDUALS, in_dataset("a"), EntryIds(("i3",))) == (2, False)


def test_overlaps_and_any_of(filled):
    assert filled.count(VARIANTS, in_dataset("a", Chromosome("1"), Overlaps(2, 4, 1))) == 1
    either = AnyOf((EntryIds(("i2",)), HasOntologyTerm(("HP:1",))))
    assert filled.count(INDIVIDUALS, either) == 2


def test_distinct_and_project(filled):
    carriers = filled.distinct(VARIANTS, "biosampleIds", in_dataset("a", Chromosome("1")))
    assert sorted(carriers) == ["S1", "S3", "S5"]
    linked = filled.count(VARIANTS, LinkedTo("biosampleIds", ("S3", "S9")))
    assert linked == 2
    rows = list(filled.project(INDIVIDUALS, EVERYTHING, ("id", "datasetId"), ("id", "datasetId")))
    assert rows == [
        {"id": "i1", "datasetId": "a"},
        {"id": "i1", "datasetId": "b"},
        {"id": "i2", "datasetId": "a"},
    ]


def test_per_dataset_documents_come_by_dataset_id(filled):
    assert filled.by_dataset(DATASETS) == {"a": {"name": "A"}, "b": {"name": "B"}}
    assert filled.by_dataset(DATASETS, ["b", "z"]) == {"b": {"name": "B"}}
    assert filled.by_dataset(VARIANT_STATS, fields=["variantCount"]) == {"a": {"variantCount": 4}}
    assert filled.dataset_ids_of(VARIANTS) == {"a", "b"}
    assert filled.dataset_ids_of(VARIANT_STATS) == {"a"}
    with pytest.raises(ValueError, match="one document per dataset"):
        filled.by_dataset(VARIANTS)


def test_filtering_terms_by_dataset_scope_and_kind(filled):
    assert [row["id"] for row in filled.filtering_terms(["a", "b"], kinds=["ontology"])] == ["HP:1"]
    assert [row["id"] for row in filled.filtering_terms(scopes=["biosample"])] == ["x"]
    assert list(filled.filtering_terms(["c"])) == []


def test_a_process_local_table_holds_exactly_the_rows_synced(any_store):
    any_store.sync_rows(PRIVACY_LAWS, [{"_id": "x", "v": 1}, {"_id": "y", "v": 1}])
    any_store.sync_rows(PRIVACY_LAWS, [{"_id": "y", "v": 2}, {"_id": "z", "v": 2}])
    rows = sorted(any_store.collection(PRIVACY_LAWS).find({}), key=lambda row: row["_id"])
    assert rows == [{"_id": "y", "v": 2}, {"_id": "z", "v": 2}]
    with pytest.raises(ValueError, match="not rebuilt by each process"):
        any_store.sync_rows(DATASETS, [])
