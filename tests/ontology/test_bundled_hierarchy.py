"""The hierarchy shipped in app/ontology/data: consistent, acyclic, covering the terms the
templates, the demo and the bundle's seeds use, with a resource for every prefix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import ModuleType

import pytest

from app.ontology import load_hierarchy, prefix_of, resource_for
from app.ontology.hierarchy import bundled_files
from loaders.ontology.seeds import BUNDLE_SEEDS

CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9]*:\S+$")


@pytest.fixture(scope="module")
def bundled():
    return load_hierarchy()


def test_every_file_holds_one_ontology_named_after_it(bundled):
    files = bundled_files()
    assert files == ["efo.tsv", "hp.tsv", "icd10.tsv", "mondo.tsv", "ncit.tsv", "uberon.tsv"]
    for name in files:
        prefix = name.removesuffix(".tsv").upper()
        assert any(prefix_of(term) == prefix for term in bundled.terms())


def test_every_parent_is_a_bundled_term_and_every_term_has_a_label(bundled):
    for term in bundled.terms():
        assert bundled.label(term), term
        assert bundled.parents(term) <= bundled.terms(), term


def test_there_are_no_cycles(bundled):
    for term in bundled.terms():
        assert term not in bundled.ancestors(term), term


def test_each_ontology_has_few_roots(bundled):
    roots = {term for term in bundled.terms() if bundled.is_root(term)}
    assert {"HP:0000001", "MONDO:0000001", "UBERON:0001062", "NCIT:C17049"} <= roots
    assert len([r for r in roots if r.startswith(("HP:", "MONDO:", "UBERON:"))]) == 3


def test_every_seed_is_bundled(bundled):
    for prefix, seeds in BUNDLE_SEEDS.items():
        missing = [seed for seed in seeds if seed not in bundled]
        assert not missing, f"{prefix}: {missing}"


def test_some_known_facts(bundled):
    assert bundled.label("HP:0000822") == "Hypertension"
    assert bundled.label("MONDO:0005148") == "type 2 diabetes mellitus"
    assert "MONDO:0005148" in bundled.descendants("MONDO:0005015")  # diabetes mellitus
    assert bundled.parents("ICD10:E11") == {"ICD10:E10-E14"}
    assert bundled.parents("ICD10:E10-E14") == {"ICD10:IV"}
    assert "ICD10:E11.9" in bundled.descendants("ICD10:IV")
    # blood is_a haemolymphatic fluid; its part_of hematopoietic system is not a parent
    assert bundled.parents("UBERON:0000178") == {"UBERON:0000179"}
    assert bundled.label("NCIT:C41260") == "Asian"
    assert bundled.label("NCIT:C20197") == "Male" and bundled.label("NCIT:C16576") == "Female"


def test_every_bundled_prefix_has_a_resource(bundled):
    for prefix in {prefix_of(term) for term in bundled.terms()}:
        resource = resource_for(prefix)
        assert resource is not None, prefix
        assert resource["nameSpacePrefix"] == prefix


def _curies(value: object, depth: int = 0) -> Iterator[str]:
    if depth > 6 or isinstance(value, ModuleType) or callable(value):
        return
    if isinstance(value, str):
        if CURIE.match(value):
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _curies(key, depth + 1)
            yield from _curies(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _curies(item, depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        yield from _curies(vars(value), depth + 1)


def test_every_vocabulary_term_of_a_bundled_ontology_is_bundled(bundled):
    vocabulary = pytest.importorskip("loaders.templates.vocabulary")
    prefixes = {prefix_of(term) for term in bundled.terms()}
    used = {
        curie
        for name in dir(vocabulary)
        if not name.startswith("_")
        for curie in _curies(getattr(vocabulary, name))
        if prefix_of(curie) in prefixes
    }
    assert used, "expected the vocabulary to name terms of the bundled ontologies"
    missing = sorted(used - bundled.terms())
    assert not missing, f"add these to loaders/ontology/seeds.py and rebuild: {missing}"


def test_the_vocabulary_labels_agree_with_the_bundled_ones(bundled):
    vocabulary = pytest.importorskip("loaders.templates.vocabulary")
    for term in vocabulary.TERMS:
        if term.id in bundled:
            # ICD-10 subcategories carry WHO's long form: "Malignant neoplasm: Liver cell carcinoma"
            assert bundled.label(term.id).endswith(term.label), term
