"""Filters moved in front of a table's projection answer exactly what they answered after it."""

from __future__ import annotations

import dataclasses

import pytest

from app.dataconnect.access import RowAccess
from app.dataconnect.backend import MongoBackend
from app.dataconnect.pushdown import pushed_down
from app.dataconnect.sql import parse_search
from app.dataconnect.tables import BY_NAME
from app.services.datasets import known_datasets

SOURCES = {"chromosome": "referenceName", "start": "start", "gene_ids": "geneIds"}


def test_a_filter_on_plain_columns_moves_whole_and_renamed():
    stages = [{"$match": {"$and": [{"chromosome": "1"}, {"start": {"$gte": 5}}]}}, {"$limit": 3}]
    early, rest = pushed_down(stages, SOURCES)
    assert early == {"$and": [{"referenceName": "1"}, {"start": {"$gte": 5}}]}
    assert rest == [{"$limit": 3}]


def test_only_the_plain_parts_of_a_conjunction_move_and_the_whole_filter_stays():
    stages = [{"$match": {"$and": [{"chromosome": "1"}, {"allele_frequency": {"$gt": 0.1}}]}}]
    early, rest = pushed_down(stages, SOURCES)
    assert early == {"referenceName": "1"}
    assert rest == stages


@pytest.mark.parametrize(
    "selector",
    [
        {"$or": [{"chromosome": "1"}, {"allele_frequency": 1}]},
        {"$expr": {"$eq": ["$chromosome", "1"]}},
        {"allele_frequency": {"$gt": 0.1}},
    ],
)
def test_nothing_moves_that_could_change_meaning(selector):
    early, rest = pushed_down([{"$match": selector}], SOURCES)
    assert early is None and rest == [{"$match": selector}]


QUERIES = [
    ("asia_beacon.beacon.variants", "chromosome = '12' AND start BETWEEN 111000000 AND 112000000"),
    ("asia_beacon.beacon.variants", "chromosome <> '1' AND allele_frequency > 0.2"),
    ("asia_beacon.beacon.variants", "contains(gene_ids, 'ALDH2') OR variant_type = 'DEL'"),
    ("asia_beacon.beacon.variants", "NOT (chromosome IN ('1', '10')) AND end IS NOT NULL"),
    ("asia_beacon.beacon.variants", "alt LIKE '<%' AND variant_type IS NOT NULL"),
    ("asia_beacon.beacon.population_frequencies", "chromosome = 'X' AND population = 'ALL'"),
    ("asia_beacon.beacon.individuals", "sex_id = 'NCIT:C16576' AND karyotypic_sex IS NULL"),
    ("asia_beacon.beacon.individuals", "contains(ontology_terms, 'HP:0000822')"),
    ("asia_beacon.beacon.biosamples", "collection_date >= '2022-01-01' AND id LIKE 'JP%'"),
]


@pytest.mark.parametrize(("table_name", "where"), QUERIES)
def test_answers_are_the_same_with_and_without_moving_the_filter(demo_store, table_name, where):
    table = BY_NAME[table_name]
    query = parse_search(f"SELECT * FROM {table_name} WHERE {where}")
    stages = query.pipeline(table.columns)
    ids = [dataset.id for dataset in known_datasets(demo_store)]
    backend = MongoBackend(demo_store, RowAccess({ident: "CONTROLLED" for ident in ids}, ids))
    moved, _ = backend.page(table, stages, 0, 10_000)
    kept, _ = backend.page(dataclasses.replace(table, sources={}), stages, 0, 10_000)
    assert moved == kept
    assert moved  # each query finds something in the demo
