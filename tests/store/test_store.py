"""The storage seam: backend chosen by URI, indexes declared once, all-or-nothing replacement,
on both backends (MongoDB's code path runs here over mongomock's client)."""

from __future__ import annotations

import mongomock
import pytest
from store_backends import mongodb_store

from app.store import StoreConfigurationError, open_store, sqlite_store
from app.store.indexes import INDEXES
from app.store.mongo import MongoDatabase


def test_backend_is_chosen_by_uri(tmp_path, monkeypatch):
    with pytest.raises(StoreConfigurationError, match="unsupported storage URI scheme 'redis'"):
        open_store("redis:///tmp/x.db")
    for scheme in ("sqlite", "file", "mongomock"):  # mongomock: the embedded store's old name
        named = open_store(f"{scheme}://{tmp_path / scheme}")
        named.collection("things").insert_one({"a": 1})
        assert (tmp_path / scheme / "store.sqlite3").is_file()
        assert (
            open_store(f"{scheme}://{tmp_path / scheme}").collection("things").count_documents({})
            == 1
        )
    memory = open_store("mongomock://memory/some_db")
    assert memory.durable is False
    memory.collection("things").insert_one({"a": 1})
    assert memory.collection("things").count_documents({}) == 1
    assert open_store("mongomock://memory/some_db").collection("things").count_documents({}) == 0

    monkeypatch.setenv("ASIA_BEACON_DATA_DIR", str(tmp_path / "data"))
    kept = open_store("mongomock://localhost/beacon_db")
    assert kept.durable is True
    assert kept.location == str(tmp_path / "data" / "beacon_db")
    kept.collection("things").insert_one({"a": 1})
    assert (
        open_store("mongomock://localhost/beacon_db").collection("things").count_documents({}) == 1
    )
    assert open_store(f"mongomock://{tmp_path / 'data' / 'beacon_db'}").collection(
        "things"
    ).find_one({}, {"_id": 0}) == {"a": 1}


def test_mongodb_gets_every_declared_index():
    store = mongodb_store()
    store.ensure_indexes()
    database = store._backend.database
    for collection, specs in INDEXES.items():
        assert {spec.name for spec in specs} <= set(database[collection].index_information())


def test_replace_documents_swaps_only_after_the_input_is_consumed(any_store):
    any_store.replace_documents("things", {"set": "a"}, ({"set": "a", "n": n} for n in range(5)))
    any_store.replace_documents("things", {"set": "b"}, [{"set": "b", "n": 0}])
    releases_before = any_store.releases()

    def failing():
        yield {"set": "a", "n": 100}
        raise ValueError("bad line")

    with pytest.raises(ValueError, match="bad line"):
        any_store.replace_documents("things", {"set": "a"}, failing())
    things = any_store.collection("things")
    assert sorted(doc["n"] for doc in things.find({"set": "a"})) == [0, 1, 2, 3, 4]
    assert things.count_documents({"set": "b"}) == 1
    assert any_store.releases() == releases_before

    written = any_store.replace_documents("things", {"set": "a"}, [{"set": "a", "n": 7}])
    assert written == 1
    assert [doc["n"] for doc in things.find({"set": "a"})] == [7]
    assert things.count_documents({"set": "b"}) == 1


def test_a_release_shows_all_its_writes_at_once_and_none_before(any_store):
    any_store.replace_documents("variants", {"d": 1}, [{"d": 1, "v": "old"}])
    with any_store.release("a load") as release:
        release.replace("variants", {"d": 1}, [{"d": 1, "v": "new"}])
        release.upsert_by_id("stats", [{"_id": 1, "count": 1}])
        # the load reads its own writes; everyone else still reads the previous release
        assert release.collection("variants").find_one({}, {"_id": 0}) == {"d": 1, "v": "new"}
        assert any_store.collection("variants").find_one({}, {"_id": 0}) == {"d": 1, "v": "old"}
        assert any_store.collection("stats").count_documents({}) == 0
    assert any_store.collection("variants").find_one({}, {"_id": 0}) == {"d": 1, "v": "new"}
    assert any_store.collection("stats").find_one({"_id": 1}) == {"_id": 1, "count": 1}


def test_releases_can_be_listed_rolled_back_activated_and_dropped(any_store):
    for version in range(3):
        any_store.replace_documents("variants", {"d": 1}, [{"d": 1, "v": version}])
    variants = any_store.collection("variants")
    ids = [release.id for release in any_store.releases()]
    assert ids == ["r000001", "r000002", "r000003"]
    assert any_store.active_release() == "r000003"
    assert any_store.rollback() == "r000002"
    assert variants.find_one({}, {"_id": 0}) == {"d": 1, "v": 1}
    any_store.activate("r000001")
    assert variants.find_one({}, {"_id": 0}) == {"d": 1, "v": 0}
    with pytest.raises(ValueError, match="is active"):
        any_store.drop_release("r000001")
    any_store.drop_release("r000003")
    assert [release.id for release in any_store.releases()] == ["r000001", "r000002"]
    with pytest.raises(ValueError, match="no release 'r000003'"):
        any_store.activate("r000003")
    assert any_store.rollback() == "r000002"  # served before r000001 was activated
    assert any_store.rollback() == "r000001"  # and before that (r000003 is gone)
    with pytest.raises(ValueError, match="nothing to roll back to"):
        any_store.rollback()


