"""Writes the bundled demo data: a synthetic GRCh38 cohort VCF and the files that describe it.

No real person is in it. Real GRCh38 facts are kept where a user will check them (``grch38``):
contig lengths, approximate gene coordinates, exon counts and protein lengths, and four well-known
variants at their true positions. Everything else (exon layouts, coding sequences, the other
variants, every genotype, the other rs ids) is drawn from a fixed seed, so the output is
byte-identical from run to run under one numpy version, which ``GENERATED_WITH`` records.

The work goes transcripts -> pseudo-reference -> sites -> genotypes -> records (``records``),
then one module per output file (``vcf``, ``dataset``, ``readme``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from loaders.demo.generator.dataset import datasets_yaml, populations_tsv
from loaders.demo.generator.genotypes import Cohort
from loaders.demo.generator.metadata import DemoSample, demo_metadata, metadata_csv
from loaders.demo.generator.populations import POPULATIONS
from loaders.demo.generator.readme import demo_readme
from loaders.demo.generator.records import Record, build_records
from loaders.demo.generator.vcf import write_vcf

VCF_NAME = "demo.vcf.gz"
METADATA_DIR = "metadata"  # the filled-in templates of the cohort, one CSV per entry type
GENERATED_WITH = "GENERATED_WITH"

__all__ = [
    "GENERATED_WITH",
    "METADATA_DIR",
    "VCF_NAME",
    "build_records",
    "numpy_requirement",
    "write_demo_data",
    "write_demo_metadata",
]


def numpy_requirement() -> str:
    """The running numpy as a pip requirement (``numpy==X.Y.Z``).

    numpy's ``Generator`` does not promise the same random streams across versions, so the
    shipped files can only be expected to equal a regeneration made with this one.
    """
    return f"numpy=={np.__version__}"


def write_demo_data(outdir: Path) -> tuple[Cohort, list[Record]]:
    """Write the demo files (VCF, its index, TSV, YAML, README, ``metadata/*.csv``) into
    ``outdir``, and ``GENERATED_WITH`` naming the numpy that drew them."""
    cohort, records = build_records()
    outdir.mkdir(parents=True, exist_ok=True)
    write_vcf(outdir / VCF_NAME, cohort, records)
    (outdir / "populations.tsv").write_text(populations_tsv(cohort), encoding="utf-8")
    write_demo_metadata(outdir / METADATA_DIR, cohort)
    (outdir / "datasets.yaml").write_text(datasets_yaml(cohort, records), encoding="utf-8")
    (outdir / "README.md").write_text(demo_readme(cohort, records), encoding="utf-8")
    (outdir / GENERATED_WITH).write_text(numpy_requirement() + "\n", encoding="utf-8")
    return cohort, records


def write_demo_metadata(outdir: Path, cohort: Cohort) -> None:
    """The cohort's metadata CSVs: one individual and biosample per VCF sample, and so on."""
    samples = [
        DemoSample(name, POPULATIONS[index].name, POPULATIONS[index].country, bool(male))
        for name, index, male in zip(
            cohort.samples, cohort.populations.tolist(), cohort.males.tolist(), strict=True
        )
    ]
    outdir.mkdir(parents=True, exist_ok=True)
    for entry, records in demo_metadata(samples).items():
        (outdir / f"{entry}.csv").write_text(metadata_csv(records), encoding="utf-8")
