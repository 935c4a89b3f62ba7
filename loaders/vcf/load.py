"""The streaming VCF loader: read -> validate -> transform -> write in batches.

The file is read in blocks through htslib's BGZF reader (bgzipped or plain text alike); lines
are grouped in batches so their genotypes are counted in one numpy pass, and documents flow to
``Release.replace_dataset``, which swaps the dataset's documents only once the whole file was
read without error. Memory stays flat in the size of the VCF.

By default the first bad record stops the load. With ``skip_invalid`` a problem of one record
(any field, a bad GT found in the batch's genotype pass, a document too large for MongoDB) sets
that record aside in the rejects file (``loaders.vcf.rejects``) and the load goes on; problems
of the file itself (its header, a corrupt compressed block, a header line among the records)
still stop it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
from tqdm import tqdm

from app.genome import UnknownAssemblyError, canonical_assembly
from app.store import VARIANT_STATS, VARIANTS, Store
from app.store.collections import ALLELE_FREQUENCY
from loaders.emptying import FileRows, refuse_emptying
from loaders.errors import LoadError
from loaders.vcf.documents import SKIPPED_KINDS, VariantDocumentBuilder
from loaders.vcf.genotypes import GenotypeCounter, MalformedGenotypeError
from loaders.vcf.header import read_header
from loaders.vcf.lines import numbered_blocks
from loaders.vcf.populations import (
    SamplePopulations,
    populations_from_metadata,
    read_populations_file,
)
from loaders.vcf.records import NotOneRecordError, RecordParser, VcfRecord
from loaders.vcf.rejects import RejectedRecords, RejectLimit, TooManyRejectedError

# Lines per numpy genotype pass: enough to amortise numpy's per-call cost when samples are few,
# bounded by a cell budget so a batch stays a few tens of MB when samples are many.
_MIN_BATCH_LINES, _MAX_BATCH_LINES, _GENOTYPE_CELLS_PER_BATCH = 256, 2000, 2_000_000
# MongoDB's limit on a document, less room for the _id the store adds.
_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024 - 1024
_REJECTED = object()  # the genotype counts of a record rejected for its GT
# A bound of what a document copies from its line, per byte of the line: every copy that
# _copied_bytes counts, and an ID's 256 bytes of link once per two bytes of the ID column.
_COPIES_PER_LINE_BYTE = 160
_RECOUNT_SLICE = 64  # records counted in one pass when a batch holding a bad GT is counted again


@dataclass(frozen=True)
class PopulationSize:
    name: str
    samples: int  # VCF samples in the population
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2 codes given for them, sorted


@dataclass(frozen=True)
class VcfLoadSummary:
    """What a load read and wrote. Every record read is loaded, rejected, without a carrier
    or without an alternate allele: ``records == loaded + rejected + without_carrier +
    without_alternate``."""

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
    loaded: int = 0  # records that gave at least one document
    rejected: int = 0  # records set aside (``skip_invalid``), written to ``rejects_file``
    rejects_file: str | None = None
    # records not loaded because no sample carries any of their ALT alleles (every called
    # genotype is reference) or INFO/AC says 0 for each
    without_carrier: int = 0
    without_alternate: int = 0  # records whose ALT alleles are all '*' or '.'

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
    is written; data-line errors surface while iterating. ``rejects`` (None: the first bad
    record stops the stream) takes the bad records instead; ``max_rejected`` then refuses,
    once the whole file was read, a file with more of them.
    """

    def __init__(
        self,
        path: str | Path,
        dataset_id: str,
        assembly_id: str,
        *,
        progress: bool = False,
        populations: SamplePopulations | None = None,
        rejects: RejectedRecords | None = None,
        max_rejected: RejectLimit | None = None,
    ) -> None:
        self.path = str(path)
        self.dataset_id = dataset_id
        self.assembly = _canonical(self.path, assembly_id)
        self.header = read_header(self.path)
        self.progress = progress
        self.rejects = rejects
        self.max_rejected = max_rejected
        self.records = self.variants = self.without_carrier = self.without_alternate = 0
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

    @property
    def rejected(self) -> int:
        return self.rejects.count if self.rejects is not None else 0

    @property
    def loaded(self) -> int:
        """Records that gave at least one document."""
        return self.records - self.rejected - self.without_carrier - self.without_alternate

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.records = self.variants = self.longest_variant = 0
        self.without_carrier = self.without_alternate = 0
        self.reference_names = set()
        rejects = self.rejects
        batch: list[VcfRecord] = []
        # the lines of the batch's records, for the rejects file (not kept when nothing is)
        lines: list[bytes] | None = [] if rejects is not None else None
        try:
            with _ProgressBar(self.path, self.progress) as bar, _collecting_rarely():
                header_lines, batch_lines = self.header.lines, self._batch_lines
                parse = self._parser.parse
                for first, block in numbered_blocks(self.path, bar.reached):
                    plain = block.plain
                    for number, line in enumerate(block.lines, first):
                        if number <= header_lines or not line or line.isspace():
                            continue  # blank lines are skipped
                        try:
                            record = parse(number, line, plain)
                        except LoadError as error:
                            if rejects is None or isinstance(error, NotOneRecordError):
                                self._count_genotypes(batch, lines)  # an earlier bad GT first
                                raise
                            rejects.reject(error, line)
                            self.records += 1
                            if rejects.held >= batch_lines:  # bad lines in a row: write them
                                yield from self._documents(batch, lines)
                                batch = []
                                lines = []
                            continue
                        batch.append(record)
                        if lines is not None:
                            lines.append(line)
                        if len(batch) >= batch_lines:
                            yield from self._documents(batch, lines)
                            bar.records(self.records)
                            batch = []
                            lines = [] if lines is not None else None
                yield from self._documents(batch, lines)
                bar.records(self.records)
        finally:
            if rejects is not None:
                rejects.close()
        self._check_rejected()

    def _check_rejected(self) -> None:
        """Refuse the load, once every record was read, when more were rejected than allowed."""
        limit, rejects = self.max_rejected, self.rejects
        if limit is None or rejects is None or limit.allows(rejects.count, self.records):
            return
        share = rejects.count / self.records if self.records else 0.0
        raise TooManyRejectedError(
            self.path,
            f"{rejects.count} of {self.records} records rejected ({share:.1%}), more than the "
            f"{limit} allowed; the load is refused (the rejected records are in {rejects.path})",
        )

    def _documents(
        self, batch: list[VcfRecord], lines: list[bytes] | None
    ) -> Iterator[dict[str, Any]]:
        """The documents of a batch of records; a rejected record gives none of its documents.

        Each record's documents are handed on as soon as they are built, so a consumer turning
        them into rows does so while they are still in the CPU's cache (holding a batch's
        documents first made building them twice as slow). A record's documents share its
        chromosome, so the stats are kept per record.
        """
        counts = self._count_genotypes(batch, lines)
        self.records += len(batch)
        build = self._builder.documents
        reference_names = self.reference_names
        # what a document may take besides copies of its line, carriers included
        room = self._document_bytes_room - self._bytes_per_carrier * self.samples
        for index, (record, record_counts) in enumerate(zip(batch, counts, strict=True)):
            if record_counts is _REJECTED:
                continue
            documents = build(record, record_counts)
            if not documents:
                if all(kind in SKIPPED_KINDS for kind in record.kinds):
                    self.without_alternate += 1
                else:
                    self.without_carrier += 1
                continue
            # a cheap upper bound of their size first: measured only when one could be too large
            if _COPIES_PER_LINE_BYTE * record.line_bytes + 256 > room and (
                too_large := self._too_large_of(record, documents)
            ):
                self._reject(too_large, lines, index)
                continue
            longest = self.longest_variant
            for document in documents:
                longest = max(longest, document["end"] - document["start"])
            self.longest_variant = longest
            self.variants += len(documents)
            reference_names.add(documents[0]["referenceName"])
            yield from documents
        if self.rejects is not None:
            self.rejects.flush()

    def _too_large_of(self, record: VcfRecord, documents: list[dict[str, Any]]) -> LoadError | None:
        """The problem of the first of a record's documents MongoDB would not store, or None."""
        room, bytes_per_carrier = self._document_bytes_room, self._bytes_per_carrier
        copied = _copied_bytes(record)
        for document in documents:
            if (
                copied
                + 4 * len(document["alternateBases"])
                + bytes_per_carrier * len(document["biosampleIds"])
                > room
            ) and (too_large := self._too_large(record, document)) is not None:
                return too_large
        return None

    def _reject(self, problem: LoadError, lines: list[bytes] | None, index: int) -> None:
        """Set the batch's record ``index`` aside, or stop the load when none may be."""
        if self.rejects is None or lines is None:
            raise problem
        self.rejects.reject(problem, lines[index])

    def _too_large(self, record: VcfRecord, document: dict[str, Any]) -> LoadError | None:
        """The problem of a document MongoDB would not store (pymongo would fail, naming no
        line), or None."""
        size = len(bson.encode(document))
        if size <= _MAX_DOCUMENT_BYTES:
            return None
        largest = {
            "CHROM": len(record.chrom),
            "REF": len(record.ref),
            "ALT": len(document["alternateBases"]),
            "ID": sum(map(len, record.ids)),
            "INFO": len(record.info),
            "samples": self._bytes_per_carrier * len(document["biosampleIds"]),
        }
        return LoadError(
            self.path,
            f"the document of ALT {_shown(document['alternateBases'])} would take "
            f"{size / 2**20:.1f} MB; MongoDB stores at most 16 MB",
            line=record.line,
            field=max(largest, key=largest.__getitem__),
        )

    def _count_genotypes(self, batch: list[VcfRecord], lines: list[bytes] | None) -> list:
        """Genotype counts per record of the batch (None for records without GT, ``_REJECTED``
        for those rejected for their GT)."""
        genotyped = [i for i, record in enumerate(batch) if record.sample_columns is not None]
        counts: list = [None] * len(batch)
        if not genotyped:
            return counts
        try:
            found = self._count(batch, genotyped)
        except MalformedGenotypeError as error:
            if self.rejects is None:
                raise self._genotype_problem(batch[genotyped[error.row]], error) from None
            found = self._count_rejecting(batch, lines, genotyped)
        for i, record_counts in zip(genotyped, found, strict=True):
            counts[i] = record_counts
        return counts

    def _count(self, batch: list[VcfRecord], indexes: list[int]) -> list:
        return self._genotypes.count(
            [batch[i].sample_columns for i in indexes],  # type: ignore[misc]
            [len(batch[i].alts) for i in indexes],
            [batch[i].gt_index for i in indexes],
        )

    def _count_rejecting(
        self, batch: list[VcfRecord], lines: list[bytes] | None, genotyped: list[int]
    ) -> list:
        """The counts of a batch holding a bad GT, rejecting the records that hold one.

        Counted again in slices, and record by record within a slice holding a bad GT: a few
        times the batch's one pass, where record by record throughout would cost 10-40 times.
        """
        found: list = []
        for start in range(0, len(genotyped), _RECOUNT_SLICE):
            indexes = genotyped[start : start + _RECOUNT_SLICE]
            try:
                found += self._count(batch, indexes)
                continue
            except MalformedGenotypeError:
                pass
            for i in indexes:
                try:
                    found += self._count(batch, [i])
                except MalformedGenotypeError as error:
                    self._reject(self._genotype_problem(batch[i], error), lines, i)
                    found.append(_REJECTED)
        return found

    def _genotype_problem(self, record: VcfRecord, error: MalformedGenotypeError) -> LoadError:
        sample = self.header.samples[error.sample]
        return LoadError(
            self.path, f"sample {sample}: {error.message}", line=record.line, field="GT"
        )


