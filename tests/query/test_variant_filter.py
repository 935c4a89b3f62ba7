"""Beacon query parameters -> what they select (app.store.query), checked as plain data (no
Flask, no database); tests/store/test_lower_mongo.py checks what MongoDB is then asked."""

from __future__ import annotations

import pytest

from app.query.variants import (
    InvalidVariantQueryError,
    VariantQuery,
    check_variant_query,
    query_type,
    variant_filter,
    variant_id_filter,
)
from app.store.query import (
    All,
    Assembly,
    Bases,
    Bracket,
    Chromosome,
    Gene,
    InDatasets,
    LengthBetween,
    NamedVariant,
    Overlaps,
    StartsAt,
    VariantField,
    VariantTypes,
    VariantValue,
)


def test_sequence_query_selects_the_position_and_the_alleles():
    query = VariantQuery(
        assembly_id="hg38",
        reference_name="chr12",
        start=[111803961],
        reference_bases="G",
        alternate_bases="A",
    )
    assert variant_filter(query, "ds1", longest_variant=50) == All(
        (
            InDatasets(("ds1",)),
            Assembly("GRCh38"),
            Chromosome("12"),
            Bases("G", "A"),
            StartsAt(111803961),
        )
    )


def test_range_query_overlaps_and_carries_the_longest_variant():
    query = VariantQuery(reference_name="1", start=[1000], end=[2000])
    assert Overlaps(1000, 2000, 300) in variant_filter(query, "ds1", longest_variant=300).parts
    assert Overlaps(1000, 2000, None) in variant_filter(query, "ds1", longest_variant=None).parts


def test_bracket_query_gives_both_brackets():
    query = VariantQuery(reference_name="X", start=[100, 200], end=[500, 600])
    parts = variant_filter(query, "ds1", longest_variant=10).parts
    assert Bracket(100, 200, 500, 600) in parts
    assert Chromosome("X") in parts


def test_refseq_reference_name_gives_chromosome_and_assembly():
    query = VariantQuery(reference_name="refseq:NC_000009.12", start=[5], alternate_bases="T")
    parts = variant_filter(query, "ds1", None).parts
    assert Chromosome("9") in parts and Assembly("GRCh38") in parts


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
    assert variant_filter(query, "ds1", None) == All(
        (
            InDatasets(("ds1",)),
            VariantTypes(("SNP",)),
            LengthBetween(1, 1),
            Gene("=", "ALDH2"),  # case-folded by the store
            VariantValue(VariantField.AMINOACID_CHANGES, "=", "E504K"),
        )
    )


def test_cnv_type_also_finds_deletions_and_duplications():
    query = VariantQuery(reference_name="1", start=[0], end=[10**6], variant_type="CNV")
    assert VariantTypes(("CNV", "DEL", "DUP")) in variant_filter(query, "d", None).parts


def test_identifier_lookup_names_the_variant_in_the_dataset():
    assert variant_id_filter("rs671", "d") == All((InDatasets(("d",)), NamedVariant("rs671")))


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
    assert Assembly(canonical) in variant_filter(query, "d", None).parts