def test_rollback_after_a_load_returns_to_what_was_served_before_it(any_store):
    """A load made after a rollback is undone by the next rollback, back to the release the
    first rollback chose, not to the release rolled back from."""
    any_store.replace_documents("variants", {}, [{"v": "old"}])  # r000001
    any_store.replace_documents("variants", {}, [{"v": "new"}])  # r000002
    assert any_store.rollback() == "r000001"
    any_store.replace_documents("variants", {}, [{"v": "newer"}])  # r000003, made from r000001
    assert any_store.rollback() == "r000001"
    assert any_store.collection("variants").find_one({}, {"_id": 0}) == {"v": "old"}


def test_dropping_a_release_deletes_what_only_it_used(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_store, "DROPPED_PART_GRACE_SECONDS", 0.0)
    store = open_store(f"sqlite://{tmp_path}")
    store.replace_documents("variants", {"d": 1}, [{"d": 1}])
    store.replace_documents("variants", {"d": 1}, [{"d": 2}])
    assert len(stored_parts(store)) == 2
    store.drop_release("r000001")
    assert stored_parts(store) == [int(p) for p in store.releases()[0].collections["variants"]]
    mongo = mongodb_store()
    mongo.replace_documents("variants", {"d": 1}, [{"d": 1}])
    mongo.replace_documents("variants", {"d": 1}, [{"d": 2}])
    database = mongo._backend.database
    assert len([n for n in database.list_collection_names() if n.startswith("variants@")]) == 2
    mongo.drop_release("r000001")
    assert len([n for n in database.list_collection_names() if n.startswith("variants@")]) == 1


def test_a_part_no_release_names_stays_while_requests_may_still_read_it(tmp_path):
    store = open_store(f"sqlite://{tmp_path}")
    store.replace_documents("variants", {"d": 1}, [{"d": 1}])
    with store.one_release():
        assert store.collection("variants").find_one({}, {"_id": 0}) == {"d": 1}
        store.replace_documents("variants", {"d": 1}, [{"d": 2}])
        store.drop_release("r000001")
        assert len(stored_parts(store)) == 2  # within its grace period
        assert store.collection("variants").find_one({}, {"_id": 0}) == {"d": 1}
    assert store.collection("variants").find_one({}, {"_id": 0}) == {"d": 2}


def stored_parts(store) -> list[int]:
    with store._backend.session() as connection:
        return [part for (part,) in connection.execute("SELECT part FROM stored_part")]


def test_a_handle_kept_across_a_release_switch_reads_the_new_release(any_store):
    handle = any_store.collection("variants")
    any_store.replace_documents("variants", {}, [{"v": 1}])
    assert handle.find_one({}, {"_id": 0}) == {"v": 1}
    any_store.replace_documents("variants", {}, [{"v": 2}])
    if isinstance(any_store._backend, MongoDatabase):
        any_store._backend.manifest(fresh=True)  # serving processes re-read within a second
    assert handle.find_one({}, {"_id": 0}) == {"v": 2}


def test_mongodb_uri_gives_a_durable_pymongo_store_without_connecting():
    store = open_store("mongodb://127.0.0.1:1/beacon_db?serverSelectionTimeoutMS=50")
    assert store.durable is True
    assert store.location == "MongoDB database beacon_db"
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
def test_aggregate_answers_as_mongomock_over_the_same_documents(empty_store, pipeline):
    """The embedded store selects a leading ``$match`` through its indexes first."""
    documents = [{"_id": n, "n": n, "kind": "odd" if n % 2 else "even"} for n in range(8)]
    empty_store.collection("numbers").insert_many([dict(d) for d in documents])
    empty_store.collection("kinds").insert_many([{"_id": "odd", "label": "Odd"}])
    plain = mongomock.MongoClient()["plain"]
    plain["numbers"].insert_many([dict(d) for d in documents])
    plain["kinds"].insert_many([{"_id": "odd", "label": "Odd"}])
    assert empty_store.aggregate("numbers", pipeline) == list(plain["numbers"].aggregate(pipeline))


def test_per_release_values_are_computed_again_only_when_the_data_changes(any_store):
    calls = []

    def count() -> int:
        calls.append(1)
        return any_store.collection("datasets").count_documents({})

    def changed() -> None:
        if isinstance(any_store._backend, MongoDatabase):
            any_store._backend.manifest(fresh=True)  # serving processes re-read within a second

    any_store.upsert_by_id("datasets", [{"_id": "d1"}])  # release r000001
    changed()
    assert any_store.per_release("n", count) == 1
    assert any_store.per_release("n", count) == 1
    assert len(calls) == 1  # nothing changed: not read again
    any_store.upsert_by_id("datasets", [{"_id": "d2"}])  # release r000002
    changed()
    assert any_store.per_release("n", count) == 2
    any_store.rollback()
    changed()
    assert any_store.per_release("n", count) == 1
    assert len(calls) == 3


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_a_large_write_is_committed_in_batches_and_a_failing_one_leaves_none(
    where, tmp_path, monkeypatch
):
    monkeypatch.setattr(sqlite_store, "WRITE_BATCH", 4)
    store = open_store("sqlite://memory/x" if where == "memory" else f"sqlite://{tmp_path}")
    store.replace_documents("variants", {"d": 1}, ({"d": 1, "n": n} for n in range(10)))
    kept = stored_parts(store)
    assert [d["n"] for d in store.collection("variants").find({"d": 1}).sort("n", 1)] == list(
        range(10)
    )

    def failing():
        yield from ({"d": 1, "n": n} for n in range(100, 109))  # two batches committed
        raise ValueError("bad line")

    with pytest.raises(ValueError, match="bad line"):
        store.replace_documents("variants", {"d": 1}, failing())
    assert store.collection("variants").count_documents({}) == 10
    assert stored_parts(store) == kept  # the failed write's committed batches were deleted
    with store._backend.session() as connection:
        assert connection.execute("SELECT count(*) FROM other_document").fetchone() == (10,)
