"""Filter translation, without Flask or a database: scope resolution, descendant terms,
alphanumeric operators, custom terms and the errors a client gets."""

from __future__ import annotations

import mongomock
import pytest

from app.query.filters import (
    Filter,
    InvalidFilterError,
    TermCatalogue,
    alphanumeric_selector,
    filter_conditions,
)
from app.store.lower_mongo import mongo_filter
from app.store.query import HasOntologyTerm, Predicate

SCOPES = ("genomicVariation", "individual", "biosample", "run", "analysis")


class TinyOntology:
    """HP:1 > HP:2 > HP:3, HP:1 > HP:4 (child > grandchild)."""

    children = {"HP:1": {"HP:2", "HP:4"}, "HP:2": {"HP:3"}}

    def descendants(self, term: str) -> frozenset[str]:
        found: set[str] = set()
        for child in self.children.get(term, ()):
            found |= {child, *self.descendants(child)}
        return frozenset(found)

    def similar_terms(self, term: str, similarity: str) -> frozenset[str]:
        parents = {parent for parent, kids in self.children.items() if term in kids}
        return frozenset(kid for parent in parents for kid in self.descendants(parent))


CATALOGUE = TermCatalogue(
    ontology_terms={
        "individual": frozenset({"HP:3", "HP:4", "NCIT:C16576"}),
        "biosample": frozenset({"UBERON:0000178"}),
    },
    fields={
        "individual": {"sex.label": "string", "diseases.ageOfOnset.iso8601duration": "string"},
        "run": {"libraryStrategy": "string", "runDate": "date"},
    },
)


def conditions(*filters: Filter, target: str = "individual"):
    return filter_conditions(filters, target, SCOPES, CATALOGUE, TinyOntology())


def matching(where: Predicate, documents: list[dict]) -> list[str]:
    """Apply what a filter selects with MongoDB query semantics (mongomock) and return the
    matched ids."""
    collection = mongomock.MongoClient().db.docs
    collection.insert_many([dict(document) for document in documents])
    return sorted(document["id"] for document in collection.find(mongo_filter(where)))


def test_descendants_are_included_by_default_and_only_terms_in_the_data_are_listed():
    (condition,) = conditions(Filter("HP:1"))
    assert condition.scope == "individual"
    assert condition.where == HasOntologyTerm(("HP:3", "HP:4"))


def test_descendants_can_be_excluded():
    (condition,) = conditions(Filter("HP:1", include_descendant_terms=False))
    # HP:1 itself is in no record: the filter matches nothing and says so
    assert condition.where == HasOntologyTerm(("HP:1",))
    assert condition.warning and "HP:1" in condition.warning


def test_similarity_adds_the_siblings_subtrees():
    (exact,) = conditions(Filter("HP:2", include_descendant_terms=False))
    (high,) = conditions(Filter("HP:2", include_descendant_terms=False, similarity="high"))
    assert exact.warning is not None
    assert high.where == HasOntologyTerm(("HP:3", "HP:4"))


def test_unscoped_term_goes_to_the_scope_holding_it():
    (condition,) = conditions(Filter("UBERON:0000178"), target="genomicVariation")
    assert condition.scope == "biosample"


def test_explicit_scope_wins_and_accepts_only_known_scopes():
    (condition,) = conditions(Filter("NCIT:C16576", scope="biosample"))
    assert condition.scope == "biosample"
    with pytest.raises(InvalidFilterError, match="scope 'cohort'"):
        conditions(Filter("NCIT:C16576", scope="cohort"))


def test_alphanumeric_filter_finds_its_field_scope():
    (condition,) = conditions(Filter("libraryStrategy", operator="=", value="WGS"))
    assert condition.scope == "run"
    docs = [
        {"id": "a", "record": {"libraryStrategy": "WGS"}},
        {"id": "b", "record": {"libraryStrategy": "WES"}},
    ]
    assert matching(condition.where, docs) == ["a"]


def test_unknown_alphanumeric_field_is_a_client_error():
    with pytest.raises(InvalidFilterError, match="no such field"):
        conditions(Filter("heightInFeet", operator=">", value="5"))


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("=", "female", ["b"]),
        ("=", "Female", ["b"]),
        ("!", "female", ["a", "c"]),
        ("=", "fem%", ["b"]),
        ("=", "%MALE", ["a", "b"]),
        ("!", "%ale", ["c"]),
    ],
)
def test_text_operators_and_wildcards(operator, value, expected):
    docs = [
        {"id": "a", "record": {"sex": {"label": "male"}}},
        {"id": "b", "record": {"sex": {"label": "female"}}},
        {"id": "c", "record": {"sex": {"label": "unknown"}}},
    ]
    selector = alphanumeric_selector("individual", "sex.label", operator, value, "string")
    assert matching(selector, docs) == expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        (">", "170", ["tall"]),
        ("<=", "160.5", ["short"]),
        ("=", "165", ["mid"]),
        ("!", "165", ["short", "tall"]),
    ],
)
def test_numbers_compare_as_numbers(operator, value, expected):
    docs = [
        {"id": "short", "record": {"measures": [{"measurementValue": {"value": 150.2}}]}},
        {"id": "mid", "record": {"measures": [{"measurementValue": {"value": 165}}]}},
        {"id": "tall", "record": {"measures": [{"measurementValue": {"value": 180}}]}},
    ]
    selector = alphanumeric_selector(
        "individual", "measures.measurementValue.value", operator, value
    )
    assert matching(selector, docs) == expected


