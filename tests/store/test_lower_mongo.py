"""What MongoDB (and the mongomock-backed store) is asked for each predicate: the shapes the
indexes serve, checked as plain data; test_filters.py and the store tests run them."""

from __future__ import annotations

import mongomock
import pytest

from app.store.lower_mongo import mongo_filter
from app.store.query import (
    EVERYTHING,
    All,
    AnyOf,
    Assembly,
    Bases,
    Bracket,
    Chromosome,
    CommonAllele,
    Gene,
    InDatasets,
    LengthBetween,
    NamedVariant,
    Not,
    Overlaps,
    RareAllele,
    StartsAt,
    VariantField,
    VariantTypes,
    VariantValue,
    every,
    in_dataset,
)


def test_a_sequence_query_is_equality_on_the_position_index_prefix():
    where = in_dataset("ds1", Assembly("GRCh38"), Chromosome("12"), Bases("G", "A"), StartsAt(5))
    assert mongo_filter(where) == {
        "datasetId": "ds1",
        "assemblyId": "GRCh38",
        "referenceName": "12",
        "start": 5,
        "referenceBases": "G",
        "alternateBases": "A",
    }


def test_an_overlap_bounds_start_by_the_longest_variant_when_known():
    assert mongo_filter(Overlaps(1000, 2000, 300)) == {
        "start": {"$lt": 2000, "$gt": 700},
        "end": {"$gt": 1000},
    }
    assert mongo_filter(Overlaps(1000, 2000)) == {"start": {"$lt": 2000}, "end": {"$gt": 1000}}


def test_a_bracket_is_half_open_on_both_ends():
    assert mongo_filter(Bracket(100, 200, 500, 600)) == {
        "start": {"$gte": 100, "$lt": 200},
        "end": {"$gte": 500, "$lt": 600},
    }


def test_n_is_a_wildcard_for_one_base():
    assert mongo_filter(Bases("ANNT")) == {"referenceBases": {"$regex": "^A[ACGTN][ACGTN]T$"}}
    assert mongo_filter(Bases(alternate="ACGT")) == {"alternateBases": "ACGT"}


def test_a_gene_is_matched_by_its_folded_key_or_as_stored_on_variants_without_keys():
    assert mongo_filter(Gene("=", "ALDH2")) == {
        "$or": [{"geneKeys": "aldh2"}, {"geneKeys": {"$exists": False}, "geneIds": "ALDH2"}]
    }
    assert mongo_filter(Gene("!", "ALDH2")) == {"$nor": [mongo_filter(Gene("=", "ALDH2"))]}


def test_types_lengths_and_values():
    assert mongo_filter(VariantTypes(("SNP",))) == {"variantType": "SNP"}
    assert mongo_filter(VariantTypes(("CNV", "DEL"))) == {"variantType": {"$in": ["CNV", "DEL"]}}
    assert mongo_filter(LengthBetween(1, None)) == {"variantLength": {"$gte": 1}}
    assert mongo_filter(LengthBetween()) == {}
    hgvs = VariantValue(VariantField.HGVS_ID, "=", "NC_1:g.5A>G")
    assert mongo_filter(hgvs) == {"record.identifiers.genomicHGVSId": "NC_1:g.5A>G"}
    carriers = VariantValue(VariantField.CARRIERS, "!", "S1")
    assert mongo_filter(carriers) == {"biosampleIds": {"$ne": "S1"}}


def test_a_named_variant_is_any_of_its_three_ids():
    assert mongo_filter(NamedVariant("rs671")) == {
        "$or": [
            {"variantInternalId": "rs671"},
            {"identifiers": "rs671"},
            {"record.identifiers.genomicHGVSId": "rs671"},
        ]
    }


def test_parts_on_different_fields_make_one_document_and_repeats_an_and():
    assert mongo_filter(every(InDatasets(("a", "b")), StartsAt(3))) == {
        "datasetId": {"$in": ["a", "b"]},
        "start": 3,
    }
    both = All((Gene("=", "A"), Gene("=", "B")))
    assert mongo_filter(both) == {
        "$and": [mongo_filter(Gene("=", "A")), mongo_filter(Gene("=", "B"))]
    }
    assert mongo_filter(EVERYTHING) == {}


def test_the_dataset_field_can_be_named():
    where = every(InDatasets(("a",)), AnyOf((Not(InDatasets(("b",))), CommonAllele(0.01))))
    assert mongo_filter(where, dataset_field="_id") == {
        "_id": "a",
        "$or": [{"$nor": [{"_id": "b"}]}, {"alleleFrequency": {"$gte": 0.01}}],
    }


FREQUENCIES = [{"_id": 1, "alleleFrequency": 0.5}, {"_id": 2, "alleleFrequency": 0.001},
               {"_id": 3, "alleleFrequency": None}, {"_id": 4}]  # fmt: skip


@pytest.mark.parametrize(
    ("where", "ids"),
    [
        (CommonAllele(0.01), [1]),
        (RareAllele(0.01), [2, 3, 4]),  # unknown frequency counts as rare
        (Not(CommonAllele(0.01)), [2, 3, 4]),
        (AnyOf(()), []),
        (EVERYTHING, [1, 2, 3, 4]),
    ],
)
def test_common_and_rare_alleles_split_every_variant(where, ids):
    collection = mongomock.MongoClient().db.variants
    collection.insert_many([dict(document) for document in FREQUENCIES])
    assert sorted(d["_id"] for d in collection.find(mongo_filter(where))) == ids
