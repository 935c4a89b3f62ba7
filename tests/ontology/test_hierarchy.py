"""Hierarchy behaviour on a tiny ontology written here: descendants, ancestors, similarity
levels (never climbing to the root), unknown terms, cycles, and files read in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ontology import OntologyFileError, OntologyHierarchy, load_hierarchy, read_terms

# X:R is the root.            X:R
#                          /       \
#                      X:A           X:B
#                   /   |   \       /   \
#               X:A1  X:A2   X:AB (A and B)  X:B1
#              /    \
#          X:A1a   X:A1b
#            |
#          X:A1ai
TINY = """# a comment line
id\tlabel\tparents
X:R\troot\t
X:A\tbranch A\tX:R
X:B\tbranch B\tX:R
X:A1\ttwig A1\tX:A
X:A2\ttwig A2\tX:A
X:AB\tboth\tX:A|X:B
X:B1\ttwig B1\tX:B
X:A1a\tleaf A1a\tX:A1
X:A1b\tleaf A1b\tX:A1
X:A1ai\tbud\tX:A1a
"""

BELOW_A = {"X:A1", "X:A2", "X:AB", "X:A1a", "X:A1b", "X:A1ai"}


@pytest.fixture
def tiny_path(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.tsv"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture
def tiny(tiny_path: Path) -> OntologyHierarchy:
    return OntologyHierarchy(read_terms(tiny_path))


def test_descendants_are_transitive_and_exclude_the_term(tiny):
    assert tiny.descendants("X:A") == BELOW_A
    assert tiny.descendants("X:R") == BELOW_A | {"X:A", "X:B", "X:B1"}
    assert tiny.descendants("X:A1ai") == frozenset()


def test_ancestors_parents_labels_and_roots(tiny):
    assert tiny.ancestors("X:A1ai") == {"X:A1a", "X:A1", "X:A", "X:R"}
    assert tiny.ancestors("X:AB") == {"X:A", "X:B", "X:R"}
    assert tiny.parents("X:AB") == {"X:A", "X:B"}
    assert tiny.children("X:A1") == {"X:A1a", "X:A1b"}
    assert tiny.label("X:A1b") == "leaf A1b"
    assert tiny.is_root("X:R") and not tiny.is_root("X:A")
    assert "X:B1" in tiny and len(tiny) == 10


def test_unknown_terms_have_no_relatives_and_are_only_similar_to_themselves(tiny):
    assert tiny.descendants("X:nope") == tiny.ancestors("X:nope") == frozenset()
    assert tiny.parents("X:nope") == frozenset() and tiny.label("X:nope") is None
    for similarity in ("exact", "high", "medium", "low"):
        assert tiny.similar_terms("X:nope", similarity) == {"X:nope"}


def test_similarity_climbs_one_level_per_step(tiny):
    assert tiny.similar_terms("X:A1a", "exact") == {"X:A1a"}
    # high: the term plus its parent's descendants (siblings and their subtrees)
    assert tiny.similar_terms("X:A1a", "high") == {"X:A1a", "X:A1ai", "X:A1b"}
    # medium: everything under the grandparent
    assert tiny.similar_terms("X:A1a", "medium") == BELOW_A


def test_similarity_never_climbs_to_the_root(tiny):
    # The great-grandparent of X:A1a would be the root X:R: "low" stops at X:A.
    assert tiny.similar_terms("X:A1a", "low") == BELOW_A
    assert "X:B1" not in tiny.similar_terms("X:A1ai", "low")
    # A term right below the root stays put: itself plus its subtree.
    assert tiny.similar_terms("X:A", "high") == BELOW_A | {"X:A"}
    assert tiny.similar_terms("X:R", "low") == {"X:R"} | tiny.descendants("X:R")


def test_similarity_follows_every_parent(tiny):
    assert tiny.similar_terms("X:AB", "high") == BELOW_A | {"X:B1"}


def test_unknown_similarity_is_refused(tiny):
    with pytest.raises(ValueError, match="similarity must be one of exact, high, medium, low"):
        tiny.similar_terms("X:A", "very")


def test_matching_terms_adds_descendants_of_the_similar_terms(tiny):
    assert tiny.matching_terms("X:A1", include_descendants=False) == {"X:A1"}
    assert tiny.matching_terms("X:A1") == {"X:A1", "X:A1a", "X:A1b", "X:A1ai"}
    assert tiny.matching_terms("X:A1a", similarity="high") == {"X:A1a", "X:A1ai", "X:A1b"}


def test_cycles_do_not_hang_and_a_term_is_not_its_own_descendant(tmp_path):
    path = tmp_path / "cycle.tsv"
    path.write_text("id\tlabel\tparents\nC:1\tone\tC:2\nC:2\ttwo\tC:1\n", encoding="utf-8")
    cyclic = OntologyHierarchy(read_terms(path))
    assert cyclic.descendants("C:1") == {"C:2"}
    assert cyclic.ancestors("C:1") == {"C:2"}
    assert "C:1" in cyclic.similar_terms("C:1", "low")


def test_extra_files_are_read_after_the_bundled_ones_and_override_them(tiny_path, tmp_path):
    override = tmp_path / "override.tsv"
    override.write_text(
        "id\tlabel\tparents\nHP:0000822\tHypertension, local\tX:A\n", encoding="utf-8"
    )
    hierarchy = load_hierarchy([tiny_path, override])
    assert hierarchy.label("HP:0000822") == "Hypertension, local"
    assert hierarchy.parents("HP:0000822") == {"X:A"}
    assert "HP:0000822" in hierarchy.descendants("X:R")
    assert hierarchy.label("MONDO:0005148") == "type 2 diabetes mellitus"  # still bundled


def test_the_same_hierarchy_answers_twice_from_its_cache(tiny):
    first = tiny.descendants("X:A")
    assert tiny.descendants("X:A") is first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no header"),
        ("id\tname\n", "header lacks label, parents"),
        ("id\tlabel\tparents\n\tno id\t\n", ":2: empty id"),
    ],
)
def test_malformed_files_are_named_with_their_line(tmp_path, text, message):
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OntologyFileError, match=message):
        read_terms(path)


def test_a_missing_extra_file_is_a_clear_error(tmp_path):
    with pytest.raises(OntologyFileError, match=r"nothere\.tsv"):
        load_hierarchy([tmp_path / "nothere.tsv"])
