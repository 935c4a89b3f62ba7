"""Beacon query parameters -> MongoDB filters, checked as plain data (no Flask, no database)."""

from __future__ import annotations

import pytest

from app.query.variants import (
    InvalidVariantQueryError,
    VariantQuery,
    bases_condition,
    check_variant_query,
    query_type,
    variant_filter,
    variant_id_filter,
)


def test_sequence_query_is_equality_on_the_position_index_prefix():
    query = VariantQuery(
        assembly_id="hg38",
        reference_name="chr12",
        start=[111803961],
        reference_bases="G",
        alternate_bases="A",
    )
    assert variant_filter(query, "ds1", longest_variant=50) == {
        "datasetId": "ds1",
        "assemblyId": "GRCh38",
        "referenceName": "12",
        "start": 111803961,
        "referenceBases": "G",
        "alternateBases": "A",
    }


def test_range_query_accepts_partial_overlap_and_bounds_start_by_longest_variant():
    query = VariantQuery(reference_name="1", start=[1000], end=[2000])
    selector = variant_filter(query, "ds1", longest_variant=300)
    assert selector["start"] == {"$lt": 2000, "$gt": 700}
    assert selector["end"] == {"$gt": 1000}


def test_range_query_without_known_longest_variant_has_no_lower_start_bound():
    query = VariantQuery(reference_name="1", start=[1000], end=[2000])
    assert variant_filter(query, "ds1", longest_variant=None)["start"] == {"$lt": 2000}


def test_bracket_query_uses_half_open_brackets():
    query = VariantQuery(reference_name="X", start=[100, 200], end=[500, 600])
    selector = variant_filter(query, "ds1", longest_variant=10)
    assert selector["start"] == {"$gte": 100, "$lt": 200}
    assert selector["end"] == {"$gte": 500, "$lt": 600}
    assert selector["referenceName"] == "X"


def test_refseq_reference_name_gives_chromosome_and_assembly():
    query = VariantQuery(reference_name="refseq:NC_000009.12", start=[5], alternate_bases="T")
    selector = variant_filter(query, "ds1", None)
    assert (selector["referenceName"], selector["assemblyId"]) == ("9", "GRCh38")


def test_refseq_reference_name_contradicting_assembly_is_refused():
    query = VariantQuery(
        assembly_id="GRCh37", reference_name="NC_000009.12", start=[5], alternate_bases="T"
    )
    with pytest.raises(InvalidVariantQueryError, match="belongs to GRCh38"):
        check_variant_query(query)


def test_gene_query_with_type_length_and_aminoacid():
    query = VariantQuery(
        gene_id="ALDH2",
        variant_type="snv",
        variant_min_length=1,
        variant_max_length=1,
        aminoacid_change="e504k",
    )
    assert query_type(query) == "gene"
    assert variant_filter(query, "ds1", None) == {
        "datasetId": "ds1",
        # by the case-folded key; exactly on variants loaded before keys were written
        "$or": [{"geneKeys": "aldh2"}, {"geneKeys": {"$exists": False}, "geneIds": "ALDH2"}],
        "variantType": {"$in": ["SNP"]},
        "variantLength": {"$gte": 1, "$lte": 1},
        "aminoacidChanges": "E504K",
    }


def test_cnv_type_also_finds_deletions_and_duplications():
    query = VariantQuery(reference_name="1", start=[0], end=[10**6], variant_type="CNV")
    assert variant_filter(query, "d", None)["variantType"] == {"$in": ["CNV", "DEL", "DUP"]}


def test_n_is_a_wildcard_for_one_base():
    condition = bases_condition("ANNT")
    assert condition == {"$regex": "^A[ACGTN][ACGTN]T$"}
    assert bases_condition("ACGT") == "ACGT"


def test_identifier_lookup_matches_internal_external_or_hgvs_ids():
    assert variant_id_filter("rs671", "d") == {
        "datasetId": "d",
        "$or": [
            {"variantInternalId": "rs671"},
            {"identifiers": "rs671"},
            {"record.identifiers.genomicHGVSId": "rs671"},
        ],
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (VariantQuery(reference_name="1", end=[5]), "end is given without start"),
        (VariantQuery(start=[5], alternate_bases="A"), "needs referenceName"),
        (VariantQuery(reference_name="1", start=[5]), "needs alternateBases or variantType"),
        (VariantQuery(reference_name="1", start=[9], end=[5]), "must be lower than end"),
        (VariantQuery(reference_name="1", start=[5], end=[5]), "must be lower than end"),
        (VariantQuery(reference_name="1", start=[5, 9], end=[20]), "one value"),
        (VariantQuery(reference_name="1", start=[5, 9]), "two end values"),
        (VariantQuery(reference_name="1", start=[9, 5], end=[20, 30]), "ascending"),
        (VariantQuery(reference_name="1", start=[50, 60], end=[20, 30]), "before the end"),
        (VariantQuery(mate_name="2"), "mateName"),
        (VariantQuery(variant_min_length=5, variant_max_length=2), "greater than"),
        (VariantQuery(assembly_id="hg99", gene_id="X"), "unsupported assembly 'hg99'"),
        (VariantQuery(reference_bases="A", alternate_bases="G"), "need a start"),
    ],
)
def test_queries_the_specification_does_not_define_are_refused(query, message):
    with pytest.raises(InvalidVariantQueryError, match=message):
        check_variant_query(query)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("GCF_000001405.39", "GRCh38"),
        ("GCF_000001405.40", "GRCh38"),
        ("GRCh38.p14", "GRCh38"),
        ("hg19", "GRCh37"),
        ("GCF_000001405.25", "GRCh37"),
    ],
)
def test_assembly_synonyms_and_patch_accessions(name, canonical):
    query = VariantQuery(assembly_id=name, gene_id="ALDH2")
    assert variant_filter(query, "d", None)["assemblyId"] == canonical
