"""The ontologies and terminologies the beacon names in ``/filtering_terms`` ``resources``.

Keyed by the CURIE prefix as the beacon's records spell it. Names, IRI prefixes and URLs are
taken from the Bioregistry (its OBO Foundry and OLS records); ``url`` is the ontology's OBO
download at ``purl.obolibrary.org`` (or EFO's own) where one exists, otherwise its home page.
See ``app/ontology/data/SOURCE.txt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class OntologyResource:
    prefix: str  # CURIE prefix, e.g. "HP"
    id: str  # OBO-style id of the resource, e.g. "hp"
    name: str
    iri_prefix: str = ""
    url: str = ""

    def as_beacon_resource(self) -> dict[str, Any]:
        """The Beacon filtering-terms ``resources`` entry (only the fields we know)."""
        resource: dict[str, Any] = {"id": self.id, "name": self.name}
        resource["nameSpacePrefix"] = self.prefix
        if self.iri_prefix:
            resource["iriPrefix"] = self.iri_prefix
        if self.url:
            resource["url"] = self.url
        return resource


OBO = "http://purl.obolibrary.org/obo/"

RESOURCES: tuple[OntologyResource, ...] = (
    OntologyResource("HP", "hp", "Human Phenotype Ontology", f"{OBO}HP_", f"{OBO}hp.obo"),
    OntologyResource("NCIT", "ncit", "NCI Thesaurus OBO Edition", f"{OBO}NCIT_", f"{OBO}ncit.obo"),
    OntologyResource("MONDO", "mondo", "Mondo Disease Ontology", f"{OBO}MONDO_", f"{OBO}mondo.obo"),
    OntologyResource(
        "UBERON",
        "uberon",
        "Uberon multi-species anatomy ontology",
        f"{OBO}UBERON_",
        f"{OBO}uberon/basic.obo",
    ),
    OntologyResource(
        "EFO",
        "efo",
        "Experimental Factor Ontology",
        "http://www.ebi.ac.uk/efo/EFO_",
        "http://www.ebi.ac.uk/efo/efo.obo",
    ),
    OntologyResource(
        "ICD10",
        "icd10",
        "International Classification of Diseases, 10th Revision",
        "https://icd.who.int/browse10/2019/en#/",
        "https://icd.who.int/browse10",
    ),
    OntologyResource(
        "DUO", "duo", "Data Use Ontology", f"{OBO}DUO_", "https://github.com/EBISPOT/DUO"
    ),
    OntologyResource("GAZ", "gaz", "Gazetteer", f"{OBO}GAZ_", f"{OBO}gaz.obo"),
    # Our own prefix for geographicOrigin: the id after "ISO3166:" is the alpha-2 code.
    OntologyResource(
        "ISO3166",
        "iso3166",
        "ISO 3166-1 alpha-2 country codes",
        url="https://www.iso.org/iso-3166-country-codes.html",
    ),
    OntologyResource(
        "OBI",
        "obi",
        "Ontology for Biomedical Investigations",
        f"{OBO}OBI_",
        "http://obi-ontology.org",
    ),
    OntologyResource(
        "GENEPIO",
        "genepio",
        "Genomic Epidemiology Ontology",
        f"{OBO}GENEPIO_",
        "http://genepio.org/",
    ),
    OntologyResource(
        "LOINC",
        "loinc",
        "Logical Observation Identifiers Names and Codes",
        "https://loinc.org/",
        "https://loinc.org",
    ),
    OntologyResource("OPCS4", "opcs4", "OPCS Classification of Interventions and Procedures"),
    OntologyResource(
        "SO",
        "so",
        "Sequence types and features ontology",
        f"{OBO}SO_",
        "http://www.sequenceontology.org/",
    ),
    OntologyResource(
        "ENSGLOSSARY",
        "ensemblglossary",
        "Ensembl Glossary",
        "http://ensembl.org/glossary/ENSGLOSSARY_",
        "http://ensembl.org/glossary",
    ),
    OntologyResource(
        "ORPHA", "orpha", "Orphanet", "http://www.orpha.net/ORDO/Orphanet_", "https://www.orpha.net"
    ),
    OntologyResource(
        "OMIM",
        "omim",
        "Online Mendelian Inheritance in Man",
        "https://omim.org/entry/",
        "https://omim.org",
    ),
    OntologyResource(
        "EDAM", "edam", "EDAM Ontology", "http://edamontology.org/", "http://edamontology.org"
    ),
    OntologyResource(
        "HANCESTRO",
        "hancestro",
        "Human Ancestry Ontology",
        f"{OBO}HANCESTRO_",
        "https://ebispot.github.io/hancestro/",
    ),
    OntologyResource(
        "OGMS",
        "ogms",
        "Ontology for General Medical Science",
        f"{OBO}OGMS_",
        f"{OBO}ogms.obo",
    ),
    OntologyResource(
        "PATO",
        "pato",
        "Phenotype And Trait Ontology",
        f"{OBO}PATO_",
        "https://github.com/pato-ontology/pato/",
    ),
)

RESOURCES_BY_PREFIX: Mapping[str, OntologyResource] = MappingProxyType(
    {resource.prefix.upper(): resource for resource in RESOURCES}
)


def prefix_of(curie: str) -> str:
    """``"HP:0000822"`` -> ``"HP"``; an id without a colon has no prefix (``""``)."""
    prefix, colon, _ = curie.partition(":")
    return prefix if colon else ""


def resource_for(prefix: str) -> dict[str, Any] | None:
    """The Beacon ``resources`` entry for a CURIE prefix (any letter case), or None."""
    resource = RESOURCES_BY_PREFIX.get(prefix.upper())
    return resource.as_beacon_resource() if resource else None


def ontology_name(prefix: str) -> str:
    """The full name used as a filtering term's ``type``; an unknown prefix names itself."""
    resource = RESOURCES_BY_PREFIX.get(prefix.upper())
    return resource.name if resource else prefix
