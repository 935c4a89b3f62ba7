"""What the loader needs from a VCF header, read once with pysam (htslib validates it for us).

htslib skips or guesses around many broken header lines (a meta line without ``=``, an
unterminated ``<...>``, a contig length that is not a number) and reports the rest without a
line number, so the header lines are first checked here, each problem naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from loaders.errors import LoadError
from loaders.vcf.annotation import AnnotationLayout, annotation_layout
from loaders.vcf.lines import character_problem, numbered_lines

HEADER = "header"  # the field named by header problems
FIXED_COLUMN_NAMES = ("CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
_COLUMN_LINE_NAMES = [b"#CHROM", *(name.encode() for name in FIXED_COLUMN_NAMES[1:])]
_START_BYTES = 64
_META_LINE = re.compile(rb"##[^=\s<>,\"]+=.")
_CONTIG_ID = re.compile(rb"[<,]ID=([^,>]*)")
_CONTIG_LENGTH = re.compile(rb"[<,]length=([^,>]*)")


@dataclass(frozen=True)
class VcfHeader:
    samples: tuple[str, ...]
    contigs: frozenset[str]
    annotations: tuple[AnnotationLayout, ...]
    contig_lengths: Mapping[str, int] = field(default_factory=dict)  # those declared
    lines: int = 0  # the #CHROM line's number: data lines follow it
    format_column: bool = False  # whether the #CHROM line names FORMAT (and samples may follow)


def check_readable(path: str | Path) -> None:
    """Fail with a LoadError before htslib sees a missing file (pysam.BGZFile crashes on one)."""
    source = str(path)
    target = Path(path)
    if not target.exists():
        raise LoadError(source, "no such file")
    if not target.is_file():
        raise LoadError(source, "not a regular file")
    try:
        with target.open("rb"):
            pass
    except OSError as error:
        raise LoadError(source, f"cannot read the file: {error.strerror}") from None


def read_header(path: str | Path) -> VcfHeader:
    """Samples, declared contigs and ANN/CSQ layouts; any header problem becomes a LoadError."""
    check_readable(path)
    source = str(path)
    _check_start(source)
    column_line, format_column = _check_header_lines(source)
    try:
        # Opened from a file object, pysam does not look for a tabix index it has no use for
        # (htslib would print "Could not retrieve index file" for every unindexed VCF).
        with Path(path).open("rb") as handle, pysam.VariantFile(handle) as vcf:
            header = vcf.header
            samples = tuple(header.samples)
            contig_lengths = {
                name: contig.length for name, contig in header.contigs.items() if contig.length
            }
            contigs = frozenset(header.contigs)
            annotations = tuple(
                layout
                for key in ("ANN", "CSQ")
                if key in header.info
                and (layout := annotation_layout(key, header.info[key].description or ""))
            )
    except ValueError:
        raise LoadError(
            source,
            f"htslib could not read the header (lines 1-{column_line})",
            line=column_line,
            field=HEADER,
        ) from None
    except OSError as error:
        # htslib checks the whole file on opening it (a bgzipped one cut at a block boundary
        # has no end-of-file marker): name the line after the last one that can be read.
        lines = sum(1 for _ in numbered_lines(source))  # a corrupt block fails here, located
        raise LoadError(
            source,
            f"the file is corrupt or truncated after line {lines} ({error.strerror or error})",
            line=lines + 1,
        ) from None
    return VcfHeader(samples, contigs, annotations, contig_lengths, column_line, format_column)


def _check_start(path: str) -> None:
    """Refuse what is not VCF text before reading any line of it (a BAM could be one long line)."""
    try:
        with pysam.BGZFile(path) as handle:
            start = handle.read(_START_BYTES)
    except OSError as error:
        raise LoadError(path, f"cannot read the file ({error})", line=1, field=HEADER) from None
    if start.startswith(b"BCF"):
        raise LoadError(path, "BCF input is not supported; convert it with bcftools view")
    if not start:
        raise LoadError(
            path, "the file is empty; a VCF starts with ##fileformat=VCFv4.x", line=1, field=HEADER
        )
    if start.startswith(b"\xef\xbb\xbf"):
        raise LoadError(
            path, "the file starts with a byte order mark; save it without one", 1, HEADER
        )
    if not start.startswith(b"##fileformat=VCF"):
        raise LoadError(
            path,
            "not a VCF file: the first line must be ##fileformat=VCFv4.x",
            line=1,
            field=HEADER,
        )


def _check_header_lines(path: str) -> tuple[int, bool]:
    """The #CHROM line's number and whether it names FORMAT; the first bad header line fails."""
    number = 0
    for number, line in numbered_lines(path):
        if problem := character_problem(line):
            raise LoadError(path, problem[1], line=number, field=HEADER)
        if line.startswith(b"##"):
            _check_meta_line(path, number, line)
        elif line.startswith(b"#"):
            return number, _check_column_line(path, number, line)
        else:
            raise LoadError(
                path,
                "a data line before the #CHROM header line (which names the columns and samples)",
                line=number,
                field=HEADER,
            )
    raise LoadError(path, "the file ends before the #CHROM header line", line=number, field=HEADER)


def _check_meta_line(path: str, number: int, line: bytes) -> None:
    if not _META_LINE.match(line):
        raise LoadError(
            path, f"{_shown(line)} is not a ##key=value line (with a value)", number, HEADER
        )
    value = line.split(b"=", 1)[1]
    if value.startswith(b"<") and not value.rstrip().endswith(b">"):
        raise LoadError(path, f"{_shown(line)} does not end with '>'", number, HEADER)
    if line.startswith(b"##contig=<"):
        contig = _CONTIG_ID.search(line)
        if contig is None or not contig.group(1):
            raise LoadError(path, f"{_shown(line)} has no ID", number, HEADER)
        length = _CONTIG_LENGTH.search(line)
        if length is not None and not length.group(1).isdigit():
            raise LoadError(
                path, f"contig length {_shown(length.group(1))} is not a number", number, HEADER
            )


def _check_column_line(path: str, number: int, line: bytes) -> bool:
    columns = line.split(b"\t")
    if columns[:8] != _COLUMN_LINE_NAMES or columns[8:9] not in ([], [b"FORMAT"]):
        raise LoadError(
            path,
            "the #CHROM line must hold the tab-separated columns "
            f"#{' '.join(FIXED_COLUMN_NAMES)}, then FORMAT and one column per sample",
            number,
            HEADER,
        )
    samples = columns[9:]
    seen: set[bytes] = set()
    for column, sample in enumerate(samples, 10):
        if not sample.strip():
            raise LoadError(path, f"column {column} names no sample", number, HEADER)
        if sample in seen:
            raise LoadError(path, f"sample {_shown(sample)} is named twice", number, HEADER)
        seen.add(sample)
    return len(columns) > len(FIXED_COLUMN_NAMES)


def _shown(text: bytes, limit: int = 60) -> str:
    shown = text.decode(errors="replace")
    return repr(shown if len(shown) <= limit else shown[:limit] + "...")
