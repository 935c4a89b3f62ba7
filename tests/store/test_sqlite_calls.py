"""What one store call costs the embedded store on SQLite, and that the shortcuts taken keep
its answers: one statement per count, the parts of the datasets named in it, a release
switched by another connection seen by the next call, gene counts from the gene-key table."""

from __future__ import annotations

import pytest
from store_backends import variant_document

from app.store import open_store
from app.store.collections import VARIANTS
from app.store.lower_sql import sql_count
from app.store.query import (
    Chromosome,
    CommonAllele,
    Gene,
    InDatasets,
    RareAllele,
    StartsAt,
    in_dataset,
)


def _variant(dataset: str, start: int, **fields) -> dict:
    genes = ["ALDH2"] if start % 2 else ["BRCA2", "Aldh2"]
    return variant_document(
        dataset,
        f"{dataset}:{start}",
        start,
        geneIds=genes,
        geneKeys=[gene.casefold() for gene in genes],
        alleleFrequency=None if start % 5 == 0 else (start % 7) / 10,
        **fields,
    )


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite://{tmp_path}")
    for dataset in ("a", "b"):
        store.replace_documents(
            VARIANTS, {"datasetId": dataset}, [_variant(dataset, s) for s in range(100, 400)]
        )
    return store


def _statements(store) -> list[str]:
    """The statements the calling thread's connection runs from now on."""
    seen: list[str] = []
    with store._backend.session() as connection:
        connection.set_trace_callback(seen.append)
    return seen


def test_a_count_outside_a_release_held_is_one_statement_naming_its_parts(store):
    where = in_dataset("a", Chromosome("1"), StartsAt(150))
    assert store.count(VARIANTS, where) == 1  # the served release is known from here on
    seen = _statements(store)
    assert store.count(VARIANTS, where) == 1
    assert store.exists(VARIANTS, in_dataset("b", Chromosome("1"), StartsAt(399)))
    assert not store.exists(VARIANTS, in_dataset("b", Chromosome("1"), StartsAt(400)))
    assert len(seen) == 3, seen
    assert not [text for text in seen if "stored_part" in text], seen


def test_a_release_switched_by_another_connection_is_seen_by_the_next_call(store, tmp_path):
    other = open_store(f"sqlite://{tmp_path}")  # another connection (as another process)
    where = InDatasets(("a",))
    assert store.count(VARIANTS, where) == 300
    assert len(store.records(VARIANTS, where, 0, 0)) == 300
    assert other.count(VARIANTS, where) == 300
    other.replace_documents(VARIANTS, {"datasetId": "a"}, [_variant("a", 7)])
    assert store.records(VARIANTS, where, 0, 0) == [{"variantInternalId": "a:7"}]
    assert store.count(VARIANTS, where) == 1
    assert store.exists(VARIANTS, in_dataset("a", StartsAt(7)))
    assert store.count(VARIANTS, in_dataset("a", Gene("=", "aldh2"))) == 1
    # this connection's own switch, and the parts a rollback serves again
    store.rollback()
    assert len(store.records(VARIANTS, where, 0, 0)) == 300
    assert store.count(VARIANTS, where) == 300
    assert other.count(VARIANTS, where) == 300
    assert not other.exists(VARIANTS, in_dataset("a", StartsAt(7)))


def test_the_gene_key_table_holds_each_variants_part_and_frequency(store):
    with store._backend.session() as connection:
        differing = connection.execute(
            "SELECT count(*) FROM variant_gene_key AS k JOIN variant AS v USING (vid) "
            "WHERE k.part != v.part OR k.af IS NOT v.af"
        ).fetchone()[0]
        keys, rows = connection.execute(
            "SELECT (SELECT count(*) FROM variant_gene_key), "
            "(SELECT count(*) FROM variant WHERE af IS NULL)"
        ).fetchone()
    assert differing == 0
    assert keys == 2 * (150 + 150 * 2)  # one key per odd start, two per even one
    assert rows == 2 * 60


@pytest.mark.parametrize("rule", [None, CommonAllele(0.3), RareAllele(0.3)])
def test_a_gene_count_reads_the_gene_key_table_alone(store, rule):
    where = in_dataset("a", Gene("=", "ALDH2"), *([rule] if rule else []))
    statement = sql_count(VARIANTS, where, store._backend.served_reading(VARIANTS))
    with store._backend.session() as connection:
        plan = [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + statement[0],
                                                      statement[1])]  # fmt: skip
    assert plan == ["SEARCH variant_gene_key USING PRIMARY KEY (gene_key=? AND part=?)"]

    def expected(start: int) -> bool:
        af = None if start % 5 == 0 else (start % 7) / 10
        if isinstance(rule, CommonAllele):
            return af is not None and af >= 0.3
        if isinstance(rule, RareAllele):
            return af is None or af < 0.3
        return True

    assert store.count(VARIANTS, where) == sum(map(expected, range(100, 400)))


def test_variants_without_gene_keys_still_match_their_symbols_as_stored(store):
    unkeyed = [
        {key: value for key, value in _variant("c", start).items() if key != "geneKeys"}
        for start in (1, 2)
    ]
    store.replace_documents(VARIANTS, {"datasetId": "c"}, unkeyed)
    assert not store._backend.served_reading(VARIANTS).genes_keyed
    assert store.count(VARIANTS, in_dataset("c", Gene("=", "ALDH2"))) == 1
    assert store.count(VARIANTS, in_dataset("c", Gene("=", "aldh2"))) == 0
    assert store.count(VARIANTS, in_dataset("c", Gene("=", "Aldh2"))) == 1
    assert store.count(VARIANTS, in_dataset("a", Gene("=", "aldh2"))) == 300


def test_readers_do_not_map_the_store_file(store, tmp_path):
    """A worker's RSS is its own memory: the store's pages stay in the page cache every process
    shares, not mapped into each reader (docs/storage.md)."""
    assert store.count(VARIANTS, in_dataset("a", Chromosome("1"), StartsAt(150))) == 1
    with store._backend.session() as connection:
        (mapped,) = connection.execute("PRAGMA mmap_size").fetchone()
    assert mapped == 0
