"""Loads the bundled demo data (``loaders/demo/data``) into a store, for ``asia-beacon demo``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from app.store import Store
from loaders.datasets import load_datasets
from loaders.vcf import load_vcf

DEMO_ASSEMBLY = "GRCh38"

# (what it asks, path and query string); coordinates are 0-based as Beacon v2 requires.
EXAMPLE_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "sequence query: ALDH2 rs671 (chr12:111803962 G>A), counts per dataset",
        "/g_variants?assemblyId=GRCh38&referenceName=12&start=111803961"
        "&referenceBases=G&alternateBases=A&requestedGranularity=count",
    ),
    (
        "range query: variants overlapping a stretch of BRCA2, as records",
        "/g_variants?assemblyId=GRCh38&referenceName=13&start=32315000&end=32400000"
        "&requestedGranularity=record&limit=3",
    ),
    (
        "gene query: does any dataset hold a CYP2C19 variant?",
        "/g_variants?geneId=CYP2C19",
    ),
)


def demo_data_dir() -> Path:
    return Path(str(resources.files("loaders.demo") / "data"))


def load_demo(store: Store) -> str:
    """Load the demo dataset description and VCF; return a one-line summary."""
    data = demo_data_dir()
    datasets = load_datasets(store, data / "datasets.yaml")
    dataset_id = datasets.dataset_ids[0]
    summary = load_vcf(store, data / "demo.vcf.gz", dataset_id, DEMO_ASSEMBLY)
    return (
        f"dataset {dataset_id}: {summary.variants} variants, {summary.samples} samples "
        f"({summary.assembly_id})"
    )
