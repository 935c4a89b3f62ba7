"""The test network on paper: three nodes, their countries, assemblies, datasets and settings.

Everything the harness builds (VCFs, stores, configurations, queries) is derived from these
constants, so a hub test can name an expectation (``KR.assembly``, ``TW_CONTROLLED.id``) instead
of repeating a literal.

- ``jp``: Japan, GRCh38, VCFs spelling ``chr1``; two PUBLIC datasets answered down to records,
  with every re-identification protection off, so its counts are exact.
- ``kr``: Korea, GRCh37, VCF spelling ``1``; one PUBLIC dataset answered at most as counts, with
  counts banded (1 to 4 reported as 5); the other protections are off, so a banded count is
  the only difference from the truth.
- ``tw``: Taiwan, GRCh38, ``chr1``; one CONTROLLED dataset: absent without a token granting it,
  answered down to records with one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GRCH38 = "GRCh38"
GRCH37 = "GRCh37"
CHROMOSOMES = ("1", "2", "22")
CONTIG_LENGTHS = {
    GRCH38: {"1": 248_956_422, "2": 242_193_529, "22": 50_818_468},
    GRCH37: {"1": 249_250_621, "2": 243_199_373, "22": 51_304_566},
}
SMALL_COUNT_THRESHOLD = 5  # on kr: counts in bands of 5 (1..4 reported as 5)


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    name: str
    samples: int
    sample_prefix: str  # sample (biosample) ids are <prefix>-01, <prefix>-02, ...
    access_level: str  # PUBLIC or CONTROLLED
    populations: tuple[str, ...]
    duo_codes: tuple[str, ...]  # DUO data use permissions, e.g. DUO:0000042


@dataclass(frozen=True)
class NodeSpec:
    name: str  # the harness's short name: "jp", "kr", "tw"
    beacon_id: str
    beacon_name: str
    country: str  # ISO 3166-1 alpha-2
    country_name: str
    organization: str
    privacy_laws: tuple[str, ...]  # ids in app/catalog/data/privacy_laws.yaml
    assembly: str
    chr_prefix: bool  # whether its VCFs spell chromosomes "chr1" (else "1")
    datasets: tuple[DatasetSpec, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)  # create_app test_config

    @property
    def dataset_ids(self) -> tuple[str, ...]:
        return tuple(dataset.id for dataset in self.datasets)

    @property
    def controlled_dataset_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.datasets if d.access_level == "CONTROLLED")


_PROTECTIONS_OFF = {"SMALL_COUNT_THRESHOLD": 0, "RARE_ALLELE_FREQUENCY": 0, "QUERY_BUDGET": 0}


def _granularity(public: str) -> dict[str, str]:
    """ACCESS_GRANULARITY must name every level; only PUBLIC differs between the nodes."""
    return {"PUBLIC": public, "REGISTERED": "count", "CONTROLLED": "record"}


JP_BIOBANK = DatasetSpec(
    id="jp-biobank-wgs",
    name="Japanese biobank whole genomes (synthetic)",
    samples=8,
    sample_prefix="JPA",
    access_level="PUBLIC",
    populations=("Japanese",),
    duo_codes=("DUO:0000042",),
)
JP_CLINICAL = DatasetSpec(
    id="jp-clinical-exomes",
    name="Japanese clinical exomes (synthetic)",
    samples=6,
    sample_prefix="JPB",
    access_level="PUBLIC",
    populations=("Japanese",),
    duo_codes=("DUO:0000006",),
)
KR_COHORT = DatasetSpec(
    id="kr-genome-cohort",
    name="Korean genome cohort (synthetic)",
    samples=10,
    sample_prefix="KR",
    access_level="PUBLIC",
    populations=("Korean",),
    duo_codes=("DUO:0000042",),
)
TW_CONTROLLED = DatasetSpec(
    id="tw-biobank-controlled",
    name="Taiwan biobank genomes, controlled access (synthetic)",
    samples=6,
    sample_prefix="TW",
    access_level="CONTROLLED",
    populations=("Han Taiwanese",),
    duo_codes=("DUO:0000007",),
)

JP = NodeSpec(
    name="jp",
    beacon_id="org.example.jp-node",
    beacon_name="Japan test node",
    country="JP",
    country_name="Japan",
    organization="Example Japanese Genome Centre",
    privacy_laws=("jp-appi",),
    assembly=GRCH38,
    chr_prefix=True,
    datasets=(JP_BIOBANK, JP_CLINICAL),
    settings={"ACCESS_GRANULARITY": _granularity("record"), **_PROTECTIONS_OFF},
)
KR = NodeSpec(
    name="kr",
    beacon_id="org.example.kr-node",
    beacon_name="Korea test node",
    country="KR",
    country_name="Republic of Korea",
    organization="Example Korean Genome Institute",
    privacy_laws=("kr-pipa",),
    assembly=GRCH37,
    chr_prefix=False,
    datasets=(KR_COHORT,),
    settings={
        "ACCESS_GRANULARITY": _granularity("count"),
        **_PROTECTIONS_OFF,
        "SMALL_COUNT_THRESHOLD": SMALL_COUNT_THRESHOLD,
    },
)
TW = NodeSpec(
    name="tw",
    beacon_id="org.example.tw-node",
    beacon_name="Taiwan test node",
    country="TW",
    country_name="Taiwan",
    organization="Example Taiwan Biobank",
    privacy_laws=("tw-pdpa",),
    assembly=GRCH38,
    chr_prefix=True,
    datasets=(TW_CONTROLLED,),
    settings={
        "DATASET_ACCESS": {TW_CONTROLLED.id: "CONTROLLED"},
        "ACCESS_GRANULARITY": _granularity("count"),
        **_PROTECTIONS_OFF,
    },
)
NODES: dict[str, NodeSpec] = {node.name: node for node in (JP, KR, TW)}
DATASETS: dict[str, DatasetSpec] = {d.id: d for node in NODES.values() for d in node.datasets}
NODE_OF_DATASET: dict[str, NodeSpec] = {
    dataset.id: node for node in NODES.values() for dataset in node.datasets
}

# How many sites each group of datasets holds together (the same chromosome, position, REF and
# ALT, in each node's own assembly): shared sites give the hub answers to merge.
SHARED_SITES: tuple[tuple[frozenset[str], int], ...] = (
    (frozenset({JP_BIOBANK.id, JP_CLINICAL.id, KR_COHORT.id, TW_CONTROLLED.id}), 12),
    (frozenset({JP_BIOBANK.id, JP_CLINICAL.id, TW_CONTROLLED.id}), 6),
    (frozenset({JP_BIOBANK.id, JP_CLINICAL.id}), 10),
    (frozenset({JP_BIOBANK.id, KR_COHORT.id}), 15),
    (frozenset({JP_BIOBANK.id, TW_CONTROLLED.id}), 15),
    (frozenset({KR_COHORT.id, TW_CONTROLLED.id}), 12),
    (frozenset({JP_BIOBANK.id}), 50),
    (frozenset({JP_CLINICAL.id}), 25),
    (frozenset({KR_COHORT.id}), 50),
    (frozenset({TW_CONTROLLED.id}), 40),
)
# Positions where jp-biobank-wgs and tw-biobank-controlled hold different ALTs of one REF.
OTHER_ALT_SITES = 6
