"""What an ontology term id may look like: CURIEs, the shape of well-known prefixes, and the
per-field rules (allowed prefixes or ids) that the metadata schemas declare.

Every term id is a CURIE ``PREFIX:local`` (the Beacon CURIE, with a prefix of two or more
characters and no blanks). Where the prefix is one this module knows, the local part must also
have that ontology's shape, wherever the term appears: ``HP:0001250`` passes, ``HP:1250`` does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas.metadata.countries import COUNTRY_NAMES

CURIE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]+:\S+$"
_CURIE = re.compile(CURIE_PATTERN)

# ICD-10 category (A00), optionally with a subdivision (A00.1, or ICD-10-CM's longer codes, with or
# without the dot, as in the CINECA data's F3181).
ICD10_LOCAL = r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?"

ONTOLOGY_NAMES = {
    "BTO": "BRENDA Tissue Ontology",
    "CLO": "Cell Line Ontology",
    "EFO": "Experimental Factor Ontology",
    "GAZ": "Gazetteer",
    "GENEPIO": "Genomic Epidemiology Ontology",
    "HP": "Human Phenotype Ontology",
    "ICD10": "WHO ICD-10",
    "ISO3166": "ISO 3166-1 alpha-2 country code",
    "LOINC": "LOINC",
    "MAXO": "Medical Action Ontology",
    "MONDO": "Mondo Disease Ontology",
    "NCIT": "NCI Thesaurus",
    "OBI": "Ontology for Biomedical Investigations",
    "OGMS": "Ontology for General Medical Science",
    "OMIABIS": "Ontologized MIABIS",
    "OMIM": "Online Mendelian Inheritance in Man",
    "ORPHA": "Orphanet",
    "UBERON": "Uberon anatomy ontology",
}

# local-part shapes of the prefixes we know (anchored regular expressions of the local part)
LOCAL_PATTERNS: Mapping[str, str] = {
    "EFO": r"\d{7}",
    "GAZ": r"\d{8}",
    "HP": r"\d{7}",
    "ICD10": ICD10_LOCAL,
    "ISO3166": r"[A-Z]{2}",
    "MONDO": r"\d{7}",
    "NCIT": r"C\d+",
    "OBI": r"\d{7}",
    "OMIM": r"(?:PS)?\d{6}",
    "ORPHA": r"\d+",
    "UBERON": r"\d{7}",
}
_LOCAL = {prefix: re.compile(pattern) for prefix, pattern in LOCAL_PATTERNS.items()}
_LOCAL_EXAMPLES = {
    "EFO": "EFO:0009654",
    "GAZ": "GAZ:00002640",
    "HP": "HP:0001250",
    "ICD10": "ICD10:E11 or ICD10:C22.0",
    "ISO3166": "ISO3166:TH",
    "MONDO": "MONDO:0005148",
    "NCIT": "NCIT:C20197",
    "OBI": "OBI:0002630",
    "OMIM": "OMIM: and a six-digit MIM number",
    "ORPHA": "ORPHA: and the Orphanet number",
    "UBERON": "UBERON:0000178",
}


def strict_curie_pattern() -> str:
    """A regular expression (ECMA-262 and Python) accepting exactly what ``curie_problem`` does."""
    known = "|".join(f"{prefix}:{_local_pattern(prefix)}" for prefix in LOCAL_PATTERNS)
    others = "(?!(?:" + "|".join(LOCAL_PATTERNS) + "):)" + CURIE_PATTERN[1:-1]
    return f"^(?:{known}|{others})$"


def curie_problem(value: str) -> str | None:
    """Why ``value`` is not a well-formed term id, or None."""
    if not _CURIE.match(value):
        return "must be a CURIE, PREFIX:local, as in HP:0001250"
    prefix, _, local = value.partition(":")
    pattern = _LOCAL.get(prefix)
    if pattern is not None and not pattern.fullmatch(local):
        return f"is not a well-formed {prefix} id ({_LOCAL_EXAMPLES[prefix]})"
    if prefix == "ISO3166" and local not in COUNTRY_NAMES:
        return f"{local} is not an ISO 3166-1 alpha-2 country code"
    return None


@dataclass(frozen=True)
class TermRule:
    """What one ontology-term field accepts beyond a well-formed CURIE.

    ``prefixes``: the id must use one of them; ``ids``: the id must be one of them (id -> label);
    ``recommended``: prefixes named in documentation only. Empty means no restriction.
    """

    prefixes: tuple[str, ...] = ()
    ids: Mapping[str, str] = field(default_factory=dict)
    recommended: tuple[str, ...] = ()

    def problem(self, term_id: str) -> str | None:
        found = curie_problem(term_id)
        if found is not None:
            return found
        if self.ids and term_id not in self.ids:
            return f"must be one of {self.describe()}"
        if self.prefixes and term_id.partition(":")[0] not in self.prefixes:
            return f"must be an id of {self.describe()}"
        return None

    def describe(self) -> str:
        """The expectation in words, as error messages and the template side files give it."""
        if self.ids:
            return ", ".join(f"{term_id} ({label})" for term_id, label in self.ids.items())
        if self.prefixes:
            return " or ".join(_prefix_name(prefix) for prefix in self.prefixes)
        if self.recommended:
            names = " or ".join(_prefix_name(prefix) for prefix in self.recommended)
            return f"any CURIE; {names} recommended"
        return "any CURIE"

    def id_pattern(self) -> str:
        """A regular expression (JSON Schema ``pattern``) for the ids this rule accepts."""
        if self.ids:
            return "^(" + "|".join(re.escape(term_id) for term_id in self.ids) + ")$"
        if not self.prefixes:
            return strict_curie_pattern()
        options = [f"{prefix}:{_local_pattern(prefix)}" for prefix in self.prefixes]
        return "^(" + "|".join(options) + ")$"


def _local_pattern(prefix: str) -> str:
    if prefix == "ISO3166":
        return "(" + "|".join(COUNTRY_NAMES) + ")"
    return LOCAL_PATTERNS.get(prefix, r"\S+")


def _prefix_name(prefix: str) -> str:
    name = ONTOLOGY_NAMES.get(prefix)
    return f"{prefix} ({name})" if name and name != prefix else prefix
