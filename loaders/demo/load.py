"""Loads the bundled demo data (``loaders/demo/data``) into a store, for ``asia-beacon demo``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from app.store import Store
from loaders.datasets import load_datasets
from loaders.metadata.load import load_metadata
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


# Queries over the cohort's metadata, joined to its variants through the sample links.
COHORT_EXAMPLE_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "individuals with hypertension (HPO) who carry ALDH2 rs671",
        "/individuals?filters=HP:0000822&assemblyId=GRCh38&referenceName=12&start=111803961"
        "&referenceBases=G&alternateBases=A&requestedGranularity=count",
    ),
    (
        "women born in Japan (ISO 3166 country of origin, NCIT sex)",
        "/individuals?filters=ISO3166:JP,NCIT:C16576&requestedGranularity=count",
    ),
    (
        "G6PD variants carried by people with anemia (HPO term and its descendants)",
        "/g_variants?filters=HP:0001903&geneId=G6PD&requestedGranularity=record&limit=3",
    ),
)


def demo_data_dir() -> Path:
    return Path(str(resources.files("loaders.demo") / "data"))


def load_demo(store: Store) -> str:
    """Load the demo dataset description, VCF and metadata; return a one-line summary."""
    data = demo_data_dir()
    datasets = load_datasets(store, data / "datasets.yaml")
    dataset_id = datasets.dataset_ids[0]
    summary = load_vcf(store, data / "demo.vcf.gz", dataset_id, DEMO_ASSEMBLY)
    metadata = load_metadata(store, [data / "metadata"], dataset_id)
    entries = ", ".join(f"{count} {entry}" for entry, count in metadata.loaded.items())
    return (
        f"dataset {dataset_id}: {summary.variants} variants, {summary.samples} samples "
        f"({summary.assembly_id}); {entries}"
    )
