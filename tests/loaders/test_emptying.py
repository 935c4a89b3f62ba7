"""The rule every load keeps (``loaders.emptying``), on every backend: a load that would leave a
dataset without the entries of a type it holds, or without any entries, or that rejected every
row of a file, is refused and nothing changes, unless ``allow_empty``."""

from __future__ import annotations

import pytest
from store_backends import variant_document

from app.store import Store
from app.store.collections import BIOSAMPLES, INDIVIDUALS, VARIANTS
from loaders.emptying import EmptyingLoadError, FileRows, emptying_problems, refuse_emptying

DATASET = "th-1"


def _fill(store: Store) -> None:
    """Dataset th-1 with two individuals and a variant; dataset jp-1 with one biosample."""
    with store.release("fixture") as release:
        release.replace(INDIVIDUALS, {}, [{"datasetId": DATASET, "id": f"I{n}"} for n in range(2)])
        release.replace(VARIANTS, {}, [variant_document(DATASET, "v1")])
        release.replace(BIOSAMPLES, {}, [{"datasetId": "jp-1", "id": "S1"}])


def _messages(problems) -> list[str]:
    return [str(problem) for problem in problems]


def test_a_load_that_empties_an_entry_type_the_dataset_holds_is_refused(any_store):
    _fill(any_store)
    with pytest.raises(EmptyingLoadError) as caught:
        refuse_emptying(any_store, DATASET, {INDIVIDUALS: 0})
    assert str(caught.value) == "dataset th-1: it holds individuals now; this load would leave none"
    refuse_emptying(any_store, DATASET, {INDIVIDUALS: 1})  # fewer is not nothing
    refuse_emptying(any_store, DATASET, {BIOSAMPLES: 0})  # th-1 holds none today
    refuse_emptying(any_store, "new-dataset", {INDIVIDUALS: 0})
    refuse_emptying(any_store, DATASET, {INDIVIDUALS: 0}, allow_empty=True)


def test_a_load_that_leaves_the_dataset_without_entries_says_so_too(any_store):
    _fill(any_store)
    problems = emptying_problems(any_store, DATASET, {INDIVIDUALS: 0, VARIANTS: 0})
    assert _messages(problems) == [
        "dataset th-1: it holds genomic variants now; this load would leave none",
        "dataset th-1: it holds individuals now; this load would leave none",
        "dataset th-1: this load would leave it without any entries",
    ]
    # its variants stay: the dataset keeps entries, but its individuals still may not go
    assert len(emptying_problems(any_store, DATASET, {INDIVIDUALS: 0})) == 1
    assert emptying_problems(any_store, "jp-1", {BIOSAMPLES: 0})[-1].message == (
        "this load would leave it without any entries"
    )


def test_a_file_whose_every_row_was_rejected_is_refused_even_beside_loaded_files(any_store):
    files = [
        FileRows("a/individuals.csv", read=3, loaded=3),
        FileRows("a/biosamples.tsv", read=2, loaded=0, rejects_file="a/biosamples.rejects.tsv"),
        FileRows("a/runs.json", read=0, loaded=0),
    ]
    with pytest.raises(EmptyingLoadError) as caught:
        refuse_emptying(any_store, "new-dataset", {INDIVIDUALS: 3, BIOSAMPLES: 0}, files)
    assert _messages(caught.value.problems) == [
        "a/biosamples.tsv: all 2 rows were rejected (see a/biosamples.rejects.tsv)"
    ]
    assert files[1].rejected == 2
    refuse_emptying(any_store, "new-dataset", {BIOSAMPLES: 0}, files, allow_empty=True)


def test_refused_inside_a_release_the_release_is_not_made(any_store):
    """How a loader that learns its counts by writing (a VCF) uses the rule."""
    _fill(any_store)
    served = any_store.releases()
    with pytest.raises(EmptyingLoadError), any_store.release("empty vcf") as release:
        written = release.replace(VARIANTS, {"datasetId": DATASET}, iter(()))
        refuse_emptying(any_store, DATASET, {VARIANTS: written})
    assert any_store.releases() == served
    assert any_store.collection(VARIANTS).count_documents({"datasetId": DATASET}) == 1
