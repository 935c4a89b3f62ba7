"""The embedded store on SQLite: each beacon query shape is answered from an index, releases
pin the parts a request reads, and loads leave nothing behind when they fail."""

from __future__ import annotations

import pytest
from store_backends import variant_document

from app.store import open_store
from app.store.collections import BIOSAMPLES, INDIVIDUALS, VARIANTS
from app.store.lower_sql import sql_count, sql_records
from app.store.query import (
    All,
    Assembly,
    Bracket,
    Chromosome,
    CommonAllele,
    EntryIds,
    Gene,
    HasOntologyTerm,
    InDatasets,
    LinkedTo,
    NamedVariant,
    Overlaps,
    StartsAt,
    VariantTypes,
)


def _variant(dataset: str, start: int) -> dict:
    return variant_document(
        dataset,
        f"{dataset}:{start}",
        start,
        geneIds=["ALDH2"],
        geneKeys=["aldh2"],
        identifiers=[f"rs{start}"],
        biosampleIds=[f"S{start % 300}"],
        alleleFrequency=0.2,
    )


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite://{tmp_path}")
    for dataset in ("a", "b"):
        variants = [_variant(dataset, start) for start in range(100, 3100, 3)]
        store.replace_documents(VARIANTS, {"datasetId": dataset}, variants)
        people = [
            {
                "datasetId": dataset,
                "id": f"p{n}",
                "record": {"id": f"p{n}"},
                "ontologyTerms": ["NCIT:C16576"] if n % 2 else [],
                "durations": [],
            }
            for n in range(200)
        ]
        store.replace_documents(INDIVIDUALS, {"datasetId": dataset}, people)
    return store


def _plan(store, statement) -> str:
    with store._backend.session() as connection:
        rows = connection.execute("EXPLAIN QUERY PLAN " + statement[0], statement[1]).fetchall()
    return "\n".join(row[-1] for row in rows)


POSITION = (Assembly("GRCh38"), Chromosome("1"))
SHAPES = {
    "sequence": (VARIANTS, All((*POSITION, StartsAt(1234), InDatasets(("a",))))),
    "range": (VARIANTS, All((*POSITION, Overlaps(2000, 2600, 1), InDatasets(("a",))))),
    "bracket": (VARIANTS, All((*POSITION, Bracket(2000, 2100, 2000, 2200)))),
    "gene": (VARIANTS, All((Gene("=", "ALDH2"), CommonAllele(0.05)))),
    "name": (VARIANTS, NamedVariant("rs1234")),
    "type": (VARIANTS, All((VariantTypes(("SNP",)), InDatasets(("b",))))),
    "carriers": (VARIANTS, LinkedTo("biosampleIds", ("S1", "S2"))),
    "entry ids": (INDIVIDUALS, EntryIds(("p1", "p7"))),
    "terms": (INDIVIDUALS, HasOntologyTerm(("NCIT:C16576",))),
    "links": (BIOSAMPLES, LinkedTo("individualId", ("p1",))),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_beacon_query_shape_is_answered_from_an_index(store, shape):
    collection, where = SHAPES[shape]
    listed = [int(p) for p in store._backend.served_parts().get(collection, ["0"])]
    reading = store._backend.served_reading(collection)  # what the store's reads pass
    for statement in (
        sql_count(collection, where, listed),
        sql_records(collection, where, 0, 10, listed),
        sql_count(collection, where, reading),
        sql_records(collection, where, 0, 10, reading),
    ):
        plan = _plan(store, statement)
        scans = [
            line
            for line in plan.splitlines()
            if line.startswith("SCAN") and "USING" not in line and "CONSTANT ROW" not in line
        ]
        assert not scans, plan


def test_the_answers_of_the_indexed_shapes_are_those_of_the_documents(store):
    assert store.count(VARIANTS, SHAPES["sequence"][1]) == 1
    assert store.count(VARIANTS, All((*POSITION, StartsAt(1234 - 1), InDatasets(("a",))))) == 0
    overlapping = [s for s in range(100, 3100, 3) if s < 2600 and s + 1 > 2000]
    assert store.count(VARIANTS, SHAPES["range"][1]) == len(overlapping)
    assert store.count(VARIANTS, SHAPES["gene"][1]) == 2 * 1000
    assert store.count(INDIVIDUALS, SHAPES["terms"][1]) == 2 * 100


def test_a_request_reads_one_release_while_a_load_commits_another(store):
    where = InDatasets(("a",))
    with store.one_release():
        before = store.count(VARIANTS, where)
        store.replace_documents(VARIANTS, {"datasetId": "a"}, [_variant("a", 5)])
        assert store.count(VARIANTS, where) == before
        assert len(store.records(VARIANTS, where, 0, 0)) == before
    assert store.count(VARIANTS, where) == 1
    store.rollback()
    assert store.count(VARIANTS, where) == before


def test_a_load_that_fails_leaves_the_served_rows_and_no_rows_of_its_own(store):
    with store._backend.session() as connection:
        rows_before = connection.execute("SELECT count(*) FROM variant").fetchone()

    def failing():
        yield _variant("a", 7)
        yield {**_variant("a", 8), "start": "8"}  # a start that is not an integer

    with pytest.raises(ValueError, match="start '8' is not an integer"):
        store.replace_documents(VARIANTS, {"datasetId": "a"}, failing())
    with store._backend.session() as connection:
        assert connection.execute("SELECT count(*) FROM variant").fetchone() == rows_before
    assert store.count(VARIANTS, InDatasets(("a",))) == 1000
