"""A request reads one release from start to end, whatever is committed meanwhile: an answer's
count and its records come from the same release (both backends)."""

from __future__ import annotations

import mongomock
import pytest
from open_access import OPEN_ACCESS
from store_backends import individuals_release, mongodb_store

from app import create_app
from app.store import Store, mongo, open_store
from app.store.collections import DATASETS, INDIVIDUALS
from app.store.mongo import MongoDatabase
from app.store.sqlite_store import SqlSelection


def test_reads_inside_one_release_ignore_a_switch_made_meanwhile(any_store):
    individuals_release(any_store, 3, "old")  # r000001
    individuals_release(any_store, 5, "new")  # r000002
    any_store.activate("r000001")
    people = any_store.collection(INDIVIDUALS)
    with any_store.one_release():
        assert people.count_documents({}) == 3
        known = any_store.per_release("count", lambda: people.count_documents({}))
        any_store.activate("r000002")  # another process switches, say
        assert people.count_documents({}) == 3
        assert sorted(person["id"] for person in people.find({})) == ["old000", "old001", "old002"]
        assert any_store.per_release("count", lambda: people.count_documents({})) == known == 3
        assert any_store.collection_names() == [DATASETS, INDIVIDUALS]
    if isinstance(any_store._backend, MongoDatabase):
        any_store._backend.manifest(fresh=True)  # serving processes re-read within a second
    assert people.count_documents({}) == 5  # the next request reads the new release


def _switching_after_the_first_count(monkeypatch, target, switch, method="count_documents"):
    """The first count of the request is followed, before anything else is read, by a
    release switch."""
    counting = getattr(target, method)
    switched = []

    def count_then_switch(self, *args, **kwargs):
        counted = counting(self, *args, **kwargs)
        if not switched:
            switched.append(True)
            switch()
        return counted

    monkeypatch.setattr(target, method, count_then_switch)


@pytest.mark.parametrize("backend", ["embedded-disk", "mongodb"])
def test_an_answer_counts_and_lists_one_release_while_releases_switch(
    backend, tmp_path, monkeypatch
):
    if backend == "embedded-disk":
        store = open_store(f"sqlite://{tmp_path}")
        another_process = open_store(f"sqlite://{tmp_path}")
        target, method = SqlSelection, "count"
    else:
        store = mongodb_store()
        client = store._backend.client
        another_process = Store(MongoDatabase(client, "beacon"), durable=True)
        target, method = mongomock.collection.Collection, "count_documents"
        monkeypatch.setattr(mongo, "MANIFEST_MAX_AGE_SECONDS", 0.0)  # a switch seen at once
    individuals_release(store, 3, "old")
    individuals_release(store, 5, "new")
    store.activate("r000001")
    client = create_app(OPEN_ACCESS, store=store).test_client()
    _switching_after_the_first_count(
        monkeypatch, target, lambda: another_process.activate("r000002"), method
    )
    answer = client.get("/individuals?requestedGranularity=record").json
    (result_set,) = answer["response"]["resultSets"]
    assert result_set["resultsCount"] == 3
    assert sorted(p["id"] for p in result_set["results"]) == ["old000", "old001", "old002"]
    later = client.get("/individuals?requestedGranularity=record").json
    assert later["response"]["resultSets"][0]["resultsCount"] == 5
