"""The embedded store's indexed path answers exactly as mongomock's plain evaluation.

Generated documents (scalars, arrays, empty arrays, missing fields, nulls, mixed types) go into
both an embedded store (several segments) and a plain mongomock collection; generated filters
of the beacon's shapes and of shapes it does not use must give the same documents, in the same
order, on both. Separately, the beacon's query shapes must be answered from an index: the
planner's candidates are a small part of the collection, not all of it.
"""

from __future__ import annotations

import random
from typing import Any

import mongomock
import pytest

from app.store import open_store
from app.store.collections import VARIANTS
from app.store.lower_mongo import mongo_filter
from app.store.planner import candidates
from app.store.query import Gene

SEED = 20261125
CHROMOSOMES = ["1", "2", "X", "MT"]
GENES = ["BRCA2", "ALDH2", "G6PD", "CYP2C19", "TP53"]
LOWER_GENES = [gene.lower() for gene in GENES]
SAMPLES = [f"S{n}" for n in range(12)]


def _document(rng: random.Random, number: int) -> dict[str, Any]:
    start = rng.randrange(0, 5000)
    document: dict[str, Any] = {
        "_id": number,
        "datasetId": rng.choice(["ds-a", "ds-b", "ds-c"]),
        "assemblyId": rng.choice(["GRCh38", "GRCh38", "GRCh37"]),
        "referenceName": rng.choice(CHROMOSOMES),
        "start": start,
        "end": start + rng.choice([1, 1, 2, 5, 300]),
        "referenceBases": rng.choice("ACGT"),
        "alternateBases": rng.choice(["A", "C", "G", "T", "AT", "<DEL>"]),
        "variantType": rng.choice(["SNP", "INDEL", "DEL"]),
        "geneIds": rng.sample(GENES, rng.choice([0, 1, 1, 2])),
        "biosampleIds": rng.sample(SAMPLES, rng.randrange(0, 5)),
        "identifiers": [f"rs{rng.randrange(50)}"] if rng.random() < 0.6 else [],
        "variantInternalId": f"v{rng.randrange(400)}",
        "alleleFrequency": rng.choice([None, 0.001, 0.02, 0.3, 0.5]),
        "record": {"identifiers": {"genomicHGVSId": f"NC:g.{start}A>G"}},
        "durations": [
            {"path": rng.choice(["onset", "age"]), "days": rng.randrange(0, 20000)}
            for _ in range(rng.randrange(0, 3))
        ],
    }
    if rng.random() < 0.8:  # the others were loaded before gene keys were written
        document["geneKeys"] = [gene.lower() for gene in document["geneIds"]]
    if rng.random() < 0.1:
        del document["geneIds"]  # missing, not empty
    if rng.random() < 0.05:
        document["start"] = str(start)  # a type the numeric ranges must not confuse
    if rng.random() < 0.05:
        document["referenceName"] = None
    return document


def _selector(rng: random.Random) -> dict[str, Any]:
    dataset = {"datasetId": rng.choice(["ds-a", "ds-b", "ds-c", "ds-z"])}
    position = rng.randrange(0, 5000)
    shapes = [
        # sequence, range and bracket queries, as app/query/variants.py builds them
        lambda: {
            **dataset,
            "assemblyId": "GRCh38",
            "referenceName": rng.choice(CHROMOSOMES),
            "start": position,
            "referenceBases": rng.choice("ACGT"),
        },
        lambda: {
            **dataset,
            "referenceName": rng.choice(CHROMOSOMES),
            "start": {"$lt": position + 400, "$gt": position - 301},
            "end": {"$gt": position},
        },
        lambda: {
            **dataset,
            "assemblyId": rng.choice(["GRCh38", "GRCh37"]),
            "referenceName": rng.choice(CHROMOSOMES),
            "start": {"$gte": position, "$lt": position + 200},
            "end": {"$gte": position, "$lt": position + 600},
        },
        lambda: {**dataset, "geneIds": rng.choice(GENES)},
        lambda: {**dataset, **mongo_filter(Gene("=", rng.choice(GENES + LOWER_GENES)))},
        lambda: {**dataset, **mongo_filter(Gene("!", rng.choice(GENES).capitalize()))},
        lambda: {**dataset, "geneIds": {"$in": rng.sample(GENES, 2)}, "variantType": "SNP"},
        lambda: {
            **dataset,
            "$or": [
                {"variantInternalId": f"v{rng.randrange(400)}"},
                {"identifiers": f"rs{rng.randrange(50)}"},
                {"record.identifiers.genomicHGVSId": f"NC:g.{position}A>G"},
            ],
        },
        lambda: {**dataset, "biosampleIds": {"$in": rng.sample(SAMPLES, 3)}},
        # the rare-allele protection wraps a query in $and/$or
        lambda: {
            "$and": [
                {**dataset, "referenceName": rng.choice(CHROMOSOMES)},
                {
                    "$or": [
                        {"alleleFrequency": {"$gte": 0.01}},
                        {"alleleFrequency": None},
                    ]
                },
            ]
        },
        # shapes no index serves, or only partly
        lambda: {"geneIds": None},
        lambda: {"geneIds": []},
        lambda: {"geneIds": {"$exists": False}},
        lambda: {"referenceName": None, **dataset},
        lambda: {"start": {"$gte": position}},
        lambda: {"start": {"$gte": str(position)}},
        lambda: {"alternateBases": {"$regex": "^<"}},
        lambda: {**dataset, "durations": {"$elemMatch": {"path": "onset", "days": {"$gt": 9000}}}},
        lambda: {"durations.days": {"$gt": 5000, "$lt": 6000}},
        lambda: {"identifiers": {"$nin": ["rs1", "rs2"]}, "datasetId": {"$ne": "ds-a"}},
        lambda: {"$nor": [{"datasetId": "ds-a"}], "variantType": {"$in": ["DEL", "INDEL"]}},
        lambda: {"_id": {"$in": [rng.randrange(600) for _ in range(5)]}},
        lambda: {"start": {"$in": [position, float(position + 1)]}},
        lambda: {"$expr": False},
        lambda: {},
    ]
    return rng.choice(shapes)()


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any]:
    rng = random.Random(SEED)
    documents = [_document(rng, number) for number in range(600)]
    store = open_store("mongomock://memory/indexed")
    store._backend.segment_size = 70  # writes of 200 documents make segments of 70, 70 and 60
    indexed = store.collection(VARIANTS)
    for first in range(0, 600, 200):  # several segments, as several loads and writes make
        indexed.insert_many([dict(d) for d in documents[first : first + 200]])
    store.replace_documents(VARIANTS, {"datasetId": "ds-c"}, [])  # one segment rewritten
    plain = mongomock.MongoClient()["plain"][VARIANTS]
    plain.insert_many([dict(d) for d in documents])
    plain.delete_many({"datasetId": "ds-c"})
    return indexed, plain


