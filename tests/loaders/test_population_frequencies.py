"""Allele frequencies per population: pysam counts over the same VCF and assignment, both ways of
assigning samples (a populations file, the dataset's metadata), and located errors in bad files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pysam
import pytest
from beacon_schemas import validate_model
from click.testing import CliRunner

from app.cli import main
from app.store import VARIANTS, open_store
from app.store.collections import INDIVIDUALS
from loaders.datasets import load_datasets
from loaders.demo.load import DEMO_ASSEMBLY, demo_data_dir
from loaders.errors import LoadError
from loaders.metadata.load import load_metadata
from loaders.vcf import iter_variant_documents, load_vcf
from loaders.vcf.genotypes import GenotypeCounter
from loaders.vcf.load import PopulationSize
from loaders.vcf.populations import (
    FROM_METADATA,
    populations_from_metadata,
    read_populations_file,
)

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = DATA / "vcf_population_cases.vcf"
CASES_POPULATIONS = DATA / "vcf_population_cases.populations.tsv"
FAULTY = DATA / "faulty"
FAULTY_POPULATION_CASES = sorted(path.name for path in FAULTY.glob("populations_*"))
DEMO = demo_data_dir()
DEMO_VCF = DEMO / "demo.vcf.gz"
DEMO_POPULATIONS = DEMO / "populations.tsv"


# --- the independent truth: pysam's per-sample GT, counted plainly ------------------------------


def _table(path: Path, delimiter: str = "\t") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _file_assignment(path: Path) -> dict[str, str]:
    return {row["sample"]: row["population"] for row in _table(path)}


def _frequency(population: str, count: int, number: int) -> dict:
    return {
        "population": population,
        "alleleFrequency": count / number,
        "alleleCount": count,
        "alleleNumber": number,
    }


def expected_frequencies(path: Path, population_of: dict[str, str]) -> list[tuple]:
    """(ALT, frequencies or None) per document the loader must write, in file order: ``ALL``
    first, then every population with a called allele, by name."""
    found = []
    with pysam.VariantFile(str(path)) as vcf:
        for record in vcf:
            calls = [(population_of.get(name), s["GT"]) for name, s in record.samples.items()]
            groups = {"ALL": [gt for _, gt in calls]}
            for population in sorted({population for population, _ in calls if population}):
                groups[population] = [gt for member, gt in calls if member == population]
            for alt_index, alt in enumerate(record.alts, 1):
                if alt in ("*", "."):
                    continue
                entries = []
                for population, genotypes in groups.items():
                    number = sum(allele is not None for gt in genotypes for allele in gt)
                    count = sum(gt.count(alt_index) for gt in genotypes)
                    if number:
                        entries.append(_frequency(population, count, number))
                if entries and entries[0]["alleleCount"] == 0:
                    continue  # called, and carried by no one: not in the dataset
                found.append((alt.upper(), entries or None))
    return found


def _frequencies_of(documents: list[dict]) -> list[tuple]:
    found = []
    for document in documents:
        in_populations = document["record"].get("frequencyInPopulations")
        found.append(
            (
                document["alternateBases"],
                in_populations[0]["frequencies"] if in_populations else None,
            )
        )
    return found


def _documents(path: Path, populations=None) -> list[dict]:
    return list(iter_variant_documents(path, "d", "GRCh38", populations=populations))


# --- counts per population against pysam --------------------------------------------------------


def test_the_hand_written_vcf_covers_the_shapes_that_matter():
    text = CASES.read_text()
    assert "\t0/1/1\t" in text and "\t0/10\t" in text  # rows for the plain parse
    assert "\t1\t0\t.\t" in text and "\t1/.\t./1\t" in text  # haploid, missing, half-missing
    assert ",CG\t" in text  # ten ALTs with one-digit calls


@pytest.mark.parametrize(
    ("vcf", "populations"), [(CASES, CASES_POPULATIONS), (DEMO_VCF, DEMO_POPULATIONS)]
)
def test_frequencies_per_population_match_pysam(vcf, populations):
    documents = _documents(vcf, read_populations_file(populations))
    expected = expected_frequencies(vcf, _file_assignment(populations))
    assert len(documents) == len(expected)
    for document, found, wanted in zip(
        documents, _frequencies_of(documents), expected, strict=True
    ):
        assert found == wanted, f"{document['referenceName']}:{document['start']}"
    with_populations = [f for _, f in expected if f and len(f) > 1]
    assert len(with_populations) > 0.8 * len(expected)


def test_populations_with_no_called_allele_are_left_out():
    documents = _documents(CASES, read_populations_file(CASES_POPULATIONS))
    (at_500,) = [d for d in documents if d["referenceName"] == "1" and d["start"] == 499]
    frequencies = at_500["record"]["frequencyInPopulations"][0]["frequencies"]
    assert [f["population"] for f in frequencies] == ["ALL", "East Asian", "Pop A"]  # B: ./.
    (uncalled,) = [d for d in documents if d["referenceName"] == "2" and d["start"] == 499]
    assert "frequencyInPopulations" not in uncalled["record"]


def test_documents_with_populations_are_valid_genomic_variations():
    for document in _documents(CASES, read_populations_file(CASES_POPULATIONS)):
        validate_model(document["record"], "genomicVariations")


# --- the genotype counter: numpy path against the plain parse ----------------------------------


def _random_rows(rng: np.random.Generator, n_rows: int, n_samples: int):
    rows, alt_counts = [], []
    for row in range(n_rows):
        alt_count = int(rng.integers(1, 4)) if row % 17 else 11
        choices = [*map(str, range(alt_count + 1)), "."]
        weights = [0.7] + [0.2 / alt_count] * alt_count + [0.1]
        first, second, third = (rng.choice(choices, n_samples, p=weights) for _ in range(3))
        shape = rng.choice(["diploid", "haploid", "triploid"], n_samples, p=[0.8, 0.19, 0.01])
        if row % 5:
            shape[shape == "triploid"] = "diploid"  # most rows stay on the numpy path
        cells = [
            {"haploid": a, "diploid": f"{a}/{b}", "triploid": f"{a}/{b}|{c}"}[kind]
            for a, b, c, kind in zip(first, second, third, shape, strict=True)
        ]
        if row % 3 == 1:
            depths = rng.integers(0, 99, n_samples).tolist()
            cells = [f"{cell}:{depth}" for cell, depth in zip(cells, depths, strict=True)]
        rows.append("\t".join(cells).encode())
        alt_counts.append(alt_count)
    return rows, alt_counts


def test_numpy_path_agrees_with_the_plain_parse_per_population():
    samples = [f"S{i}" for i in range(41)]
    rng = np.random.default_rng(20261125)
    # three populations of scattered members, and samples in none
    names = ["Pop C", "Pop A", "Pop B", None]
    chosen = [names[index] for index in rng.choice(len(names), len(samples)).tolist()]
    population_of = {
        sample: name for sample, name in zip(samples, chosen, strict=True) if name is not None
    }
    counter = GenotypeCounter(samples, population_of)
    assert counter.population_names == ("Pop A", "Pop B", "Pop C")
    rows, alt_counts = _random_rows(rng, 400, len(samples))
    counted = counter.count(rows, alt_counts, [0] * len(rows))
    for row, alt_count, counts in zip(rows, alt_counts, counted, strict=True):
        assert counts == counter.count_row_in_python(row, alt_count, 0)
        assert sum(counts.population_allele_numbers) <= counts.allele_number
    # some rows of the batch need the plain parse: triploid calls, two-digit allele indexes
    assert any(re.search(rb"[0-9.]/[0-9.]\|", row) for row in rows)
    assert any(re.search(rb"(^|\D)1[01](\D|$)", row) for row in rows)


def test_hand_counted_rows_per_population():
    counter = GenotypeCounter(["S1", "S2", "S3", "S4"], {"S1": "A", "S2": "A", "S3": "B"})
    rows = [b"0/1\t1/1\t./.\t1/1", b"1\t0\t0/1\t.", b"1/2\t0/2\t2/2\t0/0", b"0/1/1\t0\t1\t0/0"]
    simple, haploid, two_alts, triploid = counter.count(rows, [1, 1, 2, 1], [0, 0, 0, 0])
    assert (simple.population_allele_counts, simple.population_allele_numbers) == ([3, 0], [4, 0])
    assert (haploid.population_allele_counts, haploid.population_allele_numbers) == ([1, 1], [2, 2])
    assert two_alts.population_allele_counts == [1, 0, 2, 2]  # ALT 1 in A, B; ALT 2 in A, B
    assert two_alts.population_allele_numbers == [4, 2]
    assert triploid.population_allele_counts == [2, 1]
    assert triploid.population_allele_numbers == [4, 1]


# --- without populations: only ALL, as before ---------------------------------------------------


def test_without_populations_only_all_and_counts_carry_nothing_more():
    counter = GenotypeCounter(["S1", "S2"])
    assert counter.population_names == ()
    (counts,) = counter.count([b"0/1\t1/1"], [1], [0])
    assert (counts.population_allele_counts, counts.population_allele_numbers) == (None, None)
    plain = _documents(CASES)
    for _, frequencies in _frequencies_of(plain):
        assert frequencies is None or [f["population"] for f in frequencies] == ["ALL"]


def test_populations_only_add_frequency_entries():
    plain = _documents(CASES)
    with_populations = _documents(CASES, read_populations_file(CASES_POPULATIONS))
    for document in with_populations:
        for source in document["record"].get("frequencyInPopulations", []):
            source["frequencies"] = source["frequencies"][:1]
    assert with_populations == plain


def test_load_without_file_or_metadata_writes_only_all(tmp_path):
    store = open_store("mongomock://memory/populations_none")
    summary = load_vcf(store, CASES, "d", "GRCh38")
    assert (summary.populations, summary.population_source, summary.warnings) == ((), None, ())
    stored = list(store.collection(VARIANTS).find({"datasetId": "d"}, {"_id": 0}))
    assert stored == _documents(CASES)


# --- the populations file -----------------------------------------------------------------------


def test_load_reports_populations_and_samples_the_vcf_lacks():
    store = open_store("mongomock://memory/populations_file")
    summary = load_vcf(store, CASES, "d", "GRCh38", populations=CASES_POPULATIONS)
    assert summary.population_source == str(CASES_POPULATIONS)
    assert summary.populations == (
        PopulationSize("East Asian", 2, ("KR",)),
        PopulationSize("Pop A", 3, ("MY", "TH")),
        PopulationSize("Pop B", 2, ("JP",)),
    )
    assert summary.samples_in_populations == 7  # S8 is in no population
    (warning,) = summary.warnings
    assert warning == f"{CASES_POPULATIONS}: 1 sample(s) not in the VCF, left out: S9 (line 9)"


def test_a_file_naming_no_vcf_sample_gives_only_all(tmp_path):
    strangers = tmp_path / "populations.tsv"
    strangers.write_text("sample\tpopulation\nX1\tPop A\nX2\tPop B\n")
    store = open_store("mongomock://memory/populations_strangers")
    summary = load_vcf(store, CASES, "d", "GRCh38", populations=strangers)
    assert (summary.populations, summary.population_source) == ((), str(strangers))
    assert summary.warnings == (
        f"{strangers}: 2 sample(s) not in the VCF, left out: X1 (line 2), X2 (line 3)",
    )
    stored = list(store.collection(VARIANTS).find({"datasetId": "d"}, {"_id": 0}))
    assert stored == _documents(CASES)


def test_csv_and_tsv_read_alike(tmp_path):
    rows = _table(CASES_POPULATIONS)
    as_csv = tmp_path / "populations.csv"
    with open(as_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Country", "Population", "Sample", "note"])  # any order, any case
        writer.writerows([row["country"], row["population"], row["sample"], "x, y"] for row in rows)
    from_csv, from_tsv = read_populations_file(as_csv), read_populations_file(CASES_POPULATIONS)
    assert from_csv.population_of == from_tsv.population_of
    assert from_csv.country_of == from_tsv.country_of


@pytest.mark.parametrize("case", FAULTY_POPULATION_CASES)
def test_a_bad_populations_file_is_refused_with_its_location(case):
    (path,) = [p for p in (FAULTY / case).iterdir() if p.name != "expected.txt"]
    expected = (FAULTY / case / "expected.txt").read_text().strip()
    with pytest.raises(LoadError) as raised:
        read_populations_file(path)
    assert str(raised.value).startswith(f"{path.parent}/{expected}")


def test_faulty_population_cases_name_every_field():
    fields = {
        (FAULTY / case / "expected.txt").read_text().split(":")[2]
        for case in FAULTY_POPULATION_CASES
        if (FAULTY / case / "expected.txt").read_text().count(":") >= 3
    }
    assert {"sample", "population", "country"} <= fields


def test_a_bad_populations_file_leaves_the_loaded_dataset_alone(tmp_path):
    store = open_store("mongomock://memory/populations_refused")
    load_vcf(store, CASES, "d", "GRCh38")
    before = list(store.collection(VARIANTS).find({"datasetId": "d"}, {"_id": 0}))
    with pytest.raises(LoadError, match=r"missing\.tsv: cannot read the file"):
        load_vcf(store, CASES, "d", "GRCh38", populations=tmp_path / "missing.tsv")
    bad = FAULTY / "populations_duplicate_sample" / "populations.tsv"
    with pytest.raises(LoadError, match=":4:sample: "):
        load_vcf(store, CASES, "d", "GRCh38", populations=bad)
    assert list(store.collection(VARIANTS).find({"datasetId": "d"}, {"_id": 0})) == before


def test_cli_loads_with_populations_and_reports_them():
    uri = "mongomock://memory/populations_cli"
    command = ["load", "vcf", str(CASES), "--dataset", "d", "--assembly", "GRCh38"]
    result = CliRunner().invoke(
        main,
        [*command, "--populations", str(CASES_POPULATIONS), "--no-progress", "--mongo-uri", uri],
    )
    assert result.exit_code == 0, result.output
    assert (
        f"populations from {CASES_POPULATIONS}: 7 of 8 samples in 3 populations: "
        "East Asian 2 (KR), Pop A 3 (MY, TH), Pop B 2 (JP)"
    ) in result.output
    assert "warning: " in result.output and "left out: S9 (line 9)" in result.output
    bad = FAULTY / "populations_bad_country" / "populations.tsv"
    result = CliRunner().invoke(main, [*command, "--populations", str(bad), "--mongo-uri", uri])
    assert result.exit_code == 2
    assert f"error: {bad}:2:country: " in result.output


# --- populations from the dataset's metadata ----------------------------------------------------


def _demo_store(name: str):
    store = open_store(f"mongomock://memory/populations_{name}")
    (dataset_id,) = load_datasets(store, DEMO / "datasets.yaml").dataset_ids
    load_metadata(store, [DEMO / "metadata"], dataset_id)
    return store, dataset_id


def _demo_individuals() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """VCF sample -> individual, and individual -> its row, read from the demo's CSV files."""
    metadata = DEMO / "metadata"
    individual_of = {
        row["id"]: row["individualId"] for row in _table(metadata / "biosamples.csv", ",")
    }
    individuals = {row["id"]: row for row in _table(metadata / "individuals.csv", ",")}
    return individual_of, individuals


