"""Cut an ontology down to the terms a beacon uses plus all their ancestors, as hierarchy TSV.

``extract_obo("hp.obo", ["HP:0000822"], "hp.tsv")`` writes Hypertension and every ``is_a``
ancestor up to ``HP:0000001``; without terms it writes the whole ontology. Obsolete terms are
left out (a requested one is reported with its replacement).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.ontology.resources import prefix_of
from app.ontology.terms import OntologyTerm, write_terms
from loaders.errors import LoadError
from loaders.ontology.obo import OboDocument, read_obo


@dataclass
class Extraction:
    terms: list[OntologyTerm]
    missing: list[str] = field(default_factory=list)  # requested but not in the source
    obsolete: dict[str, list[str]] = field(default_factory=dict)  # requested -> replaced_by
    dropped_parents: int = 0  # parent links to terms outside the output (other prefixes)


def with_ancestors(
    terms: Mapping[str, OntologyTerm],
    wanted: Iterable[str] | None = None,
    prefixes: Iterable[str] = (),
) -> Extraction:
    """``wanted`` and every ancestor of them in ``terms`` (all terms when ``wanted`` is None).

    ``prefixes`` keeps only terms with those CURIE prefixes (an import module of one ontology
    often carries terms of others); parent links leaving the kept set are dropped and counted.
    """
    keep = {prefix.upper() for prefix in prefixes}
    usable = {
        term_id: term
        for term_id, term in terms.items()
        if not keep or prefix_of(term_id).upper() in keep
    }
    missing: list[str] = []
    if wanted is None:
        selected = set(usable)
    else:
        selected = set()
        stack: list[str] = []
        for term_id in dict.fromkeys(wanted):
            if term_id in usable:
                stack.append(term_id)
            else:
                missing.append(term_id)
        while stack:
            term_id = stack.pop()
            if term_id in selected:
                continue
            selected.add(term_id)
            stack.extend(parent for parent in usable[term_id].parents if parent in usable)
    dropped = 0
    output: list[OntologyTerm] = []
    for term_id in sorted(selected):
        term = usable[term_id]
        parents = tuple(parent for parent in term.parents if parent in selected)
        dropped += len(term.parents) - len(parents)
        output.append(OntologyTerm(term_id, term.label, parents))
    return Extraction(output, missing, dropped_parents=dropped)


def hierarchy_terms(document: OboDocument) -> dict[str, OntologyTerm]:
    """The non-obsolete terms of an OBO document as hierarchy terms."""
    return {
        term.id: OntologyTerm(term.id, term.name, tuple(term.parents))
        for term in document.terms.values()
        if not term.obsolete
    }


def extract_obo(
    obo_path: str | Path,
    wanted: Iterable[str] | None,
    out_path: str | Path,
    prefixes: Iterable[str] = (),
) -> Extraction:
    """Read an OBO file and write the hierarchy TSV of ``wanted`` plus ancestors."""
    document = read_obo(obo_path)
    extraction = with_ancestors(hierarchy_terms(document), wanted, prefixes)
    for term_id in extraction.missing:
        term = document.terms.get(term_id)
        if term is not None and term.obsolete:
            extraction.obsolete[term_id] = term.replaced_by
    extraction.missing = [t for t in extraction.missing if t not in extraction.obsolete]
    source = Path(obo_path).name
    comments = [f"extracted from {source} by `asia-beacon ontology extract`"]
    if document.data_version:
        comments.append(f"data-version: {document.data_version}")
    write_terms(extraction.terms, out_path, comments)
    return extraction


def read_term_list(value: str) -> list[str]:
    """Term ids from a file (one per line; first tab-separated column; ``#`` comments and an
    ``id`` header skipped) or, when ``value`` is not a file, from ``A,B`` / ``A B``."""
    path = Path(value)
    if _is_file(path):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise LoadError(value, f"cannot read the term list: {error}") from None
        cells = (line.split("\t", 1)[0].strip() for line in lines if not line.startswith("#"))
        return [cell for cell in cells if cell and cell != "id"]
    return [part for part in value.replace(",", " ").split() if part]


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a long list of ids is not a valid file name
        return False
