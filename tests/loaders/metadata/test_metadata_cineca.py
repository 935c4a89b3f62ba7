"""Someone else's BFF export loads as it is: the CINECA UK1 metadata folder, every record of
every entry file stored, the other files of the folder skipped by name."""

from __future__ import annotations

import json

from shared_data import CINECA_BFF, CINECA_DATASET, shared_file

from app.store.collections import METADATA_ENTRIES
from loaders.metadata import load_metadata

NOT_ENTRY_FILES = [
    "caseLevelData.json",
    "datasets.json",
    "filtering_terms.json",
    "genomicVariations.json",
    "targets.json",
]


def test_the_cineca_bff_folder_loads_every_record(empty_store):
    folder = shared_file(CINECA_BFF / "individuals.json").parent
    expected = {
        entry: len(json.loads((folder / f"{entry}.json").read_text(encoding="utf-8")))
        for entry in METADATA_ENTRIES
    }
    summary = load_metadata(empty_store, [folder], CINECA_DATASET)
    assert dict(summary.loaded) == expected
    for entry, count in expected.items():
        assert empty_store.collection(entry).count_documents({"datasetId": CINECA_DATASET}) == count
    assert summary.rejected == 0
    assert [notice.split(": ", 1)[0] for notice in summary.skipped] == [
        str(folder / name) for name in NOT_ENTRY_FILES
    ]
    assert summary.filtering_terms > 0
