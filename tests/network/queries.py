"""Seeded Beacon queries over the network's variants, each with the answer the data implies.

Queries are drawn from the generated variants: sequence queries (``referenceName``, ``start``,
``referenceBases``, ``alternateBases``), range queries (``start``, ``end``) and gene queries
(``geneId``), hitting one node, two, or none. Every query names one assembly (``assemblyId``):
a node on the other assembly holds nothing it asks for, even at the same coordinates.

The expected counts are counted here over the generated variants, in plain Python sharing no
code with the loader or the query translation. Coordinates are Beacon's: 0-based ``start``
(VCF POS - 1), ``end`` exclusive; a range query matches any variant overlapping ``[start, end)``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from network.genomes import GENE_WINDOW, GENES, DatasetGenomes, NetworkVariant, Site
from network.layout import GRCH37, GRCH38, NODES

from app.config import DEFAULTS

SEED = 20260312
SEQUENCE, RANGE, GENE = "sequence", "range", "gene"
UNKNOWN_GENE = "NOTAGENE1"


@dataclass(frozen=True)
class NetworkQuery:
    """A g_variants query and what every dataset of the network holds that answers it."""

    label: str  # readable, unique: used as the pytest id
    kind: str  # "sequence", "range" or "gene"
    assembly: str  # the one assembly it is about ("GRCh38" or "GRCh37")
    parameters: dict[str, Any]  # Beacon requestParameters; start/end are lists
    dataset_counts: dict[str, int]  # matching variants per dataset id, every dataset listed
    individual_counts: dict[str, int]  # distinct carriers of those variants per dataset id

    def count_on(self, node: str) -> int:
        """Matching variants on a node, all its datasets together (before any banding)."""
        return sum(self.dataset_counts[dataset_id] for dataset_id in NODES[node].dataset_ids)

    @property
    def node_counts(self) -> dict[str, int]:
        return {node: self.count_on(node) for node in NODES}

    @property
    def hit_nodes(self) -> frozenset[str]:
        return frozenset(node for node, count in self.node_counts.items() if count)

    @property
    def hit_datasets(self) -> frozenset[str]:
        return frozenset(dataset for dataset, count in self.dataset_counts.items() if count)

    def query_string(self, granularity: str = "count", **extra: Any) -> str:
        """The GET query string (``start=a,b`` for two values), without the ``?``."""
        fields = {**self.parameters, "requestedGranularity": granularity, **extra}
        return urlencode({key: _text(value) for key, value in fields.items()})

    def request_body(self, granularity: str = "count", **query: Any) -> dict[str, Any]:
        """The POST body; ``query`` adds keys such as ``includeResultsetResponses``."""
        return {
            "meta": {"apiVersion": "v2.0.1"},
            "query": {
                "requestParameters": dict(self.parameters),
                "requestedGranularity": granularity,
                **query,
            },
        }


def _text(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def reported_count(node: str, count: int, total: int) -> int:
    """The count one of the session's nodes reports at count granularity for one dataset of
    ``total`` variants: where it bands counts, in bands of its threshold (1 to threshold-1 as
    the threshold, larger counts rounded down to a multiple of it). Counts next to the total
    are banded otherwise (docs/access.md): the seeded queries never come near one, and this
    model refuses them."""
    threshold = int(
        NODES[node].settings.get("SMALL_COUNT_THRESHOLD", DEFAULTS["SMALL_COUNT_THRESHOLD"])
    )
    if threshold < 2 or count == 0:
        return count
    assert count <= total - 2 * threshold, f"{count} of {total}: next to the total"
    return threshold if count < threshold else count // threshold * threshold


def matches(variant: NetworkVariant, parameters: Mapping[str, Any]) -> bool:
    """Whether a Beacon sequence, range or gene query finds the variant."""
    site = variant.site
    if "assemblyId" in parameters and parameters["assemblyId"] != variant.assembly:
        return False
    if "referenceName" in parameters and _plain(parameters["referenceName"]) != site.chrom:
        return False
    if "geneId" in parameters and parameters["geneId"] != site.gene:
        return False
    if "referenceBases" in parameters and parameters["referenceBases"] != site.ref:
        return False
    if "alternateBases" in parameters and parameters["alternateBases"] != site.alt:
        return False
    start, end = parameters.get("start"), parameters.get("end")
    if start is not None and end is None:
        return site.start == start[0]
    if start is not None and end is not None:
        return site.start < end[0] and site.end > start[0]
    return True


def _plain(reference_name: str) -> str:
    return reference_name[3:] if reference_name.lower().startswith("chr") else reference_name


def matching(variants: Iterable[NetworkVariant], parameters: Mapping[str, Any]) -> list:
    return [variant for variant in variants if matches(variant, parameters)]


def generate_queries(genomes: Mapping[str, DatasetGenomes], seed: int = SEED) -> list[NetworkQuery]:
    """The seeded query set: hits on one node, on two, and misses, for both assemblies."""
    rng = random.Random(seed)
    everything = [variant for dataset in genomes.values() for variant in dataset.variants]
    drawn: dict[str, dict[str, Any]] = {}
    for assembly in (GRCH38, GRCH37):
        sites = _sites_by_holders(everything, assembly)
        for holders in sorted(sites, key=sorted):
            for site in rng.sample(sites[holders], min(3, len(sites[holders]))):
                drawn.update(_sequence_queries(rng, site, assembly, holders))
                drawn.update(_range_queries(rng, site, assembly))
        drawn.update(_inside_deletions(everything, assembly))
        drawn.update(_misses(everything, assembly))
        for gene in sorted(GENES):
            drawn[f"gene {assembly} {gene}"] = {"assemblyId": assembly, "geneId": gene}
        drawn[f"gene {assembly} {UNKNOWN_GENE}"] = {"assemblyId": assembly, "geneId": UNKNOWN_GENE}
    drawn.update(_other_alt_queries(everything))
    return [_with_truth(label, parameters, genomes) for label, parameters in drawn.items()]


def _sites_by_holders(
    variants: list[NetworkVariant], assembly: str
) -> dict[frozenset[str], list[Site]]:
    """The assembly's sites grouped by the set of nodes holding them (in a stable order)."""
    holders: dict[Site, set[str]] = {}
    for variant in variants:
        if variant.assembly == assembly:
            holders.setdefault(variant.site, set()).add(variant.node)
    grouped: dict[frozenset[str], list[Site]] = {}
    for site, nodes in holders.items():
        grouped.setdefault(frozenset(nodes), []).append(site)
    return {nodes: sorted(sites, key=_site_order) for nodes, sites in grouped.items()}


