"""Allele rules of docs/storage.md on plain values: kinds, variant types, spans, internal ids."""

from __future__ import annotations

import hashlib

import pytest

from loaders.vcf.alleles import (
    BREAKEND,
    NO_ALTERNATE,
    SEQUENCE,
    SPANNING_DELETION,
    SYMBOLIC,
    allele_kind,
    allele_span,
    is_bases,
    variant_internal_id,
    variant_type,
)


@pytest.mark.parametrize(
    ("alt", "kind"),
    [
        ("A", SEQUENCE),
        ("acgtn", SEQUENCE),
        ("R", SEQUENCE),  # IUPAC codes are bases too
        ("*", SPANNING_DELETION),
        (".", NO_ALTERNATE),
        ("<DEL>", SYMBOLIC),
        ("<INS:ME:ALU>", SYMBOLIC),
        ("G]17:198982]", BREAKEND),
        ("[13:123457[T", BREAKEND),
        (".A", BREAKEND),
        ("G.", BREAKEND),
        ("", None),
        ("A1", None),
        ("<DEL", None),
        # brackets that do not make a breakend t[p[, t]p], ]p]t or [p[t
        ("G]17:198982", None),
        ("G]17:198982[", None),
        ("G]17]", None),
        ("]17:x]T", None),
        ("[", None),
        ("]<ctg1>:7]T", BREAKEND),
    ],
)
def test_allele_kind(alt, kind):
    assert allele_kind(alt) == kind


def test_is_bases_rejects_what_is_not_a_nucleotide_code():
    assert is_bases("ACGTN")
    assert not is_bases("")
    assert not is_bases("A-C")
    assert not is_bases("<DEL>")


@pytest.mark.parametrize(
    ("ref", "alt", "expected"),
    [
        ("A", "G", "SNP"),
        ("AC", "GT", "MNP"),
        ("ACG", "TCA", "MNP"),
        ("AT", "A", "INDEL"),
        ("A", "ATT", "INDEL"),
        ("AT", "GCC", "INDEL"),
        ("N", "<DEL>", "DEL"),
        ("N", "<DEL:ME:ALU>", "DEL"),
        ("N", "<DUP>", "DUP"),
        ("N", "<DUP:TANDEM>", "DUP"),
        ("N", "<INS>", "INS"),
        ("N", "<INS:ME:LINE1>", "INS"),
        ("N", "<CNV>", "CNV"),
        ("N", "<CN0>", "CNV"),
        ("N", "<CN2>", "CNV"),
        ("N", "<CN124>", "CNV"),
        ("N", "<INV>", "INV"),
        ("G", "G]17:198982]", "BND"),
        ("T", "[13:123457[T", "BND"),
        ("N", "<NON_REF>", "NON_REF"),
        ("N", "<cnloh:x>", "CNLOH"),
    ],
)
def test_variant_type(ref, alt, expected):
    assert variant_type(ref, alt) == expected


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "info_end", "svlen", "expected"),
    [
        # sequence alleles: interbase start = POS - 1, end = start + len(REF)
        (100, "A", "G", None, None, (99, 100, 1)),
        (100, "ACG", "TCA", None, None, (99, 102, 3)),
        (100, "AT", "A", None, None, (99, 101, 1)),
        (100, "A", "ATTT", None, None, (99, 100, 3)),
        # END wins for symbolic alleles; SVLEN gives the length
        (500, "N", "<DEL>", 1500, -1000, (499, 1500, 1000)),
        (100, "A", "<CN0>", 2000, None, (99, 2000, 1901)),
        # no END: start + 1 + |SVLEN| ...
        (600, "G", "<DUP:TANDEM>", None, 500, (599, 1100, 500)),
        (600, "G", "<DEL>", None, -50, (599, 650, 50)),
        # ... except insertions, which span only their anchor base
        (700, "T", "<INS>", None, 300, (699, 700, 300)),
        # neither END nor SVLEN: the REF span
        (800, "C", "<INV>", None, None, (799, 800, 1)),
    ],
)
def test_allele_span_for_sequence_and_symbolic_alleles(pos, ref, alt, info_end, svlen, expected):
    kind = allele_kind(alt)
    span = allele_span(pos, ref, alt, kind, info_end, svlen)
    assert (span.start, span.end, span.length) == expected


def test_breakend_span_is_its_ref_or_its_end():
    assert allele_span(1000, "G", "G]1:100]", BREAKEND, None, None).end == 1000
    span = allele_span(1000, "G", "G]1:100]", BREAKEND, 1000, None)
    assert (span.start, span.end, span.length) == (999, 1000, 1)


def test_internal_id_is_readable_for_short_plain_alleles():
    assert variant_internal_id("GRCh38", "12", 111803962, "G", "A", 111803962) == (
        "GRCh38:12:111803962:G:A"
    )


@pytest.mark.parametrize(
    ("ref", "alt", "end"),
    [
        ("N", "<DEL>", 1500),  # symbolic
        ("A", "A" * 64, 100),  # longer than 64 bases together
        ("G", "G]1:100]", 1000),  # breakend
        ("R", "A", 100),  # IUPAC code other than N is not a plain base
    ],
)
def test_internal_id_hashes_other_alleles_with_their_end(ref, alt, end):
    digest = hashlib.sha1(f"{ref}>{alt}>{end}".encode()).hexdigest()[:16]
    assert variant_internal_id("GRCh37", "22", 100, ref, alt, end) == f"GRCh37:22:100:{digest}"


def test_internal_ids_of_symbolic_alleles_differ_by_end():
    first = variant_internal_id("GRCh38", "1", 500, "N", "<DEL>", 1500)
    second = variant_internal_id("GRCh38", "1", 500, "N", "<DEL>", 1600)
    assert first != second