# Allocations between two runs of the cyclic garbage collector's youngest generation while a
# VCF streams (Python's default: 700), and how rarely the older ones run (default: 10, 10).
_BULK_COLLECTOR_THRESHOLDS = (100_000, 50, 50)
_DEFAULTS = gc.get_threshold()  # the process's own, as it imported the loader


@contextlib.contextmanager
def _collecting_rarely() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while documents stream.

    Documents and records hold no reference cycles (reference counting frees them), yet every
    container counts towards the collector's thresholds: at its defaults it traverses the batch
    in flight, and the writer's rows, every few thousand allocations, which doubled the time to
    stream a sites-only VCF. Cycles are still collected, only less often; the thresholds
    before are restored when the stream ends (unless something else changed them meanwhile,
    such as another stream that ended first: the defaults come back once, never our own).
    """
    before = gc.get_threshold()
    gc.set_threshold(*_BULK_COLLECTOR_THRESHOLDS)
    try:
        yield
    finally:
        if gc.get_threshold() == _BULK_COLLECTOR_THRESHOLDS:
            gc.set_threshold(*(before if before != _BULK_COLLECTOR_THRESHOLDS else _DEFAULTS))


class _ProgressBar:
    """The load's progress on stderr: bytes of the file as stored against its size (so a
    percentage and a time left), and the records read so far."""

    def __init__(self, path: str, shown: bool) -> None:
        self._began = time.perf_counter()
        self._bar = (
            tqdm(
                total=os.path.getsize(path),
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                dynamic_ncols=True,
            )
            if shown
            else None
        )
        self.reached: Callable[[int], None] | None = self._reached if shown else None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *failure: object) -> None:
        if self._bar is None:
            return
        if failure[0] is None:
            self._reached(self._bar.total)  # the file's end: its last blocks hold no lines
        self._bar.close()

    def _reached(self, position: int) -> None:
        bar = self._bar
        assert bar is not None
        if position > bar.n:
            bar.update(min(position, bar.total) - bar.n)

    def records(self, count: int) -> None:
        if self._bar is None:
            return
        rate = count / max(time.perf_counter() - self._began, 1e-9)
        self._bar.set_postfix_str(f"{count:,} records, {rate:,.0f} records/s", refresh=False)


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
    skip_invalid: bool = False,
    rejects_dir: str | Path | None = None,
    max_rejected: RejectLimit | None = None,
    allow_empty: bool = False,
) -> VcfLoadSummary:
    """Replace the dataset's variants with those of the VCF, all or nothing, then its stats.

    ``populations`` is a populations file (``loaders.vcf.populations``); without one, samples
    get the populations the dataset's metadata in the store gives them, if any.

    The first bad record raises LoadError and nothing is written, unless ``skip_invalid``: bad
    records are then written to a rejects file (beside the VCF, or in ``rejects_dir``) and the
    others loaded; with ``max_rejected`` too, more rejected records than it allows raise
    :class:`TooManyRejectedError` once the file was read, and nothing is written (the rejects
    file stays, to show why). Unless ``allow_empty``, a load that would leave the dataset without
    variants where it has some, or that rejected every record, raises
    :class:`~loaders.emptying.EmptyingLoadError` and writes nothing.
    """
    began = time.perf_counter()
    assignment = read_populations_file(populations) if populations is not None else None
    stream = VcfDocumentStream(
        path,
        dataset_id,
        assembly_id,
        progress=progress,
        rejects=RejectedRecords(str(path), rejects_dir) if skip_invalid else None,
        max_rejected=max_rejected if skip_invalid else None,
    )
    if assignment is None:
        assignment = populations_from_metadata(store, dataset_id, stream.sample_names)
    stream.assign_populations(assignment)
    store.ensure_indexes()
    rarest = RarestFrequency()
    with store.release(f"vcf {os.path.basename(stream.path)} into dataset {dataset_id}") as release:
        release.declare_samples(stream.sample_names)
        written = release.replace_dataset(VARIANTS, dataset_id, rarest.watch(stream))
        read = FileRows(
            stream.path,
            read=stream.records,
            loaded=stream.records - stream.rejected,  # records without a carrier are no rejects
            rejects_file=str(stream.rejects.path) if stream.rejects and stream.rejected else None,
            unit="records",
        )
        refuse_emptying(store, dataset_id, {VARIANTS: written}, [read], allow_empty=allow_empty)
        stats = {
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
        release.put_stats(VARIANT_STATS, dataset_id, stats)
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
        loaded=stream.loaded,
        rejected=stream.rejected,
        rejects_file=read.rejects_file,
        without_carrier=stream.without_carrier,
        without_alternate=stream.without_alternate,
    )


def _copied_bytes(record: VcfRecord) -> int:
    """An upper bound of what each document of the record takes from its line, ALT aside.

    CHROM, REF and IDs are copied at most three times (with a link per dbSNP id); gene symbols
    and protein changes from INFO twice, each with a list entry's few bytes of framing.
    """
    copied = 4 * (len(record.chrom) + len(record.ref)) + 16 * len(record.info)
    if record.ids:
        copied += sum(4 * len(identifier) + 256 for identifier in record.ids)
    return copied


def _shown(text: str, limit: int = 20) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
