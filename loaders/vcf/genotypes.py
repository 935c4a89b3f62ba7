"""Per-ALT allele counts and carriers from the GT of every sample, many VCF lines at a time.

Reading genotypes sample by sample through pysam costs ~0.6 us per access, far too slow for
thousands of samples (``PERFORMANCE.md``). Instead the sample columns of a batch of lines are
scanned as one byte array with numpy: every GT of the usual shape (``0/1``, ``1|1``, ``./.``,
haploid ``1``) is decoded in bulk, and Python touches only the carriers of a non-reference allele.
Lines holding any other GT shape (allele indexes above 9, ploidy above 2, ...) take a plain
per-sample parse that gives the same answer.

When samples are assigned to populations, AC and AN are also counted per population: AC from the
carrier entries already found, AN from the cells calling fewer than two alleles (a population's
AN is two per member less what those cells lack), so the extra work scales with the carriers and
the missing or haploid calls, not with every cell. Without populations nothing extra is done.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.genome import HEMIZYGOUS, HETEROZYGOUS, HOMOZYGOUS
from app.store.carrier_cases import CarrierBatch, CarrierCases, CarrierNames

_ZYGOSITY_TERMS = (HEMIZYGOUS, HETEROZYGOUS, HOMOZYGOUS)
_HEMI, _HET, _HOM = 0, 1, 2

_TAB = ord("\t")
_ABSENT = -2  # second allele of a haploid call
_MISSING = -1
_FAST_MAX_ALLELE = 9  # one-digit allele indexes: the numpy path's limit
_DIGITS_BEYOND_ANY_ALLELE = 10
_ALLELE_SLOTS = _FAST_MAX_ALLELE + 1
_ALLELE_SEPARATOR = re.compile(rb"[/|]")
_NO_POPULATION = -1


class MalformedGenotypeError(ValueError):
    """A GT value that is not a genotype, or names an allele the record does not have."""

    def __init__(self, row: int, sample: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.sample = sample
        self.message = message


@dataclass
class GenotypeCounts:
    """Allele counts of one VCF line: ``allele_counts[i]`` is AC of ALT ``i + 1``.

    With P populations (``GenotypeCounter.population_names``), ``population_allele_numbers[p]``
    is the called alleles of population ``p``'s samples and ``population_allele_counts[i * P + p]``
    their AC of ALT ``i + 1`` (one flat list per line, not one per ALT: fewer allocations); both
    are None without populations.
    """

    allele_counts: list[int]
    allele_number: int
    carriers: dict[int, list[dict]] = field(default_factory=dict)  # ALT number -> caseLevelData
    population_allele_counts: list[int] | None = None
    population_allele_numbers: list[int] | None = None
    # ALT number -> the carriers' sample names, in the order of ``carriers``
    carrier_names: dict[int, list[str]] = field(default_factory=dict)


class GenotypeCounter:
    """Counts genotypes for one VCF's samples.

    The caseLevelData entries (one per sample and zygosity) are built once and shared by every
    document that lists them: building a dict per carrier per line would cost more than all
    the genotype decoding. Treat the documents as read-only.
    """

    def __init__(
        self, sample_names: Sequence[str], population_of: Mapping[str, str] | None = None
    ) -> None:
        """``population_of`` maps sample names to populations; samples it lacks are in none."""
        self.sample_names = tuple(sample_names)
        self._cases = [
            {"biosampleId": name, "zygosity": term}
            for term in _ZYGOSITY_TERMS
            for name in self.sample_names
        ]
        # the same, as arrays a batch's carrier entries index in one numpy call
        self._case_array = _object_array(self._cases)
        self._name_array = _object_array(self.sample_names)
        population_of = population_of or {}
        names = [population_of.get(name) for name in self.sample_names]
        self.population_names = tuple(sorted({name for name in names if name is not None}))
        self._populations: _Populations | None = None
        if self.population_names:
            self._populations = _Populations.of(names, self.population_names)
        self._in_none = [_NO_POPULATION] * len(self.sample_names)

    def case(self, sample: int, zygosity_code: int) -> dict:
        return self._cases[zygosity_code * len(self.sample_names) + sample]

    def count(
        self, rows: Sequence[bytes], alt_counts: Sequence[int], gt_indexes: Sequence[int]
    ) -> list[GenotypeCounts]:
        """Counts for each row of sample columns (the tab-separated text after FORMAT).

        ``gt_indexes[i]`` is the position of GT among row ``i``'s FORMAT keys. Every row must
        hold exactly one column per sample (the caller checks). Raises MalformedGenotypeError
        naming the first bad row and sample.
        """
        try:
            return self._count_rows(rows, alt_counts, gt_indexes)
        except MalformedGenotypeError:
            # Report the first bad row of the batch: re-check the rows in file order.
            for i, row in enumerate(rows):
                try:
                    self.count_row_in_python(row, alt_counts[i], gt_indexes[i])
                except MalformedGenotypeError as error:
                    raise MalformedGenotypeError(i, error.sample, error.message) from None
            raise

    def _count_rows(
        self, rows: Sequence[bytes], alt_counts: Sequence[int], gt_indexes: Sequence[int]
    ) -> list[GenotypeCounts]:
        results: list[GenotypeCounts | None] = [None] * len(rows)
        fast_rows = [i for i, gt_index in enumerate(gt_indexes) if gt_index == 0]
        if fast_rows:
            decoded = self._count_with_numpy(
                [rows[i] for i in fast_rows], [alt_counts[i] for i in fast_rows]
            )
            for i, counts in zip(fast_rows, decoded, strict=True):
                results[i] = counts
        for i, counts in enumerate(results):
            if counts is None:
                results[i] = self.count_row_in_python(rows[i], alt_counts[i], gt_indexes[i])
        return results  # type: ignore[return-value]

    def count_row_in_python(self, row: bytes, alt_count: int, gt_index: int) -> GenotypeCounts:
        """The plain parse of one row: any ploidy, any allele index."""
        allele_counts = [0] * alt_count
        allele_number = 0
        carriers: dict[int, list[dict]] = {}
        carrier_names: dict[int, list[str]] = {}
        populations = self._populations
        n_populations = populations.count if populations is not None else 0
        population_of = populations.index_list if populations is not None else self._in_none
        population_counts = [0] * (alt_count * n_populations)
        population_numbers = [0] * n_populations
        for sample, column in enumerate(row.split(b"\t")):
            keys = column.split(b":")
            gt = keys[gt_index] if gt_index < len(keys) else b"."
            alleles = _parse_gt(gt, alt_count, sample)
            called = [allele for allele in alleles if allele >= 0]
            allele_number += len(called)
            population = population_of[sample]
            if population != _NO_POPULATION:
                population_numbers[population] += len(called)
            for alt in sorted({allele for allele in called if allele > 0}):
                copies = called.count(alt)
                allele_counts[alt - 1] += copies
                if population != _NO_POPULATION:
                    population_counts[(alt - 1) * n_populations + population] += copies
                if len(alleles) == 1:
                    zygosity = _HEMI
                elif copies == len(alleles):
                    zygosity = _HOM
                else:
                    zygosity = _HET
                carriers.setdefault(alt, []).append(self.case(sample, zygosity))
                carrier_names.setdefault(alt, []).append(self.sample_names[sample])
        if populations is None:
            return GenotypeCounts(allele_counts, allele_number, carriers, None, None, carrier_names)
        return GenotypeCounts(
            allele_counts,
            allele_number,
            carriers,
            population_counts,
            population_numbers,
            carrier_names,
        )

    def _count_with_numpy(
        self, rows: Sequence[bytes], alt_counts: Sequence[int]
    ) -> list[GenotypeCounts | None]:
        """Decode rows whose GT comes first; None for rows needing the per-sample parse."""
        n_rows, n_samples = len(rows), len(self.sample_names)
        words, three_bytes = _cell_words(rows, n_samples)
        populations = self._populations
        calls = _decode_calls(words, three_bytes, n_rows, n_samples, populations)
        _check_allele_indexes(calls, rows, alt_counts)
        entries = _carrier_entries(calls, n_samples)
        results = _counts_per_row(calls, entries, alt_counts)
        if populations is not None:
            _attach_population_counts(results, calls, entries, alt_counts, populations)
        self._attach_carriers(results, entries)
        return results

    def _attach_carriers(self, results: list[GenotypeCounts | None], entries: _Entries) -> None:
        """Slice the sorted entries into each row's ALT -> caseLevelData and sample names; the
        caseLevelData also says where its carriers sit among the samples (``CarrierCases``),
        so the store takes them without reading each entry back."""
        if not len(entries.samples):
            return
        n_samples = len(self.sample_names)
        listed = self._case_array[entries.zygosity * n_samples + entries.samples].tolist()
        names = self._name_array[entries.samples].tolist()
        group_keys = entries.rows * _ALLELE_SLOTS + entries.alts
        boundaries = (np.flatnonzero(group_keys[1:] != group_keys[:-1]) + 1).tolist()
        starts = [0, *boundaries]
        ends = [*boundaries, len(listed)]
        compact = entries.samples.astype(np.min_scalar_type(max(n_samples - 1, 0)))
        homozygous, homozygous_at = _zygosity_spans(entries, compact, _HOM, starts, ends)
        hemizygous, hemizygous_at = _zygosity_spans(entries, compact, _HEMI, starts, ends)
        batch = CarrierBatch(self.sample_names, compact, homozygous, hemizygous)
        for begin, end, row, alt, at_homozygous, at_hemizygous in zip(
            starts,
            ends,
            entries.rows[starts].tolist(),
            entries.alts[starts].tolist(),
            homozygous_at,
            hemizygous_at,
            strict=True,
        ):
            counts = results[row]
            carrier_names = CarrierNames(names[begin:end])
            counts.carriers[alt] = CarrierCases(  # type: ignore[union-attr]
                listed[begin:end],
                carrier_names,
                batch,
                (begin, end),
                at_homozygous,
                at_hemizygous,
            )
            counts.carrier_names[alt] = carrier_names  # type: ignore[union-attr]


def _zygosity_spans(
    entries: _Entries, positions: np.ndarray, zygosity: int, starts: list[int], ends: list[int]
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The sample positions of one zygosity's entries, and where each group's (a row's ALT)
    lie among them: found with numpy, no carrier looked at in Python."""
    chosen = np.flatnonzero(entries.zygosity == zygosity)
    spans = zip(
        np.searchsorted(chosen, starts).tolist(),
        np.searchsorted(chosen, ends).tolist(),
        strict=True,
    )
    return positions[chosen], list(spans)