def test_metadata_gives_each_sample_its_individuals_ethnicity():
    store, dataset_id = _demo_store("metadata")
    with pysam.VariantFile(str(DEMO_VCF)) as vcf:
        samples = list(vcf.header.samples)
    assignment = populations_from_metadata(store, dataset_id, samples)
    individual_of, individuals = _demo_individuals()
    assert assignment.source == FROM_METADATA
    assert assignment.population_of == {
        sample: individuals[individual_of[sample]]["ethnicity.label"] for sample in samples
    }
    assert assignment.country_of == {
        sample: individuals[individual_of[sample]]["geographicOrigin.id"].split(":")[1]
        for sample in samples
    }
    assert populations_from_metadata(store, "another-dataset", samples).population_of == {}


def test_the_file_and_the_metadata_give_equal_documents_when_they_agree():
    """The demo's metadata, its ethnicity labels set to the populations of populations.tsv."""
    store, dataset_id = _demo_store("both_routes")
    individual_of, _ = _demo_individuals()
    for sample, population in _file_assignment(DEMO_POPULATIONS).items():
        store.collection(INDIVIDUALS).update_one(
            {"datasetId": dataset_id, "id": individual_of[sample]},
            {"$set": {"record.ethnicity.label": population}},
        )
    from_metadata = load_vcf(store, DEMO_VCF, dataset_id, DEMO_ASSEMBLY)
    by_metadata = list(store.collection(VARIANTS).find({"datasetId": dataset_id}, {"_id": 0}))
    from_file = load_vcf(store, DEMO_VCF, dataset_id, DEMO_ASSEMBLY, populations=DEMO_POPULATIONS)
    by_file = list(store.collection(VARIANTS).find({"datasetId": dataset_id}, {"_id": 0}))
    assert (from_metadata.population_source, from_file.population_source) == (
        FROM_METADATA,
        str(DEMO_POPULATIONS),
    )
    assert from_metadata.populations == from_file.populations
    assert len(from_file.populations) == 5 and from_file.samples_in_populations == 300
    assert by_metadata == by_file
