"""The VCF loader over malformed input: a located error and an untouched store, or a faithful
load; never a crash, a traceback or a half-written dataset.

The cases (``vcf_mutations``) are the base VCF mutated one way each, as plain text and
bgzipped. A refused case must raise LoadError naming the file, the mutated line and a field,
and leave every collection holding exactly the documents it held. A loaded case must give the
documents pysam reads from the file (or, for a tolerated variant pysam cannot read, from the
unmutated one). A sample of refused cases also runs through ``asia-beacon load vcf`` in a
subprocess.
"""

from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pysam
import pytest
from pysam_alleles import ExpectedAllele, expected_alleles
from vcf_mutations import (
    GENOTYPED,
    LINE_FIELDS,
    SITES_ONLY,
    Case,
    Loaded,
    Refused,
    Vcf,
    named_cases,
    random_cases,
)

from app.genome import normalize_reference_name
from app.store import DATASETS, VARIANT_STATS, VARIANTS, Store, open_store
from loaders.emptying import EmptyingLoadError
from loaders.errors import LoadError
from loaders.vcf import load_vcf

ROOT = Path(__file__).resolve().parents[2]
DATASET, OTHER = "fuzz", "other"
COMPRESSIONS = ("plain", "bgzip")
CASES = named_cases() + random_cases()
CLI_SAMPLE = (
    "pos-not-a-number",
    "gt-letters",
    "no-columns-line",
    "id-latin-1",
    "two-files-concatenated",
    "gene-symbol-10-mb",
    "columns-genotyped-0",
    "truncated-genotyped-1",
)

AlleleRow = tuple[Any, ...]


def _multi_block_vcf(copies: int = 50) -> Vcf:
    """The base records again and again (duplicates load like any record), each with 1 kB of
    random letters in an INFO field the loader does not read: several 64 kB BGZF blocks."""
    rng = random.Random("multi-block")
    body = []
    for _ in range(copies):
        for line in GENOTYPED.body:
            columns = line.split(b"\t")
            note = "".join(rng.choice("ACGTacgt") for _ in range(1000))
            columns[7] += f";NOTE={note}".encode()
            body.append(b"\t".join(columns))
    return replace(GENOTYPED, body=tuple(body))


MULTI_BLOCK = _multi_block_vcf()


def _write(directory: Path, content: bytes, compression: str) -> Path:
    plain = directory / "case.vcf"
    plain.write_bytes(content)
    if compression == "plain":
        return plain
    compressed = directory / "case.vcf.gz"
    pysam.tabix_compress(str(plain), str(compressed))
    plain.unlink()
    return compressed


@pytest.fixture(scope="module")
def base_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bases")
    files = {}
    for name, vcf in (("genotyped", GENOTYPED), ("sites", SITES_ONLY)):
        files[name] = folder / f"{name}.vcf"
        files[name].write_bytes(vcf.render())
    return files


@pytest.fixture
def loaded_store(base_files) -> Store:
    """A store already serving the dataset (and another one) that every case loads again."""
    store = open_store("mongomock://memory/vcf_fuzz")
    store.collection(DATASETS).insert_many(
        [{"_id": DATASET, "id": DATASET, "name": "Fuzz"}, {"_id": OTHER, "id": OTHER}]
    )
    store.collection("individuals").insert_one(
        {"datasetId": DATASET, "id": "I1", "record": {"id": "I1"}}
    )
    load_vcf(store, base_files["genotyped"], DATASET, "GRCh38")
    load_vcf(store, base_files["sites"], OTHER, "GRCh37")
    return store


def _snapshot(store: Store, without_dataset: bool = False) -> dict[str, list[dict]]:
    """Every collection's documents, in store order (optionally not the loaded dataset's)."""
    found = {}
    for name in store.collection_names():
        documents = list(store.collection(name).find({}))
        if without_dataset and name == VARIANTS:
            documents = [d for d in documents if d["datasetId"] != DATASET]
        if without_dataset and name == VARIANT_STATS:
            documents = [d for d in documents if d["_id"] != DATASET]
        found[name] = documents
    return found


def _expected_row(allele: ExpectedAllele) -> AlleleRow:
    counted = allele.allele_number and allele.allele_count is not None
    return (
        normalize_reference_name(allele.chrom),
        allele.pos - 1,
        allele.stop,
        allele.ref.upper(),
        allele.alt.upper() if allele.alt.isalpha() else allele.alt,
        (allele.allele_count, allele.allele_number) if counted else None,
        allele.carriers,
        allele.ids,
    )


def _loaded_row(document: dict) -> AlleleRow:
    frequencies = document["record"].get("frequencyInPopulations")
    counts = frequencies[0]["frequencies"][0] if frequencies else None
    return (
        document["referenceName"],
        document["start"],
        document["end"],
        document["referenceBases"],
        document["alternateBases"],
        (counts["alleleCount"], counts["alleleNumber"]) if counts else None,
        tuple(
            (case["biosampleId"], case["zygosity"]["label"])
            for case in document["record"].get("caseLevelData", [])
        ),
        tuple(document["identifiers"]),
    )


