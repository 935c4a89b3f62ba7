"""Ontology hierarchies for Beacon filters and the ontology resources the beacon names.

``load_hierarchy(extra_paths)`` reads the small hierarchy bundled in ``data/`` plus any full
ontologies a deployment adds (``ONTOLOGY_FILES``); see ``docs/ontologies.md``.
"""

from app.ontology.hierarchy import SIMILARITY_STEPS, OntologyHierarchy, load_hierarchy
from app.ontology.resources import ontology_name, prefix_of, resource_for
from app.ontology.terms import OntologyFileError, OntologyTerm, read_terms, write_terms

__all__ = [
    "SIMILARITY_STEPS",
    "OntologyFileError",
    "OntologyHierarchy",
    "OntologyTerm",
    "load_hierarchy",
    "ontology_name",
    "prefix_of",
    "read_terms",
    "resource_for",
    "write_terms",
]
