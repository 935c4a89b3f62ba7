"""One ALT allele of a VCF record: its kind, Beacon variant type, coordinates and stable id.

Pure functions over plain values, so every rule of ``docs/storage.md`` is tested without a file.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import NamedTuple

# IUPAC nucleotide codes; the Beacon schema accepts these (plus '-' and '.') as bases.
_BASES = "ACGTUNRYSWKMBDHVacgtunryswkmbdhv"
_PLAIN_BASES = "ACGTN"
_SYMBOLIC = re.compile(r"<[^<>,]+>")
_SINGLE_BREAKEND = re.compile(r"\.[A-Za-z]+|[A-Za-z]+\.")
# t[p[, t]p], ]p]t and [p[t, the mate position p being CHROM:POS (CHROM may be <contig>)
_MATED_BREAKEND = re.compile(
    r"[A-Za-z]+([\[\]])[^\[\]]+:[0-9]+\1|([\[\]])[^\[\]]+:[0-9]+\2[A-Za-z]+"
)
_INTERNAL_ID_MAX_BASES = 64

SEQUENCE, SYMBOLIC, BREAKEND, SPANNING_DELETION, NO_ALTERNATE = (
    "sequence",
    "symbolic",
    "breakend",
    "spanning deletion",
    "no alternate",
)
_SYMBOLIC_TYPES = {"DEL": "DEL", "DUP": "DUP", "INS": "INS", "INV": "INV", "CNV": "CNV"}


def is_bases(text: str) -> bool:
    """A REF/ALT made of nucleotide codes only (case-insensitive)."""
    return bool(text) and not text.strip(_BASES)


def allele_kind(alt: str) -> str | None:
    """Classify one ALT allele; None when it is none of the forms VCF allows."""
    if is_bases(alt):
        return SEQUENCE
    if alt == "*":
        return SPANNING_DELETION
    if alt == ".":
        return NO_ALTERNATE
    if _SYMBOLIC.fullmatch(alt):
        return SYMBOLIC
    if _MATED_BREAKEND.fullmatch(alt) or _SINGLE_BREAKEND.fullmatch(alt):
        return BREAKEND
    return None


@functools.lru_cache(maxsize=4096)  # SNVs repeat the same few REF/ALT pairs all file long
def variant_type(ref: str, alt: str) -> str:
    """The Beacon ``variantType`` of a REF/ALT pair (``SNP``, ``MNP``, ``INDEL``, ``DEL``, ...)."""
    if alt.startswith("<") and alt.endswith(">"):
        word = alt[1:-1].split(":", 1)[0].upper()
        if word.startswith("CN") and (word == "CNV" or word[2:].isdigit()):
            return "CNV"
        return _SYMBOLIC_TYPES.get(word, word)
    if allele_kind(alt) == BREAKEND:
        return "BND"
    if len(ref) == len(alt):
        return "SNP" if len(ref) == 1 else "MNP"
    return "INDEL"


class AlleleSpan(NamedTuple):
    start: int
    end: int
    length: int


def allele_span(
    pos: int, ref: str, alt: str, kind: str, info_end: int | None, svlen: int | None
) -> AlleleSpan:
    """0-based interbase start/end and the variant length, as ``docs/storage.md`` defines them.

    Sequence alleles span their REF. Symbolic alleles end at INFO/END, else ``start + 1 +
    abs(SVLEN)``, else ``start + len(REF)``; an insertion (``<INS...>``) spans no reference
    beyond its anchor base whatever its SVLEN, as VCF and htslib have it.
    """
    start = pos - 1
    if kind == SEQUENCE:
        end = start + len(ref)
        if len(ref) == len(alt):
            return AlleleSpan(start, end, len(ref))
        return AlleleSpan(start, end, abs(len(alt) - len(ref)))
    if info_end is not None:
        end = info_end
    elif kind == SYMBOLIC and svlen is not None and variant_type(ref, alt) != "INS":
        end = start + 1 + abs(svlen)
    else:
        end = start + len(ref)
    if kind == SYMBOLIC and svlen is not None:
        return AlleleSpan(start, end, abs(svlen))
    return AlleleSpan(start, end, end - start)


def variant_internal_id(assembly: str, chrom: str, pos: int, ref: str, alt: str, end: int) -> str:
    """An id shared by every dataset holding the allele: readable for short plain-base alleles."""
    readable = readable_allele_key(ref, alt)
    if readable is not None:
        return f"{assembly}:{chrom}:{pos}:{readable}"
    digest = hashlib.sha1(f"{ref}>{alt}>{end}".encode()).hexdigest()[:16]
    return f"{assembly}:{chrom}:{pos}:{digest}"


def readable_allele_key(ref: str, alt: str) -> str | None:
    """``REF:ALT``, the end of a short plain-base allele's internal id; None for the others,
    whose id ends with a digest of the alleles and the end instead."""
    if (
        len(ref) + len(alt) <= _INTERNAL_ID_MAX_BASES
        and not ref.strip(_PLAIN_BASES)
        and not alt.strip(_PLAIN_BASES)
    ):
        return f"{ref}:{alt}"
    return None