PROJECTIONS = [
    None,
    {"_id": 1},
    {"_id": 0},
    {"_id": 0, "record": 1},
    {"start": 1, "geneIds": 1},
    {"record.identifiers.genomicHGVSId": 1, "durations.days": 1},
    {"biosampleIds": 0, "record": 0},
    {"geneIds": {"$slice": 1}},
]


@pytest.mark.parametrize("number", range(400))
def test_generated_filters_give_what_mongomock_gives(both, number):
    indexed, plain = both
    selector = _selector(random.Random(SEED + number))
    expected = list(plain.find(selector))
    assert list(indexed.find(selector)) == expected, selector
    projection = PROJECTIONS[number % len(PROJECTIONS)]
    projected = list(plain.find(selector, projection).skip(number % 3).limit(number % 5))
    answer = list(indexed.find(selector, projection).skip(number % 3).limit(number % 5))
    assert answer == projected, (selector, projection)
    order = [("start", -1), ("_id", 1)]
    assert list(indexed.find(selector, projection).sort(order).limit(7)) == list(
        plain.find(selector, projection).sort(order).limit(7)
    )
    assert indexed.count_documents(selector) == len(expected)
    first = indexed.find_one(selector, {"_id": 1})
    assert first == (plain.find_one(selector, {"_id": 1})), selector
    for field in ("referenceName", "geneIds", "start", "durations.path"):
        # each value once; MongoDB leaves the order unspecified
        found = indexed.distinct(field, selector)
        assert len(found) == len({repr(v) for v in found}), field
        assert sorted(map(repr, found)) == sorted(map(repr, plain.distinct(field, selector)))


@pytest.mark.parametrize(
    "selector",
    [
        {"datasetId": "ds-a", "assemblyId": "GRCh38", "referenceName": "1", "start": 1234},
        {"datasetId": "ds-a", "referenceName": "2", "start": {"$lt": 2600, "$gt": 2000}},
        {"datasetId": "ds-b", "geneIds": "ALDH2"},
        {"datasetId": "ds-b", **mongo_filter(Gene("=", "aldh2"))},
        {"datasetId": "ds-b", "variantInternalId": "v7"},
        {"datasetId": "ds-b", "$or": [{"identifiers": "rs5"}, {"variantInternalId": "v5"}]},
        {"datasetId": "ds-a", "biosampleIds": {"$in": ["S1", "S2"]}},
    ],
)
def test_the_beacon_query_shapes_are_answered_from_an_index(selector):
    rng = random.Random(SEED)
    store = open_store("mongomock://memory/shapes")
    store.collection(VARIANTS).insert_many([_document(rng, n) for n in range(3000)])
    (segment,) = store._backend.segments(
        store._backend.manifest()["releases"][0]["collections"][VARIANTS]
    )
    found = candidates(segment, selector)
    assert found is not None, "no index used"
    assert len(found) < len(segment) / 8, (len(found), selector)