def _site_order(site: Site) -> tuple[int, int, str]:
    return (int(site.chrom), site.pos, site.alt)


def _position(site: Site) -> tuple[str, int]:
    return (site.chrom, site.pos)


def _reference_name(rng: random.Random, site: Site, assembly: str) -> str:
    """As the nodes on the assembly spell it, now and then the other way (nodes accept both)."""
    prefixed = assembly == GRCH38
    if rng.random() < 0.25:
        prefixed = not prefixed
    return ("chr" if prefixed else "") + site.chrom


def _sequence_queries(
    rng: random.Random, site: Site, assembly: str, holders: frozenset[str]
) -> dict[str, dict[str, Any]]:
    where = f"{site.chrom}:{site.pos}"
    base = {
        "assemblyId": assembly,
        "referenceName": _reference_name(rng, site, assembly),
        "start": [site.start],
    }
    held = "+".join(sorted(holders))
    return {
        f"sequence {assembly} {where} {site.ref}>{site.alt} ({held})": {
            **base,
            "referenceBases": site.ref,
            "alternateBases": site.alt,
        },
        f"sequence {assembly} {where} >{site.alt} ({held})": {**base, "alternateBases": site.alt},
        f"sequence {assembly} {where} off by one": {
            **base,
            "start": [site.start + 1],
            "alternateBases": site.alt,
        },
    }


