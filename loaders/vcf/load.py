"""The streaming VCF loader: read -> validate -> transform -> write in batches.

The file is read line by line through htslib's BGZF reader (bgzipped or plain text alike); lines
are grouped in batches so their genotypes are counted in one numpy pass, and documents flow to
``Store.replace_documents``, which swaps the dataset's documents only once the whole file was
read without error. Memory stays flat in the size of the VCF.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
from tqdm import tqdm

from app.genome import UnknownAssemblyError, canonical_assembly
from app.store import VARIANT_STATS, VARIANTS, Store
from app.store.collections import ALLELE_FREQUENCY
from loaders.errors import LoadError
from loaders.vcf.documents import VariantDocumentBuilder
from loaders.vcf.genotypes import GenotypeCounter, MalformedGenotypeError
from loaders.vcf.header import read_header
from loaders.vcf.lines import numbered_lines
from loaders.vcf.populations import (
    SamplePopulations,
    populations_from_metadata,
    read_populations_file,
)
from loaders.vcf.records import RecordParser, VcfRecord

# Lines per numpy genotype pass: enough to amortise numpy's per-call cost when samples are few,
# bounded by a cell budget so a batch stays a few tens of MB when samples are many.
_MIN_BATCH_LINES, _MAX_BATCH_LINES, _GENOTYPE_CELLS_PER_BATCH = 256, 2000, 2_000_000
# MongoDB's limit on a document, less room for the _id the store adds.
_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024 - 1024


@dataclass(frozen=True)
class PopulationSize:
    name: str
    samples: int  # VCF samples in the population
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2 codes given for them, sorted


@dataclass(frozen=True)
class VcfLoadSummary:
    path: str
    dataset_id: str
    assembly_id: str
    records: int  # VCF data lines read
    variants: int  # documents written: one per ALT allele, '*' and '.' not counted
    samples: int
    seconds: float
    populations: tuple[PopulationSize, ...] = ()  # in name order; empty: only ALL
    population_source: str | None = None  # the populations file, or "dataset metadata"
    warnings: tuple[str, ...] = ()

    @property
    def samples_in_populations(self) -> int:
        return sum(population.samples for population in self.populations)


def _canonical(path: str, assembly_id: str) -> str:
    try:
        return canonical_assembly(assembly_id)
    except UnknownAssemblyError as error:
        raise LoadError(path, str(error), field="assembly") from None


class VcfDocumentStream:
    """The documents of one VCF, streamed; counts what it read for the load summary.

    The header is read on construction, so a missing or broken file fails before anything
    is written; data-line errors surface while iterating.
    """

    def __init__(
        self,
        path: str | Path,
        dataset_id: str,
        assembly_id: str,
        *,
        progress: bool = False,
        populations: SamplePopulations | None = None,
    ) -> None:
        self.path = str(path)
        self.dataset_id = dataset_id
        self.assembly = _canonical(self.path, assembly_id)
        self.header = read_header(self.path)
        self.progress = progress
        self.records = 0
        self.variants = 0
        self.reference_names: set[str] = set()
        self.longest_variant = 0
        self._parser = RecordParser(self.path, self.header)
        self.assign_populations(populations)
        samples = max(len(self.header.samples), 1)
        self._batch_lines = max(
            _MIN_BATCH_LINES, min(_MAX_BATCH_LINES, _GENOTYPE_CELLS_PER_BATCH // samples)
        )

    @property
    def samples(self) -> int:
        return len(self.header.samples)

    @property
    def sample_names(self) -> tuple[str, ...]:
        return tuple(self.header.samples)

    def assign_populations(self, populations: SamplePopulations | None) -> None:
        """Count alleles per population too (or not, with None); call before iterating."""
        self.populations = populations if populations and populations.population_of else None
        self._genotypes = GenotypeCounter(
            self.header.samples, self.populations.population_of if self.populations else None
        )
        self._builder = VariantDocumentBuilder(
            self.dataset_id,
            self.assembly,
            self.header.annotations,
            self._genotypes.population_names,
        )
        # For a cheap upper bound of each document's size (_documents): what a carrier takes,
        # and the room left by what a document holds besides copies of its line (names, terms,
        # one frequency per population).
        self._bytes_per_carrier = 128 + 2 * max(map(len, self.header.samples), default=0)
        self._document_bytes_room = _MAX_DOCUMENT_BYTES - (
            4096 + 8 * len(self.dataset_id) + 256 * len(self._genotypes.population_names)
        )

    def population_sizes(self) -> tuple[PopulationSize, ...]:
        """The populations the VCF's samples were assigned to, in name order."""
        if self.populations is None:
            return ()
        members: dict[str, list[str]] = {}
        for sample in self.header.samples:
            population = self.populations.population_of.get(sample)
            if population is not None:
                members.setdefault(population, []).append(sample)
        country_of = self.populations.country_of
        return tuple(
            PopulationSize(
                name,
                len(members[name]),
                tuple(sorted({country_of[s] for s in members[name] if s in country_of})),
            )
            for name in sorted(members)
        )

    def warnings(self) -> tuple[str, ...]:
        if self.populations is None:
            return ()
        warning = self.populations.unknown_samples_warning(self.header.samples)
        return (warning,) if warning else ()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.records = self.variants = self.longest_variant = 0
        self.reference_names = set()
        batch: list[VcfRecord] = []
        with tqdm(
            unit=" records", unit_scale=True, disable=not self.progress, file=sys.stderr
        ) as bar:
            header_lines = self.header.lines
            for number, line in numbered_lines(self.path):
                if number <= header_lines or not line or line.isspace():
                    continue  # blank lines are skipped
                try:
                    record = self._parser.parse(number, line)
                except LoadError:
                    self._count_genotypes(batch)  # an earlier line's bad GT is the first error
                    raise
                batch.append(record)
                if len(batch) >= self._batch_lines:
                    yield from self._documents(batch)
                    bar.update(len(batch))
                    batch = []
            yield from self._documents(batch)
            bar.update(len(batch))

    def _documents(self, batch: list[VcfRecord]) -> Iterator[dict[str, Any]]:
        counts = self._count_genotypes(batch)
        self.records += len(batch)
        for record, record_counts in zip(batch, counts, strict=True):
            copied = _copied_bytes(record)
            for document in self._builder.documents(record, record_counts):
                if (
                    copied
                    + 4 * len(document["alternateBases"])
                    + self._bytes_per_carrier * len(document["biosampleIds"])
                    > self._document_bytes_room
                ):
                    self._check_size(record, document)
                self.variants += 1
                self.reference_names.add(document["referenceName"])
                self.longest_variant = max(
                    self.longest_variant, document["end"] - document["start"]
                )
                yield document

    def _check_size(self, record: VcfRecord, document: dict[str, Any]) -> None:
        """Refuse a document MongoDB would not store (pymongo would fail, naming no line).

        Called only when the cheap upper bound of ``_documents`` says it could be too large.
        """
        size = len(bson.encode(document))
        if size > _MAX_DOCUMENT_BYTES:
            largest = {
                "CHROM": len(record.chrom),
                "REF": len(record.ref),
                "ALT": len(document["alternateBases"]),
                "ID": sum(map(len, record.ids)),
                "INFO": len(record.info),
                "samples": self._bytes_per_carrier * len(document["biosampleIds"]),
            }
            raise LoadError(
                self.path,
                f"the document of ALT {_shown(document['alternateBases'])} would take "
                f"{size / 2**20:.1f} MB; MongoDB stores at most 16 MB",
                line=record.line,
                field=max(largest, key=largest.__getitem__),
            )

    def _count_genotypes(self, batch: list[VcfRecord]) -> list:
        """Genotype counts per record of the batch (None for records without GT)."""
        genotyped = [i for i, record in enumerate(batch) if record.sample_columns is not None]
        counts: list = [None] * len(batch)
        if not genotyped:
            return counts
        try:
            found = self._genotypes.count(
                [batch[i].sample_columns for i in genotyped],  # type: ignore[misc]
                [len(batch[i].alts) for i in genotyped],
                [batch[i].gt_index for i in genotyped],
            )
        except MalformedGenotypeError as error:
            record = batch[genotyped[error.row]]
            sample = self.header.samples[error.sample]
            raise LoadError(
                self.path, f"sample {sample}: {error.message}", line=record.line, field="GT"
            ) from None
        for i, record_counts in zip(genotyped, found, strict=True):
            counts[i] = record_counts
        return counts


