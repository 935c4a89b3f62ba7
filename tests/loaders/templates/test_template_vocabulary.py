"""The example vocabulary: one entry per id, every id well formed and accepted where it is used,
and the example uses no term outside it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from loaders.templates import vocabulary
from loaders.templates.example import example_records
from schemas.metadata.common import SEX_TERMS
from schemas.metadata.countries import COUNTRY_NAMES
from schemas.metadata.curies import curie_problem


def term_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "id" in value and isinstance(value["id"], str) and ":" in value["id"]:
            yield value
        for child in value.values():
            yield from term_objects(child)
    elif isinstance(value, list):
        for item in value:
            yield from term_objects(item)


def test_ids_are_unique_and_well_formed():
    ids = [term.id for term in vocabulary.TERMS]
    assert len(ids) == len(set(ids))
    for term in vocabulary.TERMS:
        assert curie_problem(term.id) is None, term
        assert term.label and term.label == term.label.strip()


def test_sexes_are_the_models_sex_terms():
    assert {term.id: term.label for term in vocabulary.SEXES} == SEX_TERMS


def test_country_labels_are_the_iso_names():
    for term in vocabulary.COUNTRIES:
        assert term.label == COUNTRY_NAMES[term.id.removeprefix("ISO3166:")]


def test_every_term_of_the_example_comes_from_the_vocabulary():
    known = {term.id: term.label for term in vocabulary.TERMS}
    used = [term for records in example_records().values() for term in term_objects(records)]
    assert used
    for term in used:
        assert term["id"] in known, term
        assert term.get("label") == known[term["id"]]