def _range_queries(rng: random.Random, site: Site, assembly: str) -> dict[str, dict[str, Any]]:
    queries = {}
    for width in rng.sample([1, 25, 2_000, GENE_WINDOW], 2):
        low = max(0, site.start - rng.randrange(width))
        queries[f"range {assembly} {site.chrom}:{low}-{low + width}"] = {
            "assemblyId": assembly,
            "referenceName": _reference_name(rng, site, assembly),
            "start": [low],
            "end": [low + width],
        }
    return queries


def _inside_deletions(variants: list[NetworkVariant], assembly: str) -> dict[str, dict[str, Any]]:
    """One-base ranges after a deletion's first base: found only through the deleted bases."""
    deletions = sorted(
        {v.site for v in variants if v.assembly == assembly and len(v.site.ref) > 1},
        key=_site_order,
    )
    return {
        f"range {assembly} {site.chrom}:{site.start + 1}-{site.start + 2} (inside a deletion)": {
            "assemblyId": assembly,
            "referenceName": site.chrom,
            "start": [site.start + 1],
            "end": [site.start + 2],
        }
        for site in deletions[:3]
    }


def _misses(variants: list[NetworkVariant], assembly: str) -> dict[str, dict[str, Any]]:
    """An empty region, and sites held only on the other assembly asked on this one."""
    other = GRCH37 if assembly == GRCH38 else GRCH38
    here = {_position(v.site) for v in variants if v.assembly == assembly}
    elsewhere = sorted(
        {v.site for v in variants if v.assembly == other and _position(v.site) not in here},
        key=_site_order,
    )[:3]
    queries: dict[str, dict[str, Any]] = {
        f"range {assembly} 1:100000000-100050000 (empty)": {
            "assemblyId": assembly,
            "referenceName": "1",
            "start": [100_000_000],
            "end": [100_050_000],
        }
    }
    for site in elsewhere:
        queries[f"sequence {assembly} {site.chrom}:{site.pos} held on {other} only"] = {
            "assemblyId": assembly,
            "referenceName": site.chrom,
            "start": [site.start],
            "referenceBases": site.ref,
            "alternateBases": site.alt,
        }
    return queries


def _other_alt_queries(variants: list[NetworkVariant]) -> dict[str, dict[str, Any]]:
    """At a position where two GRCh38 datasets hold different ALTs, each ALT and a third."""
    alts: dict[tuple[str, int, str], set[str]] = {}
    for variant in variants:
        if variant.assembly == GRCH38:
            site = variant.site
            alts.setdefault((site.chrom, site.pos, site.ref), set()).add(site.alt)
    queries = {}
    for (chrom, pos, ref), found in sorted(alts.items()):
        if len(found) < 2 or len(ref) != 1:
            continue
        third = next(base for base in "ACGT" if base != ref and base not in found)
        for alt in (*sorted(found), third):
            queries[f"sequence GRCh38 {chrom}:{pos} {ref}>{alt} (one of several ALTs)"] = {
                "assemblyId": GRCH38,
                "referenceName": "chr" + chrom,
                "start": [pos - 1],
                "referenceBases": ref,
                "alternateBases": alt,
            }
    return queries


def _with_truth(
    label: str, parameters: dict[str, Any], genomes: Mapping[str, DatasetGenomes]
) -> NetworkQuery:
    kind = GENE if "geneId" in parameters else RANGE if "end" in parameters else SEQUENCE
    dataset_counts, individual_counts = {}, {}
    for dataset_id, dataset in genomes.items():
        found = matching(dataset.variants, parameters)
        dataset_counts[dataset_id] = len(found)
        individual_counts[dataset_id] = len({c for variant in found for c in variant.carriers})
    return NetworkQuery(
        label, kind, parameters["assemblyId"], parameters, dataset_counts, individual_counts
    )