def _object_array(items: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _parse_gt(gt: bytes, alt_count: int, sample: int) -> list[int]:
    if not gt:
        raise MalformedGenotypeError(0, sample, "empty genotype")
    alleles = []
    for text in _ALLELE_SEPARATOR.split(gt):
        if text == b".":
            alleles.append(_MISSING)
        elif text.isdigit():
            # ten digits are beyond any line's ALT count (and int() refuses thousands of them)
            digits = text.lstrip(b"0") or b"0"
            allele = int(digits) if len(digits) < _DIGITS_BEYOND_ANY_ALLELE else alt_count + 1
            if allele > alt_count:
                raise MalformedGenotypeError(
                    0,
                    sample,
                    f"allele in {_shown(gt)} but the record has {alt_count} ALT allele(s)",
                )
            alleles.append(allele)
        else:
            raise MalformedGenotypeError(0, sample, f"{_shown(gt)} is not a genotype")
    return alleles


def _shown(gt: bytes, limit: int = 40) -> str:
    """Quote a GT for a message, shortened: a broken one can be megabytes long."""
    text = gt.decode(errors="replace")
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _byte_table(mapping: dict[bytes, int], default: int, dtype: type) -> np.ndarray:
    table = np.full(256, default, dtype=dtype)
    for characters, value in mapping.items():
        table[list(characters)] = value
    return table


# byte -> allele index ('.' is missing, anything else is not an allele)
_ALLELE_OF_BYTE = _byte_table(
    {str(digit).encode(): digit for digit in range(10)} | {b".": _MISSING}, -3, np.int8
)
_IS_PHASING = _byte_table({b"/|": 1}, 0, np.bool_)
_ENDS_GT = _byte_table({b"\t:": 1}, 0, np.bool_)


def _word(text: bytes) -> int:
    """The little-endian integer of up to four bytes, as a cell's leading bytes read."""
    return int.from_bytes(text, "little")


# The calls that make up nearly every cell, recognised by comparing whole 32-bit words.
_LOW_3, _LOW_2 = 0xFFFFFF, 0xFFFF
_DIPLOID_REFERENCE = (_word(b"0/0"), _word(b"0|0"))
_DIPLOID_MISSING = (_word(b"./."), _word(b".|."))
_HAPLOID_REFERENCE = (_word(b"0\t"), _word(b"0:"))
_HAPLOID_MISSING = (_word(b".\t"), _word(b".:"))


def _cell_words(rows: Sequence[bytes], n_samples: int) -> tuple[np.ndarray, bool]:
    """The first four bytes of every sample column as one uint32 (row-major), padded with tabs.

    Returns the words and whether every column is exactly three bytes (``0/1`` in a GT-only
    file), in which case the columns are read in place; otherwise they are gathered from the
    column starts found at the tabs.
    """
    joined = b"\t".join(rows) + b"\t\t\t\t"
    cells = len(rows) * n_samples
    if len(joined) == 4 * cells + 3:
        words = np.frombuffer(joined, dtype="<u4", count=cells)
        if ((words >> 24) == _TAB).all():
            return words, True
    buffer = np.frombuffer(joined, dtype=np.uint8)
    tabs = np.flatnonzero(buffer[:-4] == _TAB)
    if len(tabs) + 1 != cells:
        raise ValueError("every row must hold one column per sample")
    starts = np.empty(cells, dtype=np.int64)
    starts[0] = 0
    np.add(tabs, 1, out=starts[1:])
    every_offset = np.ndarray((len(joined) - 3,), dtype="<u4", buffer=joined, strides=(1,))
    return every_offset[starts], False


@dataclass(frozen=True)
class _Populations:
    """The samples' populations as indexes into the sorted population names."""

    count: int
    index_list: list[int]  # per sample, -1 for no population: for the plain parse
    columns: np.ndarray  # per sample, ``count`` for no population: a column numpy drops
    sizes: np.ndarray  # samples per population

    @classmethod
    def of(cls, sample_populations: Sequence[str | None], names: Sequence[str]) -> _Populations:
        position = {name: index for index, name in enumerate(names)}
        index_list = [
            _NO_POPULATION if name is None else position[name] for name in sample_populations
        ]
        indexes = np.array(index_list, dtype=np.int64)
        columns = np.where(indexes >= 0, indexes, len(names))
        sizes = np.bincount(columns, minlength=len(names) + 1)[:-1].astype(np.int64)
        return cls(len(names), index_list, columns, sizes)


@dataclass
class _Calls:
    """Decoded calls of a batch: per-row totals, and the few cells carrying an ALT allele."""

    simple_rows: np.ndarray  # rows whose every call is simple (else parsed in Python)
    allele_numbers: np.ndarray  # called alleles per row
    rows: np.ndarray  # carrier cells, row-major order
    samples: np.ndarray
    allele_1: np.ndarray
    allele_2: np.ndarray  # -2 for a haploid call
    population_allele_numbers: np.ndarray | None = None  # rows x populations, when assigned


def _decode_calls(
    words: np.ndarray,
    three_bytes: bool,
    n_rows: int,
    n_samples: int,
    populations: _Populations | None = None,
) -> _Calls:
    """Classify every cell by whole-word comparisons; decode byte by byte only the rest.

    Homozygous-reference and missing calls (nearly all cells) are recognised without leaving
    numpy's fast comparisons; the remaining cells are few and are decoded from their bytes.
    """
    low_3 = words & _LOW_3
    diploid_reference = (low_3 == _DIPLOID_REFERENCE[0]) | (low_3 == _DIPLOID_REFERENCE[1])
    diploid_missing = (low_3 == _DIPLOID_MISSING[0]) | (low_3 == _DIPLOID_MISSING[1])
    if three_bytes:
        haploid_reference = None
        common = diploid_reference | diploid_missing
    else:
        after = words >> 24
        ends = (after == _TAB) | (after == ord(":"))
        diploid_reference &= ends
        diploid_missing &= ends
        low_2 = words & _LOW_2
        haploid_reference = (low_2 == _HAPLOID_REFERENCE[0]) | (low_2 == _HAPLOID_REFERENCE[1])
        haploid_missing = (low_2 == _HAPLOID_MISSING[0]) | (low_2 == _HAPLOID_MISSING[1])
        common = diploid_reference | diploid_missing | haploid_reference | haploid_missing
    allele_numbers = 2 * diploid_reference.reshape(n_rows, n_samples).sum(axis=1)
    if haploid_reference is not None:
        allele_numbers += haploid_reference.reshape(n_rows, n_samples).sum(axis=1)

    cells = np.flatnonzero(~common)
    rare = words[cells]
    first = _ALLELE_OF_BYTE[rare & 0xFF]
    separator = (rare >> 8) & 0xFF
    second = _ALLELE_OF_BYTE[(rare >> 16) & 0xFF]
    first_ok = first >= _MISSING
    diploid = first_ok & _IS_PHASING[separator] & (second >= _MISSING) & _ENDS_GT[rare >> 24]
    haploid = first_ok & _ENDS_GT[separator]
    second = np.where(haploid, np.int8(_ABSENT), second)
    rows, samples = np.divmod(cells, n_samples)
    simple_rows = np.ones(n_rows, dtype=bool)
    simple_rows[rows[~(diploid | haploid)]] = False
    called = (first >= 0).astype(np.int64) + (second >= 0)
    allele_numbers += np.bincount(rows, weights=called, minlength=n_rows).astype(np.int64)
    carrying = ((first > 0) | (second > 0)) & simple_rows[rows]
    population_numbers = None
    if populations is not None:
        missing = diploid_missing if three_bytes else diploid_missing | haploid_missing
        population_numbers = _population_allele_numbers(
            missing,
            haploid_reference,
            (rows, samples, called),
            n_rows,
            n_samples,
            populations,
        )
    return _Calls(
        simple_rows,
        allele_numbers,
        rows[carrying],
        samples[carrying],
        first[carrying],
        second[carrying],
        population_numbers,
    )


def _population_allele_numbers(
    missing: np.ndarray,
    haploid_reference: np.ndarray | None,
    rare: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_rows: int,
    n_samples: int,
    populations: _Populations,
) -> np.ndarray:
    """Called alleles per row and population: two per member, less what the other calls lack.

    Only the cells calling fewer than two alleles are visited: whole-missing calls (``missing``),
    haploid reference calls, and the decoded ``rare`` cells (rows, samples, called alleles) that
    call fewer than two. Carriers of a diploid call, most rare cells, lack nothing.
    """
    width = populations.count + 1  # the last column gathers the samples in no population

    def lacking(rows: np.ndarray, samples: np.ndarray, weights: Any = None) -> np.ndarray:
        keys = rows * width + populations.columns[samples]
        return np.bincount(keys, weights=weights, minlength=n_rows * width).astype(np.int64)

    missed = 2 * lacking(*np.divmod(np.flatnonzero(missing), n_samples))
    if haploid_reference is not None:
        missed += lacking(*np.divmod(np.flatnonzero(haploid_reference), n_samples))
    rows, samples, called = rare
    short = called < 2
    missed += lacking(rows[short], samples[short], 2 - called[short])
    return 2 * populations.sizes - missed.reshape(n_rows, width)[:, : populations.count]


@dataclass
class _Entries:
    """One entry per (row, ALT, sample) carrying that ALT, sorted in that order."""

    rows: np.ndarray
    alts: np.ndarray
    samples: np.ndarray
    zygosity: np.ndarray


def _check_allele_indexes(calls: _Calls, rows: Sequence[bytes], alt_counts: Sequence[int]) -> None:
    """A GT naming an allele beyond the record's ALTs is malformed (htslib only warns)."""
    highest = np.maximum(calls.allele_1, calls.allele_2)
    too_high = np.flatnonzero(highest > np.asarray(alt_counts, dtype=np.int64)[calls.rows])
    if len(too_high):
        row, sample = int(calls.rows[too_high[0]]), int(calls.samples[too_high[0]])
        gt = rows[row].split(b"\t")[sample].split(b":", 1)[0].decode(errors="replace")
        raise MalformedGenotypeError(
            row, sample, f"allele in {gt!r} but the record has {alt_counts[row]} ALT allele(s)"
        )


def _carrier_entries(calls: _Calls, n_samples: int) -> _Entries:
    """Carrier cells -> one entry per ALT they carry, with its zygosity, in (row, ALT) order."""
    rows, samples = calls.rows, calls.samples
    first = calls.allele_1.astype(np.int64)
    second = calls.allele_2.astype(np.int64)
    # an entry for the first allele, and one for the second when it is another ALT
    from_first = first > 0
    from_second = (second > 0) & (second != first)
    zygosity_first = np.where(
        second[from_first] == _ABSENT,
        _HEMI,
        np.where(second[from_first] == first[from_first], _HOM, _HET),
    )
    entries = _Entries(
        np.concatenate((rows[from_first], rows[from_second])),
        np.concatenate((first[from_first], second[from_second])),
        np.concatenate((samples[from_first], samples[from_second])),
        np.concatenate(
            (zygosity_first, np.full(int(from_second.sum()), _HET, dtype=zygosity_first.dtype))
        ),
    )
    keys = entries.rows * _ALLELE_SLOTS + entries.alts
    if not from_second.any() and (keys[1:] >= keys[:-1]).all():
        return entries  # already in order: one ALT per row, samples in file order
    # nearly sorted already (runs in (row, sample) order): a stable sort merges them quickly
    order = np.argsort(keys * n_samples + entries.samples, kind="stable")
    return _Entries(
        entries.rows[order], entries.alts[order], entries.samples[order], entries.zygosity[order]
    )


def _counts_per_row(
    calls: _Calls, entries: _Entries, alt_counts: Sequence[int]
) -> list[GenotypeCounts | None]:
    """AC per ALT and AN of every simple row (None for the others)."""
    n_rows = len(calls.simple_rows)
    copies = np.where(entries.zygosity == _HOM, 2, 1)
    allele_counts = np.bincount(
        entries.rows * _ALLELE_SLOTS + entries.alts,
        weights=copies,
        minlength=n_rows * _ALLELE_SLOTS,
    ).reshape(n_rows, _ALLELE_SLOTS)
    allele_numbers = calls.allele_numbers.tolist()
    simple_rows = calls.simple_rows.tolist()
    results: list[GenotypeCounts | None] = []
    for row, counts in enumerate(allele_counts.astype(np.int64).tolist()):
        if not simple_rows[row]:
            results.append(None)
            continue
        alt_count = alt_counts[row]
        per_alt = counts[1 : alt_count + 1] + [0] * max(0, alt_count - _FAST_MAX_ALLELE)
        results.append(GenotypeCounts(per_alt, allele_numbers[row]))
    return results


def _attach_population_counts(
    results: list[GenotypeCounts | None],
    calls: _Calls,
    entries: _Entries,
    alt_counts: Sequence[int],
    populations: _Populations,
) -> None:
    """AC per ALT and population from the carrier entries, and AN per population, per row."""
    n_rows, n_populations = len(results), populations.count
    slots = min(max(alt_counts), _FAST_MAX_ALLELE) + 1
    width = n_populations + 1  # the last column gathers the samples in no population
    copies = np.where(entries.zygosity == _HOM, 2, 1)
    keys = (entries.rows * slots + entries.alts) * width + populations.columns[entries.samples]
    counts = np.bincount(keys, weights=copies, minlength=n_rows * slots * width)
    per_row = (
        counts.reshape(n_rows, slots, width)[:, 1:, :n_populations]
        .reshape(n_rows, (slots - 1) * n_populations)
        .astype(np.int64)
        .tolist()
    )
    numbers = calls.population_allele_numbers.tolist()  # type: ignore[union-attr]
    for row, result in enumerate(results):
        if result is None:
            continue
        per_alt = per_row[row]
        alt_count = alt_counts[row]
        if alt_count < slots - 1:
            per_alt = per_alt[: alt_count * n_populations]
        elif alt_count >= slots:  # ALTs beyond the ninth, which one-digit calls cannot carry
            per_alt += [0] * ((alt_count - slots + 1) * n_populations)
        result.population_allele_counts = per_alt
        result.population_allele_numbers = numbers[row]
