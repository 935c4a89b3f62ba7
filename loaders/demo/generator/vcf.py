"""The demo VCF: VCFv4.2 text for the records, bgzipped and tabix-indexed with htslib."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pysam

from loaders.demo.generator.annotation import ANN_DESCRIPTION
from loaders.demo.generator.genotypes import ABSENT, MISSING, Cohort
from loaders.demo.generator.grch38 import CONTIG_LENGTHS
from loaders.demo.generator.records import SEED, Record

FILE_DATE = "20250101"


def vcf_header(samples: Sequence[str]) -> list[str]:
    """Meta-information lines defining every key the records use, then the column header."""
    lines = [
        "##fileformat=VCFv4.2",
        f"##fileDate={FILE_DATE}",
        f"##source=asia-beacon loaders/demo/generate.py (synthetic data, seed {SEED})",
        "##reference=GRCh38",
        *(f"##contig=<ID={c},length={n},assembly=GRCh38>" for c, n in CONTIG_LENGTHS.items()),
        '##ALT=<ID=DEL,Description="Deletion relative to the reference">',
        '##ALT=<ID=DUP,Description="Region of elevated copy number relative to the reference">',
        '##ALT=<ID=INS,Description="Insertion of novel sequence relative to the reference">',
        '##ALT=<ID=CNV,Description="Copy number variable region">',
        '##ALT=<ID=INV,Description="Inversion of reference sequence">',
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes, for each '
        'ALT allele, in the same order as listed">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency, for each ALT allele, '
        'in the same order as listed (AC/AN)">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called '
        'genotypes">',
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length between REF '
        'and ALT alleles">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant '
        'described in this record">',
        f'##INFO=<ID=ANN,Number=.,Type=String,Description="{ANN_DESCRIPTION}">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
        ),
    ]
    return lines


def write_vcf(path: Path, cohort: Cohort, records: Sequence[Record]) -> None:
    """bgzip with htslib (via pysam) and index with tabix; the plain text never stays around."""
    lines = [*vcf_header(cohort.samples), *(vcf_line(record) for record in records)]
    text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "demo.vcf"
        plain.write_text(text, encoding="ascii")
        pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)


def vcf_line(record: Record) -> str:
    """The record's data line; AC, AN and AF are counted from its genotypes."""
    site, counts = record.site, record.allele_counts()
    number = int((record.alleles >= 0).sum())
    info = [
        f"AC={','.join(map(str, counts))}",
        f"AF={','.join(f'{count / number:.4g}' for count in counts)}",
        f"AN={number}",
    ]
    if site.structural:
        info += [f"SVTYPE={site.kind}", f"SVLEN={site.svlen}", f"END={site.end}"]
    entries = [entry for entries in record.annotations for entry in entries]
    if entries:
        info.append("ANN=" + ",".join(entries))
    columns = [site.chrom, str(site.pos), site.rs_id, site.ref, ",".join(site.alts)]
    genotypes = genotype_text(record.alleles, record.phased)
    columns += [f"{record.quality:.2f}", "PASS", ";".join(info), "GT", *genotypes]
    return "\t".join(columns)


def genotype_text(alleles: np.ndarray, phased: bool) -> list[str]:
    """GT values: ``0|1`` phased, ``0/1`` unphased (lower allele first), ``1`` haploid, ``.`` or
    ``./.`` missing."""
    texts = []
    for first, second in alleles.tolist():
        if second == ABSENT:
            texts.append("." if first == MISSING else str(first))
        elif first == MISSING:
            texts.append("./.")
        elif phased:
            texts.append(f"{first}|{second}")
        else:
            texts.append(f"{min(first, second)}/{max(first, second)}")
    return texts
