"""``asia-beacon ontology extract``: the given terms plus every ancestor, or the whole ontology,
as a hierarchy TSV that ``load_hierarchy`` reads back."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from app.cli import main
from app.ontology import OntologyHierarchy, read_terms

DATA = Path(__file__).resolve().parents[1] / "data" / "ontology"
TINY = str(DATA / "tiny.obo")


def extract(tmp_path: Path, *options: str):
    out = tmp_path / "out.tsv"
    result = CliRunner().invoke(main, ["ontology", "extract", TINY, "-o", str(out), *options])
    return result, out


def test_terms_come_with_all_their_ancestors(tmp_path):
    result, out = extract(tmp_path, "--terms", "TINY:0000003")
    assert result.exit_code == 0, result.output
    terms = {term.id: term for term in read_terms(out)}
    assert set(terms) == {"TINY:0000003", "TINY:0000002", "TINY:0000001", "OTHER:0000009"}
    assert terms["TINY:0000003"].parents == ("OTHER:0000009", "TINY:0000002")
    assert terms["TINY:0000002"].label == "organ ! system"
    assert "wrote 4 terms" in result.output
    hierarchy = OntologyHierarchy(read_terms(out))
    assert hierarchy.ancestors("TINY:0000003") == {"TINY:0000002", "TINY:0000001", "OTHER:0000009"}


def test_the_output_says_where_it_came_from(tmp_path):
    _, out = extract(tmp_path, "--terms", "TINY:0000004")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == [
        "# extracted from tiny.obo by `asia-beacon ontology extract`",
        "# data-version: tiny/releases/2026-01-01",
        "id\tlabel\tparents",
    ]
    assert lines[3:] == ["TINY:0000001\tall\t", "TINY:0000004\tcirculation\tTINY:0000001"]


def test_without_terms_the_whole_ontology_is_written_less_obsolete_terms(tmp_path):
    result, out = extract(tmp_path)
    assert result.exit_code == 0, result.output
    ids = {term.id for term in read_terms(out)}
    assert ids == {"TINY:0000001", "TINY:0000002", "TINY:0000003", "TINY:0000004", "OTHER:0000009"}


def test_terms_can_come_from_a_file_and_be_repeated(tmp_path):
    listed = str(DATA / "terms.txt")
    result, out = extract(tmp_path, "--terms", listed, "--terms", "TINY:0000001")
    assert result.exit_code == 0, result.output
    assert {"TINY:0000003", "TINY:0000004"} <= {term.id for term in read_terms(out)}


def test_a_prefix_filter_drops_other_ontologies_and_links_to_them(tmp_path):
    result, out = extract(tmp_path, "--terms", "TINY:0000003", "--prefix", "TINY")
    assert result.exit_code == 0, result.output
    terms = {term.id: term for term in read_terms(out)}
    assert "OTHER:0000009" not in terms
    assert terms["TINY:0000003"].parents == ("TINY:0000002",)


def test_obsolete_and_unknown_terms_are_reported_not_written(tmp_path):
    result, out = extract(tmp_path, "--terms", "TINY:0000005,TINY:0000099,TINY:0000004")
    assert result.exit_code == 0, result.output
    assert "warning: TINY:0000005 is obsolete (replaced by TINY:0000003); left out" in result.output
    assert "not in" in result.output and "TINY:0000099" in result.output
    assert {term.id for term in read_terms(out)} == {"TINY:0000001", "TINY:0000004"}


def test_a_malformed_obo_file_exits_2_with_file_and_line(tmp_path):
    out = tmp_path / "out.tsv"
    faulty = str(DATA / "faulty" / "no_tag.obo")
    result = CliRunner().invoke(main, ["ontology", "extract", faulty, "-o", str(out)])
    assert result.exit_code == 2
    assert "no_tag.obo:6: expected 'tag: value'" in result.output
    assert not out.exists()
