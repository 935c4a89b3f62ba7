"""One VCF data line, split and validated; every problem is a LoadError naming file, line, field.

Lines are parsed as text (not through pysam records) so the genotype columns can be scanned in
bulk and every error carries the exact line number. What the loader reads is checked (columns,
CHROM, POS, REF, ALT, END, SVLEN, FORMAT keys, GT, and AC/AN where they give the counts);
values it does not read (QUAL, FILTER, other INFO and FORMAT fields) are not.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import NamedTuple, NoReturn

from loaders.errors import LoadError
from loaders.vcf.alleles import SEQUENCE, allele_kind, is_bases
from loaders.vcf.annotation import info_value
from loaders.vcf.header import FIXED_COLUMN_NAMES, HEADER, VcfHeader
from loaders.vcf.lines import character_problem

_FIXED_COLUMNS = 8
_FORMAT_COLUMN = 8
_COLUMN_NAMES = (*FIXED_COLUMN_NAMES, "FORMAT")
_CACHED_ALLELES_LENGTH, _CACHED_ALLELE_PAIRS = 48, 10_000
# Positions, lengths and counts beyond this are refused: every JSON client holds it exactly,
# MongoDB holds a document's end (a position plus a length) without overflow, and no
# chromosome comes near it.
LARGEST_INTEGER = 2**53 - 1
_DIGITS_BEYOND_LARGEST = 16  # fewer digits are always within LARGEST_INTEGER
# Python's int() would also take '1_000', ' 7' or digits of other scripts.
_INTEGER = re.compile(r"[+-]?[0-9]{1,16}")
# INFO led by AC then AN (AF between them, as GATK writes it), the usual layout of a panel: both
# read in one match, where a search of the column for each key would cost three times as much.
# Each is the key's first occurrence, as ``info_value`` would find it.
_LEADING_COUNTS = re.compile(r"AC=([^;]*);(?:AF=[^;]*;)?AN=([^;]*)")


class NotOneRecordError(LoadError):
    """A data line that is no record of this file (a header line: two VCFs concatenated), so
    the lines after it cannot be trusted either: it stops even a load that skips bad records."""


@dataclass(slots=True)
class VcfRecord:
    line: int
    chrom: str
    pos: int
    ids: list[str]
    ref: str
    alts: list[str]
    kinds: list[str]
    info: str
    info_end: int | None
    svlens: list[int | None]  # per ALT; all None when SVLEN is absent
    sample_columns: bytes | None  # the text after FORMAT, when the record carries a GT
    gt_index: int  # position of GT among the FORMAT keys, -1 when there is none
    # INFO/AC per ALT and INFO/AN, read only for a record without GT (None where absent or '.')
    info_allele_counts: list[int | None] = dataclasses.field(default_factory=list)
    info_allele_number: int | None = None
    line_bytes: int = 0  # the line's length: a bound of what a document copies from it


class _Alleles(NamedTuple):
    ref: str
    alts: list[str]
    kinds: list[str]
    no_svlens: list[None] | None  # [None] per ALT when every ALT is a sequence, else None


class RecordParser:
    """Parses data lines against one header; caches what repeats from line to line (each
    chromosome's name and length, each short REF/ALT pair's alleles, each FORMAT's GT place)."""

    def __init__(self, path: str, header: VcfHeader) -> None:
        self.path = path
        self.samples = header.samples
        self.sample_count = len(header.samples)
        self._format_column = header.format_column
        self._contigs = header.contigs
        self._contig_lengths = header.contig_lengths
        self._chromosomes: dict[bytes, tuple[str, int]] = {}
        self._gt_indexes: dict[bytes, int] = {}
        self._alleles_seen: dict[tuple[bytes, bytes], _Alleles] = {}

    def parse(self, number: int, line: bytes, plain: bool = False) -> VcfRecord:
        """The record of data line ``number``; ``plain``: the line is known to hold no byte
        :func:`~loaders.vcf.lines.character_problem` refuses (checked over its block)."""
        if not plain and (problem := character_problem(line)):
            self._fail_at(number, line, *problem)
        if line[:1] == b"#":
            raise NotOneRecordError(
                self.path,
                "a header line among the data lines (are two VCFs concatenated?)",
                line=number,
                field=HEADER,
            )
        columns = line.split(b"\t", _FORMAT_COLUMN + 1)
        if len(columns) != _FIXED_COLUMNS and (
            len(columns) < _FIXED_COLUMNS or not self._format_column
        ):
            self._fail_columns(number, line)
        chromosome = self._chromosomes.get(columns[0]) or self._chromosome(number, columns[0])
        chrom, length = chromosome
        raw = columns[1]
        pos = int(raw) if raw.isdigit() and len(raw) < _DIGITS_BEYOND_LARGEST else 0
        if pos < 1 or pos > length:
            pos = self._position(number, raw, chrom)
        alleles = self._alleles_seen.get((columns[3], columns[4])) or self._alleles(
            number, columns[3], columns[4]
        )
        ref, alts, kinds, no_svlens = alleles
        info = columns[7].decode()
        if no_svlens is None:
            info_end, svlens = self._structural_extent(number, pos, info, len(alts))
        else:
            info_end, svlens = None, no_svlens
        if len(columns) > _FIXED_COLUMNS:
            sample_columns, gt_index = self._samples(number, columns)
        elif self.sample_count:
            self._fail_no_samples(number)
        else:
            sample_columns, gt_index = None, -1
        raw_ids = columns[2]
        ids = [] if raw_ids == b"." else [i for i in raw_ids.decode().split(";") if i and i != "."]
        if sample_columns is None:
            counts, allele_number = self._info_counts(number, info, len(alts))
        else:
            counts, allele_number = [], None
        return VcfRecord(
            number, chrom, pos, ids, ref, alts, kinds, info, info_end, svlens,
            sample_columns, gt_index, counts, allele_number, len(line),
        )  # fmt: skip

    def _fail_columns(self, number: int, line: bytes) -> NoReturn:
        found = line.count(b"\t") + 1
        self._fail(
            number,
            "columns",
            f"{found} tab-separated column(s), a VCF data line needs "
            + ("at least 8" if self._format_column else "8, as the #CHROM line names")
            + " (CHROM POS ID REF ALT QUAL FILTER INFO)",
        )

    def _fail_no_samples(self, number: int) -> NoReturn:
        self._fail(
            number,
            "samples",
            f"no sample columns, the header names {self.sample_count} sample(s)",
        )

    def _fail(self, number: int, field: str, message: str) -> NoReturn:
        raise LoadError(self.path, message, line=number, field=field)

    def _fail_at(self, number: int, line: bytes, offset: int, problem: str) -> NoReturn:
        """Name the column holding a byte no VCF line may hold."""
        column = line.count(b"\t", 0, offset)
        if column < len(_COLUMN_NAMES):
            self._fail(number, _COLUMN_NAMES[column], problem)
        sample = column - len(_COLUMN_NAMES)
        if sample < self.sample_count:
            problem = f"sample {self.samples[sample]}: {problem}"
        self._fail(number, "samples", problem)

    def _chromosome(self, number: int, raw: bytes) -> tuple[str, int]:
        """A new chromosome's name and length (LARGEST_INTEGER when the header gives none)."""
        chrom = raw.decode()
        if not chrom:
            self._fail(number, "CHROM", "empty chromosome name")
        if self._contigs and chrom not in self._contigs:
            self._fail(
                number,
                "CHROM",
                f"contig {_shown(chrom)} is not declared in the header (##contig lines)",
            )
        found = self._chromosomes[raw] = (chrom, self._contig_lengths.get(chrom, LARGEST_INTEGER))
        return found

    def _position(self, number: int, raw: bytes, chrom: str) -> int:
        if raw.isdigit() and len(raw) < _DIGITS_BEYOND_LARGEST:
            pos = int(raw)
        else:
            pos = _integer(raw.decode()) if raw.isdigit() else 0
            if pos is None:
                self._fail(number, "POS", f"{_shown(raw.decode())} is beyond {LARGEST_INTEGER}")
        if pos < 1:
            self._fail(number, "POS", f"{_shown(raw.decode())} is not a position >= 1")
        length = self._contig_lengths.get(chrom)
        if length is not None and pos > length:
            self._fail(
                number, "POS", f"{pos} is beyond the end of contig {chrom} (length={length})"
            )
        return pos

    def _alleles(self, number: int, raw_ref: bytes, raw_alts: bytes) -> _Alleles:
        """REF, ALT alleles and their kinds; short REF/ALT pairs repeat, so their parse is kept.

        The last item is the SVLEN of every ALT (None each) when all are sequences, None when
        some are not (their extent then depends on INFO/END and SVLEN).
        """
        ref = raw_ref.decode()
        if not is_bases(ref):
            self._fail(number, "REF", f"{_shown(ref)} is not a sequence of bases")
        alts, kinds = self._parse_alternates(number, raw_alts.decode())
        no_svlens = None if any(kind != SEQUENCE for kind in kinds) else [None] * len(alts)
        parsed = _Alleles(ref, alts, kinds, no_svlens)
        if (
            len(raw_ref) + len(raw_alts) <= _CACHED_ALLELES_LENGTH
            and len(self._alleles_seen) < _CACHED_ALLELE_PAIRS
        ):
            self._alleles_seen[(raw_ref, raw_alts)] = parsed
        return parsed

    def _parse_alternates(self, number: int, text: str) -> tuple[list[str], list[str]]:
        if not text:
            self._fail(number, "ALT", "empty ALT column (use '.' for no alternate allele)")
        alts = text.split(",")
        kinds = []
        for alt in alts:
            kind = allele_kind(alt)
            if kind is None:
                what = "an empty allele" if not alt else _shown(alt)
                self._fail(
                    number,
                    "ALT",
                    f"{what} is not a sequence of bases, '*', '.', a symbolic allele or a breakend",
                )
            kinds.append(kind)
        return alts, kinds

    def _structural_extent(
        self, number: int, pos: int, info: str, alt_count: int
    ) -> tuple[int | None, list[int | None]]:
        end_text = info_value(info, "END")
        info_end = None
        if end_text is not None:
            info_end = self._integer(number, "INFO/END", end_text)
            if info_end < pos:
                self._fail(number, "INFO/END", f"END {info_end} is before POS {pos}")
        svlen_text = info_value(info, "SVLEN")
        if svlen_text is None or svlen_text == ".":
            return info_end, [None] * alt_count
        values: list[int | None] = [
            None if item == "." else self._integer(number, "INFO/SVLEN", item)
            for item in svlen_text.split(",")
        ]
        if len(values) != alt_count:
            values = [values[0]] * alt_count
        return info_end, values

    def _info_counts(
        self, number: int, info: str, alt_count: int
    ) -> tuple[list[int | None], int | None]:
        """INFO/AC per ALT and INFO/AN: the counts of a record without genotypes."""
        leading = _LEADING_COUNTS.match(info)
        if leading is not None:
            ac_text, an_text = leading.groups()
        else:
            ac_text, an_text = info_value(info, "AC"), info_value(info, "AN")
        if ac_text is None or ac_text == ".":
            counts: list[int | None] = [None] * alt_count
        elif alt_count == 1 and (count := _small_count(ac_text)) is not None:
            counts = [count]  # the usual one: one ALT, a plain count
        else:
            counts = self._allele_counts(number, ac_text, alt_count)
        if an_text is None or an_text == ".":
            return counts, None
        allele_number = _small_count(an_text)
        if allele_number is None:
            allele_number = self._count(number, "INFO/AN", an_text)
        return counts, allele_number

    def _allele_counts(self, number: int, ac_text: str, alt_count: int) -> list[int | None]:
        values = ac_text.split(",")
        if len(values) != alt_count:
            self._fail(
                number,
                "INFO/AC",
                f"{len(values)} value(s) for {alt_count} ALT allele(s) ({_shown(ac_text)})",
            )
        return [None if value == "." else self._count(number, "INFO/AC", value)
                for value in values]  # fmt: skip

    def _integer(self, number: int, field: str, text: str) -> int:
        value = _integer(text)
        if value is None:
            self._fail(
                number,
                field,
                f"{_shown(text)} is not an integer from -{LARGEST_INTEGER} to {LARGEST_INTEGER}",
            )
        return value

    def _count(self, number: int, field: str, text: str) -> int:
        value = _integer(text)
        if value is None or value < 0:
            self._fail(number, field, f"{_shown(text)} is not a count from 0 to {LARGEST_INTEGER}")
        return value

    def _samples(self, number: int, columns: list[bytes]) -> tuple[bytes | None, int]:
        """The sample columns and GT's place among the FORMAT keys, of a line with FORMAT."""
        expected = self.sample_count
        if len(columns) <= _FORMAT_COLUMN + 1:
            if expected:
                self._fail_no_samples(number)
            return None, -1
        sample_columns = columns[_FORMAT_COLUMN + 1]
        found = sample_columns.count(b"\t") + 1
        if found != expected:
            self._fail(
                number,
                "samples",
                f"{found} sample column(s), the header names {expected} sample(s)",
            )
        format_keys = columns[_FORMAT_COLUMN]
        gt_index = self._gt_indexes.get(format_keys)
        if gt_index is None:
            keys = format_keys.split(b":")
            self._check_format_keys(number, format_keys, keys)
            gt_index = keys.index(b"GT") if b"GT" in keys else -1
            self._gt_indexes[format_keys] = gt_index
        return (sample_columns, gt_index) if gt_index >= 0 else (None, -1)

    def _check_format_keys(self, number: int, format_keys: bytes, keys: list[bytes]) -> None:
        """Keys name the sample subfields: an empty or repeated one leaves GT ambiguous."""
        if format_keys == b".":
            return
        if b"" in keys:
            self._fail(number, "FORMAT", f"{_shown(format_keys.decode())} has an empty key")
        for key in keys:
            if keys.count(key) > 1:
                self._fail(number, "FORMAT", f"key {key.decode()!r} appears twice")


def _small_count(text: str) -> int | None:
    """The usual count, digits only and well within LARGEST_INTEGER; None for any other text
    (which :func:`_integer` reads, or refuses)."""
    if text.isdigit() and text.isascii() and len(text) < _DIGITS_BEYOND_LARGEST:
        return int(text)
    return None


def _integer(text: str) -> int | None:
    """A decimal integer within +-LARGEST_INTEGER, or None."""
    if (value := _small_count(text)) is not None:
        return value
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if -LARGEST_INTEGER <= value <= LARGEST_INTEGER else None


def _shown(text: str, limit: int = 40) -> str:
    """Quote a value for a message, shortened: a bad column can be megabytes long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
