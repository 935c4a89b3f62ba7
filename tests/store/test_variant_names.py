"""The names a variant row leaves out (``app.store.variant_names``): left out only where they
read back as the row's own columns, and found again by lookups on both store paths."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_backends import mongodb_store, variant_document

from app.genome import REFSEQ_ACCESSIONS
from app.store import open_store
from app.store import query as q
from app.store.collections import VARIANTS
from app.store.sqlite_schema import internal_id_sql
from app.store.variant_names import (
    hgvs_id_derived,
    hgvs_id_position,
    stored_internal_id,
)


@pytest.mark.parametrize(
    ("name", "columns", "stored"),
    [
        ("GRCh38:1:100:A:G", ("GRCh38", "1", 99, "A", "G"), None),
        ("GRCh38:HLA-A*01:01:01:01:5:C:T", ("GRCh38", "HLA-A*01:01:01:01", 4, "C", "T"), None),
        ("GRCh37:X:1:ACGT:A", ("GRCh37", "X", 0, "ACGT", "A"), None),
        ("GRCh38:1:100:9f2a0c1d3e4b5a69", ("GRCh38", "1", 99, "N", "<DEL>"), "kept"),  # a digest
        ("GRCh38:1:0100:A:G", ("GRCh38", "1", 99, "A", "G"), "kept"),
        ("GRCh38:1:101:A:G", ("GRCh38", "1", 99, "A", "G"), "kept"),  # another position
        ("grch38:1:100:A:G", ("GRCh38", "1", 99, "A", "G"), "kept"),
        ("GRCh38:1:100:a:G", ("GRCh38", "1", 99, "A", "G"), "kept"),
        ("my-variant", ("GRCh38", "1", 99, "A", "G"), "kept"),
    ],
)
def test_an_internal_id_is_left_out_only_where_the_columns_spell_it(name, columns, stored):
    assert stored_internal_id(name, *columns) == (None if stored is None else name)


def test_a_genomic_hgvs_id_is_derived_only_where_it_reads_back_as_the_row():
    assert hgvs_id_derived("NC_000001.11:g.100A>G", "GRCh38", "1", 99, "A", "G")
    assert hgvs_id_derived("NC_012920.1:g.7C>T", "GRCh37", "MT", 6, "C", "T")
    assert hgvs_id_derived("NC_012920.1:g.7C>T", "GRCh38", "MT", 6, "C", "T")
    assert not hgvs_id_derived("NC_000001.10:g.100A>G", "GRCh38", "1", 99, "A", "G")
    assert not hgvs_id_derived("NC_000001.11:g.100A>T", "GRCh38", "1", 99, "A", "G")
    assert not hgvs_id_derived("NC_000001.11:g.100A>G", "GRCh38", "2", 99, "A", "G")
    assert not hgvs_id_derived("NC_000001.11:g.100_101delinsGG", "GRCh38", "1", 99, "AC", "GG")
    # a start before the chromosome spells a position no lookup reads back
    assert not hgvs_id_derived("NC_000001.11:g.0A>G", "GRCh38", "1", -1, "A", "G")
    assert hgvs_id_position("NC_999999.1:g.100A>G") is None
    assert hgvs_id_position("NC_000001.11:g.0A>G") is None


_TEXT = st.text(alphabet="ACGTN:1X-", max_size=3)


@given(
    hgvs=st.one_of(
        _TEXT,
        st.builds(
            lambda accession, position, ref, alt: f"{accession}:g.{position}{ref}>{alt}",
            st.sampled_from(["NC_000001.11", "NC_000001.10", "NC_012920.1", "NC_9"]),
            st.sampled_from(["0", "1", "01", "100", "-1"]),
            _TEXT,
            _TEXT,
        ),
    ),
    assembly=st.sampled_from(["GRCh38", "GRCh37", ""]),
    chrom=st.sampled_from(["1", "X", "MT", ""]),
    start=st.integers(-2, 120),
    ref=_TEXT,
    alt=_TEXT,
)
def test_an_hgvs_id_is_left_out_exactly_where_it_reads_back_as_the_row(
    hgvs, assembly, chrom, start, ref, alt
):
    """The writer's quick test agrees with reading the id back (what a lookup does), for any
    id and for the one the row's own columns would spell."""
    accession = REFSEQ_ACCESSIONS.get((assembly, chrom), "NC_000001.11")
    for name in (hgvs, f"{accession}:g.{start + 1}{ref}>{alt}"):
        position = hgvs_id_position(name)
        reads_back = (
            position is not None
            and assembly in position.assemblies
            and position[1:] == (chrom, start, ref, alt)
        )
        assert hgvs_id_derived(name, assembly, chrom, start, ref, alt) == reads_back, name