class RarestFrequency:
    """The lowest allele frequency of the documents passing through (0 for an allele without
    one): a dataset with no rare allele need not be searched for one on every "yes"."""

    def __init__(self) -> None:
        self.value: float | None = None

    def watch(self, documents: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for document in documents:
            frequency = document.get(ALLELE_FREQUENCY)
            frequency = 0.0 if frequency is None else float(frequency)
            if self.value is None or frequency < self.value:
                self.value = frequency
            yield document


def iter_variant_documents(
    path: str | Path,
    dataset_id: str,
    assembly_id: str,
    *,
    progress: bool = False,
    populations: SamplePopulations | None = None,
) -> Iterator[dict[str, Any]]:
    """The ``genomicVariations`` documents of a VCF, streamed, without touching any store."""
    return iter(
        VcfDocumentStream(path, dataset_id, assembly_id, progress=progress, populations=populations)
    )


def load_vcf(
    store: Store,
    path: str | Path,
    dataset_id: str,
    assembly_id: str,
    *,
    progress: bool = False,
    batch_size: int = 2000,
    populations: str | Path | None = None,
) -> VcfLoadSummary:
    """Replace the dataset's variants with those of the VCF, all or nothing, then its stats.

    ``populations`` is a populations file (``loaders.vcf.populations``); without one, samples
    get the populations the dataset's metadata in the store gives them, if any.
    """
    began = time.perf_counter()
    assignment = read_populations_file(populations) if populations is not None else None
    stream = VcfDocumentStream(path, dataset_id, assembly_id, progress=progress)
    if assignment is None:
        assignment = populations_from_metadata(store, dataset_id, stream.sample_names)
    stream.assign_populations(assignment)
    store.ensure_indexes()
    rarest = RarestFrequency()
    with store.release(f"vcf {os.path.basename(stream.path)} into dataset {dataset_id}") as release:
        release.replace(VARIANTS, {"datasetId": dataset_id}, rarest.watch(stream))
        stats = {
            "_id": dataset_id,
            "variantCount": stream.variants,
            "sampleCount": stream.samples,
            "sampleIds": list(stream.sample_names),
            "assemblyIds": [stream.assembly],
            "referenceNames": sorted(stream.reference_names),
            "longestVariant": stream.longest_variant,
            "rarestAlleleFrequency": rarest.value,
            "source": os.path.basename(stream.path),
            "loadedAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
        release.upsert_by_id(VARIANT_STATS, [stats])
    return VcfLoadSummary(
        path=stream.path,
        dataset_id=dataset_id,
        assembly_id=stream.assembly,
        records=stream.records,
        variants=stream.variants,
        samples=stream.samples,
        seconds=time.perf_counter() - began,
        populations=stream.population_sizes(),
        population_source=stream.populations.source if stream.populations else None,
        warnings=stream.warnings(),
    )


def _copied_bytes(record: VcfRecord) -> int:
    """An upper bound of what each document of the record takes from its line, ALT aside.

    CHROM, REF and IDs are copied at most three times (with a link per dbSNP id); gene symbols
    and protein changes from INFO twice, each with a list entry's few bytes of framing.
    """
    return (
        4 * (len(record.chrom) + len(record.ref))
        + 16 * len(record.info)
        + sum(4 * len(identifier) + 256 for identifier in record.ids)
    )


def _shown(text: str, limit: int = 20) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
