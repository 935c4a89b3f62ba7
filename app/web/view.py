"""What the catalog page shows, as plain data: the datasets grouped by country, each with its
consent codes, access level, governing laws and counts. No Flask and no database here; the route
gathers the inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from schemas.metadata.countries import COUNTRY_NAMES

UNPLACED = "Country not stated"
DOWN_STATES = frozenset({"unavailable", "failing"})  # a hub's nodes it cannot ask now


@dataclass(frozen=True)
class Consent:
    id: str
    label: str


@dataclass(frozen=True)
class GoverningLaw:
    id: str
    short_name: str
    jurisdiction: str
    known: bool  # False: the dataset names a law the registry does not hold


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    description: str
    organization: str
    populations: tuple[str, ...]
    consents: tuple[Consent, ...]
    access_level: str
    laws: tuple[GoverningLaw, ...]
    variant_count: int
    individual_count: int
    biosample_count: int
    # on a hub: the beacon holding the dataset and the registry node it was read from
    beacon_id: str = ""
    node_id: str = ""


@dataclass(frozen=True)
class CountryGroup:
    code: str  # "" for datasets without a country
    name: str
    datasets: tuple[CatalogEntry, ...]


@dataclass(frozen=True)
class NetworkNode:
    """A node of a hub's registry as the network page lists it."""

    id: str
    name: str
    url: str
    country: str
    country_name: str
    beacon_id: str  # "" until its /info was read
    status: str  # healthy, unavailable, failing, sharedBeaconId or self
    problem: str  # why it is down (or not asked); "" when nothing is wrong
    notes: tuple[str, ...]  # optional answers of the node the hub could not use

    @property
    def down(self) -> bool:
        return self.status in DOWN_STATES


def network_nodes(
    reports: Iterable[Mapping[str, Any]], problem_of: Callable[[Mapping[str, Any]], str | None]
) -> list[NetworkNode]:
    """The hub's node reports (``info.network.nodes`` of its /info), in registry order;
    ``problem_of`` says in words what is wrong with a node, or None."""
    return [
        NetworkNode(
            id=str(report["id"]),
            name=str(report.get("name") or report["id"]),
            url=str(report.get("url") or ""),
            country=str(report.get("country") or ""),
            country_name=COUNTRY_NAMES.get(str(report.get("country")), report.get("country") or ""),
            beacon_id=str(report.get("beaconId") or ""),
            status=str(report.get("status") or ""),
            problem=problem_of(report) or "",
            notes=tuple(report.get("metadataProblems") or ()),
        )
        for report in reports
    ]


def catalog_by_country(
    records: Iterable[Mapping[str, Any]],
    variant_counts: Mapping[str, int],
    metadata_counts: Mapping[str, Mapping[str, Any]],
    law_of: Callable[[str], Mapping[str, Any] | None],
) -> list[CountryGroup]:
    """Beacon dataset records (with ``accessLevel``) grouped by ``country``, countries in
    the order of their names and datasets without one last; datasets keep their given order.

    ``metadata_counts`` maps dataset ids to their ``metadataStats`` document; ``law_of`` looks a
    law id up in the privacy-law registry (None when it holds no such law).
    """
    grouped: dict[str, list[CatalogEntry]] = {}
    for record in records:
        entry = catalog_entry(record, variant_counts, metadata_counts, law_of)
        grouped.setdefault(record.get("country") or "", []).append(entry)
    groups = [
        CountryGroup(code, COUNTRY_NAMES.get(code, code) if code else UNPLACED, tuple(entries))
        for code, entries in grouped.items()
    ]
    return sorted(groups, key=lambda group: (not group.code, group.name))


def catalog_entry(
    record: Mapping[str, Any],
    variant_counts: Mapping[str, int],
    metadata_counts: Mapping[str, Mapping[str, Any]],
    law_of: Callable[[str], Mapping[str, Any] | None],
) -> CatalogEntry:
    dataset_id = record["id"]
    conditions = record.get("dataUseConditions") or {}
    stats = metadata_counts.get(dataset_id) or {}
    return CatalogEntry(
        id=dataset_id,
        name=record.get("name") or dataset_id,
        description=record.get("description", ""),
        organization=record.get("organization", ""),
        populations=tuple(record.get("populations", ())),
        consents=tuple(
            Consent(term["id"], term.get("label", "")) for term in conditions.get("duoDataUse", ())
        ),
        access_level=record.get("accessLevel", ""),
        laws=tuple(
            _governing_law(law_id, law_of(law_id)) for law_id in record.get("privacyLaws", ())
        ),
        variant_count=variant_counts.get(dataset_id, 0),
        individual_count=stats.get("individualCount", 0),
        biosample_count=stats.get("biosampleCount", 0),
        beacon_id=str(record.get("beaconId") or ""),
        node_id=str(record.get("nodeId") or ""),
    )


def _governing_law(law_id: str, law: Mapping[str, Any] | None) -> GoverningLaw:
    if law is None:
        return GoverningLaw(law_id, law_id, "", known=False)
    return GoverningLaw(law_id, law["short_name"], law["jurisdiction"], known=True)
