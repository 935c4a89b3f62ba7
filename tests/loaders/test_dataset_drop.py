"""drop_dataset on every backend: one release removes every document of the dataset from every
released collection and nothing else; a rollback brings it back; the audit log and the query
budgets keep their documents; an unknown id is refused."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.access.audit import AuditEntry, record
from app.access.budget import QueryBudget
from app.store import Store
from app.store.collections import RUNTIME_COLLECTIONS
from loaders.datasets import UnknownDatasetError, dataset_collections, drop_dataset, load_datasets
from loaders.metadata import load_metadata
from loaders.vcf import load_vcf

DATA = Path(__file__).resolve().parents[1] / "data"
DROPPED = "th-test"  # a description, variants, metadata of every entry type
OTHER = "th-genome-2026"  # a description, variants, individuals
DESCRIBED = "jp-cohort-b"  # a description only


@pytest.fixture
def loaded(any_store: Store, tmp_path_factory) -> Store:
    inputs = tmp_path_factory.mktemp("inputs")
    (inputs / "datasets.yaml").write_text(f"- {{id: {DROPPED}, name: Test dataset}}\n")
    metadata = inputs / "metadata"
    shutil.copytree(DATA / "metadata" / "valid", metadata)
    (metadata / "cohorts.csv").write_text("id,name,cohortType\nC1,Test cohort,study-defined\n")
    load_datasets(any_store, DATA / "datasets" / "two_datasets.yaml")
    load_datasets(any_store, inputs / "datasets.yaml")
    for dataset_id in (DROPPED, OTHER):
        load_vcf(any_store, DATA / "vcf_sites_only.vcf", dataset_id, "GRCh38")
    load_metadata(any_store, [metadata], DROPPED)
    load_metadata(any_store, [metadata / "individuals.csv"], OTHER)
    record(any_store, AuditEntry(datetime.now(UTC), "someone", False, "GET", "/g_variants", 200))
    QueryBudget(any_store, limit=10, period_seconds=3600).charge("someone")
    return any_store


def _released(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every document of every released collection, in a comparable order."""
    return {
        name: sorted(store.collection(name).find({}), key=repr)
        for name in store.collection_names()
        if name not in RUNTIME_COLLECTIONS
    }


def _of(dataset_id: str, document: dict[str, Any]) -> bool:
    return dataset_id in (document.get("datasetId"), document.get("_id"))


def test_every_document_of_the_dataset_goes_and_nothing_else(loaded):
    before = _released(loaded)
    assert all(any(_of(DROPPED, doc) for doc in docs) for docs in before.values()), "all hold it"
    budget = QueryBudget(loaded, limit=10, period_seconds=3600)
    runtime = (list(loaded.audit.entries()), budget.state("someone"))

    summary = drop_dataset(loaded, DROPPED)

    assert summary.dataset_id == DROPPED
    assert set(summary.collections) == set(before)
    assert summary.release_id == loaded.active_release() == loaded.releases()[-1].id
    assert loaded.releases()[-1].description == f"drop dataset {DROPPED}"
    after = _released(loaded)
    assert {name: docs for name, docs in after.items() if docs} == {
        name: kept
        for name, docs in before.items()
        if (kept := [doc for doc in docs if not _of(DROPPED, doc)])
    }
    assert dataset_collections(loaded, DROPPED) == []
    assert dataset_collections(loaded, OTHER)
    assert (list(loaded.audit.entries()), budget.state("someone")) == runtime
    assert len(runtime[0]) == 1 and runtime[1].spent == 1


def test_a_rollback_brings_the_dataset_back(loaded):
    before = _released(loaded)
    served = loaded.active_release()
    drop_dataset(loaded, DROPPED)
    assert loaded.rollback() == served
    assert _released(loaded) == before


def test_dropping_every_dataset_leaves_every_released_collection_empty(loaded):
    """Whatever collection a loader writes, a dataset's documents in it must go with it."""
    for dataset_id in (DROPPED, OTHER, DESCRIBED):
        drop_dataset(loaded, dataset_id)
    assert {name: docs for name, docs in _released(loaded).items() if docs} == {}


def test_an_unknown_dataset_is_refused_and_nothing_changes(loaded):
    before, releases = _released(loaded), loaded.releases()
    with pytest.raises(UnknownDatasetError) as caught:
        drop_dataset(loaded, "th-genome-2025")
    assert str(caught.value) == (
        "th-genome-2025: no such dataset in the served release; its datasets: "
        f"{DESCRIBED}, {OTHER}, {DROPPED}"
    )
    assert (_released(loaded), loaded.releases()) == (before, releases)
