"""One VCF data line, split and validated; every problem is a LoadError naming file, line, field.

Lines are parsed as text (not through pysam records) so the genotype columns can be scanned in
bulk and every error carries the exact line number.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.errors import LoadError
from loaders.vcf.alleles import SEQUENCE, allele_kind, is_bases
from loaders.vcf.annotation import info_value
from loaders.vcf.header import VcfHeader

_FIXED_COLUMNS = 8
_FORMAT_COLUMN = 8
_CACHED_ALT_LENGTH, _CACHED_ALT_COLUMNS = 32, 10_000


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


class RecordParser:
    """Parses data lines against one header; caches what repeats from line to line."""

    def __init__(self, path: str, header: VcfHeader) -> None:
        self.path = path
        self.sample_count = len(header.samples)
        self._contigs = header.contigs
        self._chromosomes: dict[bytes, str] = {}
        self._gt_indexes: dict[bytes, int] = {}
        self._alternates_seen: dict[str, tuple[list[str], list[str]]] = {}

    def parse(self, number: int, line: bytes) -> VcfRecord:
        columns = line.split(b"\t", _FORMAT_COLUMN + 1)
        if len(columns) < _FIXED_COLUMNS:
            self._fail(
                number,
                "columns",
                f"{len(columns)} tab-separated column(s), a VCF data line needs at least 8 "
                "(CHROM POS ID REF ALT QUAL FILTER INFO)",
            )
        chrom = self._chromosome(number, columns[0])
        pos = self._position(number, columns[1])
        ref = columns[3].decode("ascii", errors="replace")
        if not is_bases(ref):
            self._fail(number, "REF", f"{_shown(ref)} is not a sequence of bases")
        alts, kinds = self._alternates(number, columns[4].decode("utf-8", errors="replace"))
        info = columns[7].decode("utf-8", errors="replace")
        info_end, svlens = None, [None] * len(alts)
        if any(kind != SEQUENCE for kind in kinds):
            info_end, svlens = self._structural_extent(number, pos, info, len(alts))
        sample_columns, gt_index = self._samples(number, columns)
        raw_ids = columns[2].decode("utf-8", errors="replace")
        ids = [] if raw_ids == "." else [i for i in raw_ids.split(";") if i and i != "."]
        return VcfRecord(
            number, chrom, pos, ids, ref, alts, kinds, info, info_end, svlens,
            sample_columns, gt_index,
        )  # fmt: skip

    def _fail(self, number: int, field: str, message: str):
        raise LoadError(self.path, message, line=number, field=field)

    def _chromosome(self, number: int, raw: bytes) -> str:
        chrom = self._chromosomes.get(raw)
        if chrom is None:
            chrom = raw.decode("utf-8", errors="replace")
            if not chrom:
                self._fail(number, "CHROM", "empty chromosome name")
            if self._contigs and chrom not in self._contigs:
                self._fail(
                    number,
                    "CHROM",
                    f"contig {chrom!r} is not declared in the header (##contig lines)",
                )
            self._chromosomes[raw] = chrom
        return chrom

    def _position(self, number: int, raw: bytes) -> int:
        pos = int(raw) if raw.isdigit() else 0
        if pos < 1:
            self._fail(
                number, "POS", f"{_shown(raw.decode(errors='replace'))} is not a position >= 1"
            )
        return pos

    def _alternates(self, number: int, text: str) -> tuple[list[str], list[str]]:
        """ALT alleles and their kinds; short ALT columns repeat, so their parse is kept."""
        known = self._alternates_seen.get(text)
        if known is not None:
            return known
        parsed = self._parse_alternates(number, text)
        if len(text) <= _CACHED_ALT_LENGTH and len(self._alternates_seen) < _CACHED_ALT_COLUMNS:
            self._alternates_seen[text] = parsed
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
            try:
                info_end = int(end_text)
            except ValueError:
                self._fail(number, "INFO/END", f"{_shown(end_text)} is not an integer")
            if info_end < pos:
                self._fail(number, "INFO/END", f"END {info_end} is before POS {pos}")
        svlen_text = info_value(info, "SVLEN")
        if svlen_text is None or svlen_text == ".":
            return info_end, [None] * alt_count
        values: list[int | None] = []
        for item in svlen_text.split(","):
            try:
                values.append(None if item == "." else int(item))
            except ValueError:
                self._fail(number, "INFO/SVLEN", f"{_shown(item)} is not an integer")
        if len(values) != alt_count:
            values = [values[0]] * alt_count
        return info_end, values

    def _samples(self, number: int, columns: list[bytes]) -> tuple[bytes | None, int]:
        expected = self.sample_count
        if len(columns) <= _FORMAT_COLUMN + 1:
            if expected:
                self._fail(
                    number,
                    "samples",
                    f"no sample columns, the header names {expected} sample(s)",
                )
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
            gt_index = keys.index(b"GT") if b"GT" in keys else -1
            self._gt_indexes[format_keys] = gt_index
        return (sample_columns, gt_index) if gt_index >= 0 else (None, -1)


def _shown(text: str, limit: int = 40) -> str:
    """Quote a value for a message, shortened: a bad column can be megabytes long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
