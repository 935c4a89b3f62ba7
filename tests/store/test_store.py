"""The storage seam: backend chosen by URI, indexes declared once, all-or-nothing replacement."""

from __future__ import annotations

import pytest

from app.store import StoreConfigurationError, open_store
from app.store.indexes import INDEXES


def test_backend_is_chosen_by_uri_scheme():
    with pytest.raises(StoreConfigurationError, match="unsupported storage URI scheme 'sqlite'"):
        open_store("sqlite:///tmp/x.db")
    store = open_store("mongomock://localhost/some_db")
    assert store.durable is False
    store.variants.insert_one({"a": 1})
    assert store.collection("genomicVariations").count_documents({}) == 1


def test_every_declared_index_is_created(empty_store):
    empty_store.ensure_indexes()
    for collection, specs in INDEXES.items():
        names = set(empty_store.collection(collection).index_information())
        assert {spec.name for spec in specs} <= names


def test_replace_documents_swaps_only_after_the_input_is_consumed(empty_store):
    empty_store.replace_documents("things", {"set": "a"}, ({"set": "a", "n": n} for n in range(5)))
    empty_store.replace_documents("things", {"set": "b"}, [{"set": "b", "n": 0}])

    def failing():
        yield {"set": "a", "n": 100}
        raise ValueError("bad line")

    with pytest.raises(ValueError, match="bad line"):
        empty_store.replace_documents("things", {"set": "a"}, failing())
    things = empty_store.collection("things")
    assert sorted(doc["n"] for doc in things.find({"set": "a"})) == [0, 1, 2, 3, 4]
    assert things.count_documents({"set": "b"}) == 1
    leftovers = [
        name for name in empty_store._database.list_collection_names() if "staging" in name
    ]
    assert leftovers == []

    written = empty_store.replace_documents("things", {"set": "a"}, [{"set": "a", "n": 7}])
    assert written == 1
    assert [doc["n"] for doc in things.find({"set": "a"})] == [7]
    assert things.count_documents({"set": "b"}) == 1


def test_mongodb_uri_gives_a_durable_pymongo_store_without_connecting():
    store = open_store("mongodb://127.0.0.1:1/beacon_db?serverSelectionTimeoutMS=50")
    assert store.durable is True
    assert store.variants.full_name == "beacon_db.genomicVariations"
    store.close()


@pytest.mark.parametrize(
    "pipeline",
    [
        [{"$match": {"n": {"$gte": 3}}}, {"$sort": {"n": -1}}, {"$project": {"_id": 0, "n": 1}}],
        [
            {"$match": {"kind": "odd"}},
            {"$lookup": {"from": "kinds", "localField": "kind", "foreignField": "_id", "as": "k"}},
            {"$project": {"_id": 0, "n": 1, "label": "$k.label"}},
        ],
        [{"$match": {"n": 99}}, {"$count": "rows"}],
        [
            {"$match": {"n": 99}},
            {"$facet": {"rows": [{"$count": "n"}]}},
        ],
        [{"$group": {"_id": "$kind", "total": {"$sum": "$n"}}}, {"$sort": {"_id": 1}}],
    ],
)
def test_aggregate_answers_as_the_collection_would(empty_store, pipeline):
    """The embedded store lets ``find`` pick a leading ``$match``'s documents first."""
    things = empty_store.collection("numbers")
    things.insert_many([{"n": n, "kind": "odd" if n % 2 else "even"} for n in range(8)])
    empty_store.collection("kinds").insert_many([{"_id": "odd", "label": "Odd"}])
    assert empty_store.aggregate("numbers", pipeline) == list(things.aggregate(pipeline))
    assert sorted(empty_store._database.list_collection_names()) == ["kinds", "numbers"]