def test_dates_compare_in_calendar_order():
    docs = [
        {"id": "old", "record": {"collectionDate": "2019-12-31"}},
        {"id": "new", "record": {"collectionDate": "2021-01-05"}},
    ]
    selector = alphanumeric_selector("biosample", "collectionDate", ">=", "2020-01-01", "date")
    assert matching(selector, docs) == ["new"]


def test_durations_compare_by_length_not_text():
    path = "diseases.ageOfOnset.iso8601duration"
    docs = [
        {"id": "child", "durations": [{"path": path, "days": 9 * 365.25}]},
        {"id": "adult", "durations": [{"path": path, "days": 45 * 365.25}]},
        {"id": "other", "durations": [{"path": "x.iso8601duration", "days": 60 * 365.25}]},
    ]
    # "P9Y" > "P18Y" as text; as durations only the adult is older than 18 years
    assert matching(alphanumeric_selector("individual", path, ">", "P18Y"), docs) == ["adult"]
    with pytest.raises(InvalidFilterError, match="ISO 8601 duration"):
        alphanumeric_selector("individual", path, ">", "18 years")


def test_custom_term_is_field_colon_value():
    (condition,) = conditions(Filter("libraryStrategy:WGS"))
    assert condition.scope == "run"
    assert matching(condition.where, [{"id": "r", "record": {"libraryStrategy": "WGS"}}]) == ["r"]


def test_a_term_that_is_neither_curie_nor_custom_is_rejected():
    with pytest.raises(InvalidFilterError, match="neither an ontology term"):
        conditions(Filter("asian"))


def test_variant_fields_use_the_indexed_top_level_fields():
    (condition,) = conditions(
        Filter("molecularAttributes.geneIds", operator="=", value="BRCA2"),
        target="individual",
    )
    assert condition.scope == "genomicVariation"
    variants = [
        {"id": "brca2", "geneIds": ["BRCA2"], "geneKeys": ["brca2"]},
        {"id": "other", "geneIds": ["BRCA1"], "geneKeys": ["brca1"]},
        {"id": "loaded-before-keys", "geneIds": ["BRCA2"]},
    ]
    assert matching(condition.where, variants) == ["brca2", "loaded-before-keys"]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("=", "c9orf72", ["orf", "orf-upper"]),
        ("=", "C9ORF72", ["orf", "orf-upper"]),  # loaded before the keys: exact, as then
        ("=", "C9orf72", ["legacy-orf", "orf", "orf-upper"]),
        ("=", "C9orf7", []),
        ("!", "c9orf72", ["legacy-orf", "legacy-other", "none", "other"]),
        ("!", "C9orf72", ["legacy-other", "none", "other"]),
        ("<", "Cc", ["legacy-orf", "orf", "orf-upper"]),  # c9orf72 < cc < mob3b, tp53
    ],
)
def test_the_gene_field_ignores_the_case_of_the_symbol(operator, value, expected):
    variants = [
        {"id": "orf", "geneIds": ["C9orf72"], "geneKeys": ["c9orf72"]},
        {"id": "orf-upper", "geneIds": ["C9ORF72", "MOB3B"], "geneKeys": ["c9orf72", "mob3b"]},
        {"id": "other", "geneIds": ["TP53"], "geneKeys": ["tp53"]},
        {"id": "none", "geneIds": [], "geneKeys": []},
        {"id": "legacy-orf", "geneIds": ["C9orf72"]},
        {"id": "legacy-other", "geneIds": ["TP53"]},
    ]
    selector = alphanumeric_selector(
        "genomicVariation", "molecularAttributes.geneIds", operator, value, "indexed"
    )
    assert matching(selector, variants) == expected


def test_durations_by_kind_and_plural_scopes():
    docs = [{"id": "late", "durations": [{"path": "collectionMoment", "days": 40 * 365.25}]}]
    selector = alphanumeric_selector("biosample", "collectionMoment", ">", "P30Y", "duration")
    assert matching(selector, docs) == ["late"]
    (condition,) = conditions(Filter("NCIT:C16576", scope="individuals"))
    assert condition.scope == "individual"


def test_a_field_of_unknown_kind_equals_a_number_as_number_or_text():
    docs = [
        {"id": "text", "record": {"info": {"code": "5"}}},
        {"id": "number", "record": {"info": {"code": 5}}},
        {"id": "other", "record": {"info": {"code": 6}}},
    ]
    assert matching(alphanumeric_selector("individual", "info.code", "=", "5"), docs) == [
        "number",
        "text",
    ]
    assert matching(alphanumeric_selector("individual", "info.code", "!", "5"), docs) == ["other"]