@functools.cache
def _pysam_reading(content: bytes) -> tuple[list[AlleleRow], tuple[str, ...]]:
    """The independent truth: pysam's alleles and samples of a VCF's text."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "truth.vcf"
        path.write_bytes(content)
        with pysam.VariantFile(str(path)) as vcf:
            samples = tuple(vcf.header.samples)
        return sorted(map(_expected_row, expected_alleles(str(path)))), samples


def _short(content: bytes, outcome: Refused | Loaded) -> str:
    """The mutated line (or the file's start) for a failure message."""
    if isinstance(outcome, Refused):
        lines = content.split(b"\n")
        line = lines[outcome.line - 1] if outcome.line <= len(lines) else b"<end of file>"
    else:
        line = content
    return repr(line[:160])


@pytest.mark.parametrize("compression", COMPRESSIONS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_malformed_vcf_is_refused_at_its_line_or_loaded_faithfully(
    case: Case, compression: str, loaded_store: Store, tmp_path: Path
) -> None:
    path = _write(tmp_path, case.content, compression)
    before = _snapshot(loaded_store)
    outcome = case.outcome
    if isinstance(outcome, Refused):
        with pytest.raises(LoadError) as raised:
            load_vcf(loaded_store, path, DATASET, "GRCh38")
        error = raised.value
        shown = f"{error} | expected line {outcome.line} in {sorted(outcome.fields)[:4]}; line: "
        shown += _short(case.content, outcome)
        assert (error.line, error.field in outcome.fields) == (outcome.line, True), shown
        assert str(error).startswith(f"{path}:{outcome.line}:{error.field}: "), shown
        assert error.field in LINE_FIELDS, shown
        assert _snapshot(loaded_store) == before, "a refused load changed the store"
        return
    expected, samples = _pysam_reading(outcome.truth or case.content)
    if not expected:  # it would leave the dataset without its variants: refused unless meant
        with pytest.raises(EmptyingLoadError):
            load_vcf(loaded_store, path, DATASET, "GRCh38")
        assert _snapshot(loaded_store) == before, "a refused load changed the store"
    summary = load_vcf(loaded_store, path, DATASET, "GRCh38", allow_empty=not expected)
    documents = list(loaded_store.variants.find({"datasetId": DATASET}))
    assert sorted(map(_loaded_row, documents)) == expected, _short(case.content, outcome)
    stats = loaded_store.collection(VARIANT_STATS).find_one({"_id": DATASET})
    assert (stats["variantCount"], tuple(stats["sampleIds"])) == (len(expected), samples)
    assert summary.variants == len(expected)
    assert _snapshot(loaded_store, without_dataset=True) == _snapshot_without(before)


REFUSED_CASES = [case for case in CASES if isinstance(case.outcome, Refused)]
# the header lines of the base files, meta lines and #CHROM line
_HEADERS = tuple(b"".join(line + b"\n" for line in (*base.meta, base.columns))
                 for base in (GENOTYPED, SITES_ONLY))  # fmt: skip


@pytest.mark.parametrize("compression", COMPRESSIONS)
@pytest.mark.parametrize("case", REFUSED_CASES, ids=[case.name for case in REFUSED_CASES])
def test_skip_invalid_rejects_the_bad_record_and_loads_the_others_faithfully(
    case: Case, compression: str, loaded_store: Store, tmp_path: Path
) -> None:
    """What the strict load refuses at a record, ``skip_invalid`` sets aside: the mutated line
    alone when the mutation is in a record, and the others load as pysam reads the file
    without the rejected lines. What it refuses as a problem of the file stops both loads."""
    outcome = case.outcome
    assert isinstance(outcome, Refused)
    path = _write(tmp_path, case.content, compression)
    with pytest.raises(LoadError) as refused:
        load_vcf(loaded_store, path, DATASET, "GRCh38")
    strict = refused.value
    before = _snapshot(loaded_store)
    rejects = tmp_path / "rejects"
    if strict.field == "header" or strict.field is None:
        with pytest.raises(LoadError) as raised:
            load_vcf(loaded_store, path, DATASET, "GRCh38", skip_invalid=True, rejects_dir=rejects)
        assert (raised.value.line, raised.value.field) == (strict.line, strict.field)
        assert _snapshot(loaded_store) == before
        return
    # a case whose every record is rejected would empty the dataset (refused without
    # allow_empty: tests/loaders/test_vcf_emptying.py); here only the rejects are looked at
    summary = load_vcf(
        loaded_store,
        path,
        DATASET,
        "GRCh38",
        skip_invalid=True,
        rejects_dir=rejects,
        allow_empty=True,
    )
    lines = (rejects / "case.rejects.txt").read_bytes().split(b"\n")
    problems, rejected = lines[:-1:2], lines[1::2]
    numbers = [int(problem.split(b":")[1]) for problem in problems]
    assert summary.rejected == len(numbers) and numbers[0] == outcome.line, problems
    assert problems[0].decode().startswith(str(strict)), problems[0]
    content = case.content.split(b"\n")
    assert rejected == [content[number - 1] for number in numbers]
    if case.content.startswith(_HEADERS):  # a mutated record: it alone is rejected
        assert numbers == [outcome.line], problems
    kept = b"\n".join(line for n, line in enumerate(content, 1) if n not in set(numbers))
    expected, _ = _pysam_reading(kept)
    documents = list(loaded_store.variants.find({"datasetId": DATASET}))
    assert sorted(map(_loaded_row, documents)) == expected, _short(case.content, outcome)
    assert _snapshot(loaded_store, without_dataset=True) == _snapshot_without(before)


def _snapshot_without(snapshot: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """A snapshot taken before a load, less the dataset the load replaced."""
    return {
        name: [
            d
            for d in documents
            if not (name == VARIANTS and d["datasetId"] == DATASET)
            and not (name == VARIANT_STATS and d["_id"] == DATASET)
        ]
        for name, documents in snapshot.items()
    }


def test_the_cases_cover_every_category_and_both_outcomes() -> None:
    """The fuzzing is only as good as its spread: guard it against a change that thins it."""
    kinds = {case.name.split("-", 1)[0] for case in random_cases()}
    assert kinds >= {"truncated", "columns", "genotype", "position", "reference", "alternate",
                     "characters", "format", "line", "order", "contig", "header"}  # fmt: skip
    refused = [case.outcome for case in CASES if isinstance(case.outcome, Refused)]
    exact_fields = {next(iter(outcome.fields)) for outcome in refused if len(outcome.fields) == 1}
    assert exact_fields >= {"columns", "CHROM", "POS", "ID", "REF", "ALT", "INFO", "INFO/END",
                            "INFO/SVLEN", "INFO/AC", "INFO/AN", "FORMAT", "GT", "samples",
                            "header"}  # fmt: skip
    assert len(CASES) * len(COMPRESSIONS) >= 500
    assert len(refused) > len(CASES) / 2 > len(CASES) - len(refused) > 50
    assert len({case.name for case in CASES}) == len(CASES)


_DAMAGES = ("bit flipped", "cut at a block boundary", "cut anywhere", "gzip MTIME changed")


@pytest.mark.parametrize("seed", range(16))
def test_damaged_bgzip_is_refused_at_a_line_or_read_whole(
    seed: int, loaded_store: Store, tmp_path: Path
) -> None:
    """Damage to the compressed bytes of a multi-block file: a cut (even at a block boundary,
    which only the missing end-of-file block reveals) is refused at the line after the last
    intact one, with the store untouched; a changed gzip MTIME, which no reader checks, loads
    the same documents as the intact file; a flipped bit does one or the other."""
    rng = random.Random(f"bgzip-{seed}")
    damage = _DAMAGES[seed % len(_DAMAGES)]
    path = _write(tmp_path, MULTI_BLOCK.render(), "bgzip")
    data = bytearray(path.read_bytes())
    blocks = _block_starts(bytes(data))
    if damage == "bit flipped":
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif damage == "cut at a block boundary":
        data = data[: rng.choice(blocks[1:])]
    elif damage == "cut anywhere":
        data = data[: rng.randrange(len(data) - 28)]  # the last 28 bytes are the EOF block
    else:
        # not in the end-of-file block, which htslib compares byte for byte
        data[rng.choice(blocks[:-1]) + 4 + rng.randrange(4)] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    before = _snapshot(loaded_store)
    try:
        load_vcf(loaded_store, path, DATASET, "GRCh38")
    except LoadError as error:
        assert damage in ("bit flipped", "cut at a block boundary", "cut anywhere"), str(error)
        assert error.line is not None, str(error)
        assert str(error).startswith(f"{path}:{error.line}:"), str(error)
        assert _snapshot(loaded_store) == before
        return
    assert damage in ("bit flipped", "gzip MTIME changed")
    expected, _ = _pysam_reading(MULTI_BLOCK.render())
    documents = loaded_store.variants.find({"datasetId": DATASET})
    assert sorted(map(_loaded_row, documents)) == expected


def _block_starts(data: bytes) -> list[int]:
    """Where each BGZF block begins (its size is in the BC extra field)."""
    starts, at = [], 0
    while at < len(data):
        starts.append(at)
        at += int.from_bytes(data[at + 16 : at + 18], "little") + 1
    return starts


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_the_command_exits_2_naming_file_and_line_without_a_traceback(
    name: str, tmp_path: Path
) -> None:
    (case,) = [case for case in CASES if case.name == name]
    assert isinstance(case.outcome, Refused)
    path = _write(tmp_path, case.content, "bgzip" if len(name) % 2 else "plain")
    command = "import sys; from app.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", command, "load", "vcf", str(path), "--dataset", DATASET,
         "--assembly", "GRCh38", "--no-progress", "--mongo-uri", "mongomock://localhost/cli"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"error: {path}:{case.outcome.line}:" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