@given(start=st.integers(0, 10**9), ref=st.sampled_from("ACGTN"), alt=st.sampled_from("ACGT"))
def test_every_snv_hgvs_id_the_loader_writes_is_left_out(start, ref, alt):
    for (assembly, chrom), accession in REFSEQ_ACCESSIONS.items():
        hgvs = f"{accession}:g.{start + 1}{ref}>{alt}"
        assert hgvs_id_derived(hgvs, assembly, chrom, start, ref, alt)
        assert hgvs_id_position(hgvs)[1:] == (chrom, start, ref, alt)


def _variant(dataset: str, internal_id: str, start: int, ref: str, alt: str, **record) -> dict:
    document = variant_document(dataset, internal_id, start, referenceBases=ref, alternateBases=alt)
    document["record"] |= record
    return document


NAMED = [
    _variant("a", "GRCh38:1:101:A:G", 100, "A", "G",
             identifiers={"genomicHGVSId": "NC_000001.11:g.101A>G"}),
    # a name a tool wrote, and a row whose id names another row's position
    _variant("a", "tool-variant", 300, "C", "T",
             identifiers={"genomicHGVSId": "NC_000001.11:g.101A>G"}),
    _variant("a", "GRCh38:1:101:A:G", 500, "G", "C"),
    _variant("a", "GRCh38:1:701:T:A", 700, "T", "A"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("where", "count"),
    [
        (q.NamedVariant("GRCh38:1:101:A:G"), 2),  # one spelling it, one storing it
        (q.NamedVariant("NC_000001.11:g.101A>G"), 2),
        (q.NamedVariant("tool-variant"), 1),
        (q.NamedVariant("GRCh38:1:301:C:T"), 0),  # what the tool's row would have been called
        (q.VariantValue(q.VariantField.INTERNAL_ID, "=", "GRCh38:1:701:T:A"), 1),
        (q.VariantValue(q.VariantField.INTERNAL_ID, "!", "GRCh38:1:701:T:A"), 3),
        (q.VariantValue(q.VariantField.INTERNAL_ID, ">", "GRCh38:1:5"), 2),
        (q.VariantValue(q.VariantField.HGVS_ID, "=", "NC_000001.11:g.101A>G"), 2),
        (q.VariantValue(q.VariantField.HGVS_ID, "!", "NC_000001.11:g.101A>G"), 2),
        (q.VariantValue(q.VariantField.HGVS_ID, "<", "NC_000001.11:g.2"), 2),
        (q.VariantValueIn(q.VariantField.INTERNAL_ID, ("GRCh38:1:101:A:G", "tool-variant")), 3),
    ],
)
def test_lookups_by_name_find_the_same_rows_on_both_stores(tmp_path, where, count):
    """The embedded store leaves the readable names out; MongoDB's documents hold them all."""
    found = []
    for store in (open_store(f"sqlite://{tmp_path}"), mongodb_store()):
        store.replace_many([(VARIANTS, {"datasetId": "a"}, NAMED)])
        fields = ("variantInternalId", "start")
        found.append(
            sorted((d[fields[0]], d[fields[1]]) for d in store.project(VARIANTS, where, fields))
        )
        found.append(
            [record["variantInternalId"] for record in store.records(VARIANTS, where, 0, 9)]
        )
    assert found[0] == found[2] and found[1] == found[3], found
    assert len(found[0]) == count


def test_the_embedded_store_keeps_only_the_names_its_columns_do_not_spell(tmp_path):
    open_store(f"sqlite://{tmp_path}").replace_many([(VARIANTS, {"datasetId": "a"}, NAMED)])
    connection = sqlite3.connect(tmp_path / "store.sqlite3")
    rows = connection.execute(
        "SELECT start, internal_id, hgvs_id, hgvs_derived FROM variant ORDER BY start"
    ).fetchall()
    assert rows == [
        (100, None, None, 1),
        (300, "tool-variant", "NC_000001.11:g.101A>G", 0),
        (500, "GRCh38:1:101:A:G", None, 0),
        (700, None, None, 0),
    ]


def test_data_connects_variant_id_is_searched_in_the_index(tmp_path):
    """The view's ``variant_id`` is the expression the index holds, so an equality on it is a
    search, not a scan of every variant."""
    open_store(f"sqlite://{tmp_path}").replace_many([(VARIANTS, {"datasetId": "a"}, NAMED)])
    connection = sqlite3.connect(tmp_path / "store.sqlite3")
    view = f"SELECT {internal_id_sql()} AS variant_id FROM variant"
    plan = connection.execute(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM ({view}) WHERE variant_id = ?", ("x",)
    ).fetchall()
    (step,) = [row[-1] for row in plan]
    assert step.startswith("SEARCH variant USING") and "INDEX variant_internal_id" in step, step
