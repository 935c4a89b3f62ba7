"""Build hierarchy files (``app/ontology`` TSV) from ontology releases.

``extract_obo`` is the library form of ``asia-beacon ontology extract``; ``bundle`` rebuilds
the files shipped in ``app/ontology/data`` (see its SOURCE.txt).
"""

from loaders.ontology.extract import Extraction, extract_obo, read_term_list, with_ancestors
from loaders.ontology.obo import OboDocument, OboTerm, parse_obo, read_obo

__all__ = [
    "Extraction",
    "OboDocument",
    "OboTerm",
    "extract_obo",
    "parse_obo",
    "read_obo",
    "read_term_list",
    "with_ancestors",
]
