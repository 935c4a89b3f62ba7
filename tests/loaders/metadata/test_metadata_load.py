"""load_metadata into the embedded store: all or nothing, every problem named by file, row and
column, links filled and checked, --skip-invalid with its rejects files, what a re-load replaces."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from store_backends import mongodb_store

from app.store import Store
from app.store.collections import FILTERING_TERMS, METADATA_ENTRIES
from loaders.errors import LoadError
from loaders.metadata import MetadataLoadError, MetadataLoadSummary, load_metadata

DATA = Path(__file__).resolve().parents[2] / "data" / "metadata"
VALID, BROKEN = DATA / "valid", DATA / "broken"
DATASET = "th-test"
COLLECTIONS = (*METADATA_ENTRIES, FILTERING_TERMS)


def _snapshot(store: Store) -> dict[str, list[dict]]:
    return {name: list(store.collection(name).find({}, {"_id": 0})) for name in COLLECTIONS}


def _ids(store: Store, entry: str, dataset_id: str = DATASET) -> list[str]:
    return sorted(store.collection(entry).distinct("id", {"datasetId": dataset_id}))


def _record(store: Store, entry: str, record_id: str) -> dict:
    return store.collection(entry).find_one({"datasetId": DATASET, "id": record_id})["record"]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_folder_of_csv_tsv_json_and_yaml_files_loads(empty_store):
    summary = load_metadata(empty_store, [VALID], DATASET)
    assert isinstance(summary, MetadataLoadSummary)
    assert dict(summary.loaded) == {"individuals": 3, "biosamples": 3, "runs": 2, "analyses": 2}
    assert (summary.rejected, summary.rejects_files, summary.warnings) == (0, (), ())
    assert summary.skipped == (
        f"{VALID / 'notes.md'}: not a metadata entry file (names: individuals, biosamples, runs, "
        "analyses, cohorts, or <prefix>_<name>)",
    )
    assert _ids(empty_store, "individuals") == ["IND-1", "IND-2", "IND-3"]
    document = empty_store.collection("individuals").find_one({"id": "IND-1"}, {"_id": 0})
    assert document["record"]["diseases"] == [
        {
            "diseaseCode": {"id": "ICD10:E11", "label": "Non-insulin-dependent diabetes mellitus"},
            "ageOfOnset": {"iso8601duration": "P45Y"},
        }
    ]
    assert document["ontologyTerms"] == ["HP:0001250", "ICD10:E11", "ISO3166:TH", "NCIT:C20197"]
    assert _record(empty_store, "analyses", "A1")["analysisDate"] == "2021-07-01"
    assert "_id" not in _record(empty_store, "runs", "R1")


def test_links_that_follow_from_others_are_filled(empty_store):
    load_metadata(empty_store, [VALID], DATASET)
    run = empty_store.collection("runs").find_one({"id": "R1"})
    assert (run["record"]["individualId"], run["individualId"]) == ("IND-1", "IND-1")
    analysis = empty_store.collection("analyses").find_one({"id": "A1"})
    assert {key: analysis[key] for key in ("runId", "biosampleId", "individualId")} == {
        "runId": "R1",
        "biosampleId": "S1",
        "individualId": "IND-1",
    }


def test_filtering_terms_and_indexes_are_written(empty_store):
    summary = load_metadata(empty_store, [VALID], DATASET)
    terms = empty_store.collection(FILTERING_TERMS)
    assert terms.count_documents({"datasetId": DATASET}) == summary.filtering_terms > 0
    assert terms.find_one({"scope": "individual", "kind": "ontology", "id": "HP:0001250"})
    mongo = mongodb_store()  # the embedded store's tables carry their indexes
    load_metadata(mongo, [VALID], DATASET)
    assert {"record_id", "ontology_terms", "link_runId"} <= set(
        mongo.collection("analyses").index_information()
    )


def test_a_broken_load_reports_every_problem_and_writes_nothing(empty_store, monkeypatch):
    load_metadata(empty_store, [VALID], DATASET)
    before = _snapshot(empty_store)
    monkeypatch.chdir(BROKEN)
    with pytest.raises(MetadataLoadError) as caught:
        load_metadata(empty_store, ["."], DATASET)
    expected = (BROKEN / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert [str(problem) for problem in caught.value.problems] == expected
    assert str(caught.value) == "\n".join(expected)
    assert isinstance(caught.value, LoadError)
    assert _snapshot(empty_store) == before


def test_skip_invalid_loads_the_valid_rows_and_writes_the_rejects(empty_store, tmp_path):
    summary = load_metadata(
        empty_store, [BROKEN], DATASET, skip_invalid=True, rejects_dir=tmp_path / "rejects"
    )
    assert dict(summary.loaded) == {"individuals": 1, "biosamples": 1, "runs": 1, "analyses": 1}
    assert summary.rejected == 13
    assert [_ids(empty_store, entry) for entry in METADATA_ENTRIES[:4]] == [
        ["IND-1"],
        ["S1"],
        ["R1"],
        ["A3"],
    ]
    assert _record(empty_store, "individuals", "IND-1")["sex"]["id"] == "NCIT:C20197", "first kept"
    rejects = tmp_path / "rejects"
    assert summary.rejects_files == tuple(
        str(rejects / name)
        for name in [
            "individuals.rejects.csv",
            "biosamples.rejects.tsv",
            "runs.rejects.jsonl",
            "analyses.rejects.jsonl",
        ]
    )
    with (rejects / "individuals.rejects.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    with (BROKEN / "individuals.csv").open(encoding="utf-8", newline="") as handle:
        original = list(csv.reader(handle))
    assert table[0] == [*original[0], "problems"]
    assert [row[:-1] for row in table[1:]] == original[2:6], "rows kept as they were"
    assert table[1][-1] == (
        f"{BROKEN / 'individuals.csv'}:3:sex.id: 'NCIT-C16576' must be a CURIE, PREFIX:local, "
        "as in HP:0001250"
    )
    biosamples = (rejects / "biosamples.rejects.tsv").read_text(encoding="utf-8").splitlines()
    assert biosamples[-1].split("\t")[-1] == (
        f"{BROKEN / 'biosamples.tsv'}:5:individualId: individual 'IND-3' is rejected"
    )
    runs = [json.loads(line) for line in (rejects / "runs.rejects.jsonl").read_text().splitlines()]
    assert [run["id"] for run in runs] == ["R2", "R3", "R4", "R5"]
    assert runs[1]["datasetId"] == "jp-cohort-b", "records kept as they were read"
    assert runs[3]["problems"] == [
        f"{BROKEN / 'runs.json'}:5:biosampleId: biosample 'S4' is rejected"
    ]


def test_rejects_are_written_beside_their_input_by_default(empty_store, tmp_path):
    folder = tmp_path / "th"
    shutil.copytree(BROKEN, folder)
    summary = load_metadata(empty_store, [folder], DATASET, skip_invalid=True)
    assert {Path(path).parent for path in summary.rejects_files} == {folder}
    assert (folder / "analyses.rejects.jsonl").is_file()
    again = load_metadata(empty_store, [folder], DATASET, skip_invalid=True)
    assert f"{folder / 'analyses.rejects.jsonl'}: not a metadata entry file" in again.skipped[0]


def test_a_reload_replaces_only_the_entry_types_it_holds(empty_store, tmp_path):
    load_metadata(empty_store, [VALID], DATASET)
    load_metadata(empty_store, [VALID / "individuals.csv"], "other-dataset")
    _write(
        tmp_path,
        "biosamples.csv",
        "id,individualId,biosampleStatus.id,sampleOriginType.id\n"
        "S9,IND-3,EFO:0009654,UBERON:0002371\n",
    )
    summary = load_metadata(empty_store, [tmp_path / "biosamples.csv"], DATASET)
    assert dict(summary.loaded) == {"biosamples": 1}
    assert _ids(empty_store, "biosamples") == ["S9"]
    assert _ids(empty_store, "individuals") == ["IND-1", "IND-2", "IND-3"], "kept"
    assert _ids(empty_store, "individuals", "other-dataset") == ["IND-1", "IND-2", "IND-3"]
    assert summary.warnings == (
        "stored runs of dataset th-test name 2 biosamples this load does not have (biosampleId): "
        "S1, S2",
        "stored analyses of dataset th-test name 2 biosamples this load does not have "
        "(biosampleId): S1, S2",
    )
    terms = empty_store.collection(FILTERING_TERMS)
    assert terms.find_one({"datasetId": DATASET, "id": "UBERON:0002371"}), "new term"
    assert not terms.find_one({"datasetId": DATASET, "id": "UBERON:0000178"}), "gone with S1-S3"
    assert terms.find_one({"datasetId": DATASET, "id": "HP:0001250"}), "from kept individuals"


def test_links_may_point_to_stored_records_of_types_the_load_keeps(empty_store, tmp_path):
    load_metadata(empty_store, [VALID / "individuals.csv", VALID / "biosamples.tsv"], DATASET)
    _write(
        tmp_path,
        "runs.csv",
        "id,biosampleId,runDate\nR7,S3,2022-01-01\nR8,S8,2022-01-01\n",
    )
    with pytest.raises(MetadataLoadError) as caught:
        load_metadata(empty_store, [tmp_path / "runs.csv"], DATASET)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{tmp_path / 'runs.csv'}:3:biosampleId: no biosample 'S8' in this load or dataset th-test"
    ]
    _write(tmp_path, "runs.csv", "id,biosampleId,runDate\nR7,S3,2022-01-01\n")
    load_metadata(empty_store, [tmp_path / "runs.csv"], DATASET)
    assert _record(empty_store, "runs", "R7")["individualId"] == "IND-3", "filled from stored S3"


def test_stored_records_of_a_replaced_type_do_not_satisfy_links(empty_store, tmp_path):
    load_metadata(empty_store, [VALID / "individuals.csv"], DATASET)
    _write(tmp_path, "individuals.csv", "id,sex.id\nIND-7,NCIT:C20197\n")
    _write(
        tmp_path,
        "biosamples.csv",
        "id,individualId,biosampleStatus.id,sampleOriginType.id\n"
        "S1,IND-1,EFO:0009654,UBERON:0000178\n",
    )
    with pytest.raises(MetadataLoadError, match=r"no individual 'IND-1' in this load$"):
        load_metadata(empty_store, [tmp_path], DATASET)


def test_a_given_link_that_contradicts_its_parent_is_a_problem(empty_store, tmp_path):
    load_metadata(empty_store, [VALID], DATASET)
    _write(
        tmp_path,
        "analyses.yaml",
        "- {id: A5, runId: R1, biosampleId: S2, analysisDate: '2022-01-01', pipelineName: p}\n",
    )
    with pytest.raises(MetadataLoadError) as caught:
        load_metadata(empty_store, [tmp_path], DATASET)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{tmp_path / 'analyses.yaml'}:1:biosampleId: 'S2' contradicts the biosampleId of run "
        "'R1' ('S1')",
        f"{tmp_path / 'analyses.yaml'}:1:individualId: 'IND-1' contradicts the individualId of "
        "biosample 'S2' ('IND-2')",
    ]


def test_vcf_samples_without_a_biosample_are_a_warning(empty_store):
    samples = ["S1", "S2", "S3", *(f"X{number:02}" for number in range(25))]
    empty_store.collection("variantStats").insert_one({"_id": DATASET, "sampleIds": samples})
    summary = load_metadata(empty_store, [VALID], DATASET)
    listed = ", ".join(f"X{number:02}" for number in range(20))
    assert summary.warnings == (
        f"25 of the 28 VCF samples of dataset {DATASET} have no biosample, so their variants "
        f"are not linked to metadata: {listed}, ...",
    )


def test_problems_of_whole_files_stop_even_a_skip_invalid_load(empty_store, tmp_path):
    _write(tmp_path, "individuals.csv", "id,sex.id,sex.id\nIND-1,NCIT:C20197,\n")
    _write(tmp_path, "runs.json", "[")
    with pytest.raises(MetadataLoadError) as caught:
        load_metadata(empty_store, [tmp_path], DATASET, skip_invalid=True)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{tmp_path / 'individuals.csv'}:1:sex.id: the column appears twice (columns 2 and 3)",
        f"{tmp_path / 'runs.json'}:1: not valid JSON: Expecting value",
    ]
    assert _snapshot(empty_store) == {name: [] for name in COLLECTIONS}


def test_a_folder_without_entry_files(empty_store, tmp_path):
    _write(tmp_path, "datasets.json", "[]")
    with pytest.raises(MetadataLoadError) as caught:
        load_metadata(empty_store, [tmp_path], DATASET)
    assert str(caught.value) == f"{tmp_path}: no metadata entry files found"
