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


# The demo is the project's own beacon: it alone presents the project's identity (a deployment
# sets its own, or gets a placeholder and a warning: app/identity.py). Its data is synthetic, so
# its PUBLIC dataset also answers records (and Data Connect rows); a real deployment's PUBLIC
# level answers counts at most (app/config.py). The re-identification protections keep their
# defaults.
DEMO_CONFIG: dict[str, object] = {
    "BEACON_ID": "org.asia-beacon.demo",
    "BEACON_NAME": "asia-beacon demo",
    "ORGANIZATION_ID": "asia-beacon",
    "ORGANIZATION_NAME": "asia-beacon project",
    "ORGANIZATION_URL": "https://github.com/asia-beacon",
    "ORGANIZATION_CONTACT": "mailto:beacon@asia-beacon.org",
    "ACCESS_GRANULARITY": {"PUBLIC": "record", "REGISTERED": "record", "CONTROLLED": "record"},
}
DEMO_ACCESS_NOTE = (
    "access: the demo dataset is PUBLIC and, being synthetic, answers records; counts come in "
    "bands of 5 (1-4 reads 5, 152 reads 150), alleles rarer than 1% answer as absent, and each "
    "client may get 50 'yes' answers about rare variants a day (docs/access.md)"
)


def demo_data_dir() -> Path:
    return Path(str(resources.files("loaders.demo") / "data"))


def load_demo(store: Store) -> str:
    """Load the demo dataset description, VCF and metadata; return a one-line summary."""
    data = demo_data_dir()
    datasets = load_datasets(store, data / "datasets.yaml")
    dataset_id = datasets.dataset_ids[0]
    summary = load_vcf(
        store, data / "demo.vcf.gz", dataset_id, DEMO_ASSEMBLY, populations=data / "populations.tsv"
    )
    metadata = load_metadata(store, [data / "metadata"], dataset_id)
    entries = ", ".join(f"{count} {entry}" for entry, count in metadata.loaded.items())
    return (
        f"dataset {dataset_id}: {summary.variants} variants, {summary.samples} samples "
        f"({summary.assembly_id}); {entries}"
    )
